"""Optimistic locking shared by every model with a ``version`` field: lock the row, compare the
version the caller read, refuse a stale write with ConflictError (HTTP 409 in the API)."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


class ConflictError(Exception):
    """Someone else saved the object since the caller read it."""


def lock_current(obj: M, expected_version: int | None, message: str) -> M:
    """Re-read ``obj`` with a row lock (inside the caller's transaction). ``message`` may use
    ``%(v)d`` for the version now stored."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(message % {"v": current.version})
    return current
