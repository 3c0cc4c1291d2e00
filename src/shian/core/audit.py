"""Writing the audit log. Services call these inside their own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

from .choices import AuditAction
from .context import current_source
from .models import AuditEntry, User


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's concrete field values, JSON-ready (foreign keys as ids)."""
    return {f.attname: _plain(getattr(obj, f.attname)) for f in obj._meta.concrete_fields if f.name != "id"}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for every field that differs; a missing side is None (create/delete)."""
    keys = list(after) + [k for k in before if k not in after]
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def object_type(obj_or_model: models.Model | type[models.Model]) -> str:
    return obj_or_model._meta.label_lower


def build_entry(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
    note: str = "",
    object_type_label: str | None = None,
) -> AuditEntry:
    return AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.username if actor is not None else "system"),
        source=current_source.get(),
        action=action,
        object_type=object_type_label or object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes or {},
        note=note,
    )


def audit(
    *, actor: User | None, action: str, obj: models.Model, changes: dict | None = None, note: str = ""
) -> AuditEntry:
    entry = build_entry(actor=actor, action=action, obj=obj, changes=changes, note=note)
    entry.save()
    return entry


def audit_many(entries: Iterable[AuditEntry]) -> None:
    AuditEntry.objects.bulk_create(list(entries), batch_size=2000)


def audit_denied(*, actor: User, model: type[models.Model], lookup: dict, action: str) -> None:
    AuditEntry.objects.create(
        actor=actor if actor.pk else None,
        actor_name=actor.username,
        source=current_source.get(),
        action=AuditAction.DENIED,
        object_type=object_type(model),
        object_id=str(lookup.get("pk", lookup.get("id", ""))),
        note=f"{action} refused: outside the user's scope",
    )


def entries_for(obj: models.Model):
    return AuditEntry.objects.filter(object_type=object_type(obj), object_id=str(obj.pk)).select_related(None)
