"""How long a text may be: the numbers in one place, and the helper that gives an API schema's string
the limit of the model field it is stored in (docs/security.md, "Bad input: length, markup, formulas").

- A value stored in a ``CharField`` may be as long as the field's ``max_length``: on PostgreSQL a longer one
  is an error of the database (a 500 unless refused first), on SQLite it would be stored silently.
- Free text (``TextField``: descriptions, summaries, findings, reports) may be ``TEXT_MAX_LENGTH`` characters.
- No single value of any request may be longer than ``REQUEST_VALUE_MAX_LENGTH`` characters
  (``RejectControlCharactersMiddleware`` refuses it, naming the field), except a drawn signature, a
  ``data:image/png;base64,…`` value of at most ``SIGNATURE_MAX_LENGTH`` characters (``core.files``
  decodes and checks it).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from pydantic import Field

TEXT_MAX_LENGTH = 20_000
REQUEST_VALUE_MAX_LENGTH = 50_000
SIGNATURE_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX_LENGTH = len(SIGNATURE_PREFIX) + 4 * (1_000_000 // 3 + 1)  # core.files.png_from_data_url: 1 MB
PASSWORD_MAX_LENGTH = 4096  # what Django's password hashers once capped a password at


def max_length_of(model: type[models.Model], field_name: str) -> int:
    """The longest text ``model.field_name`` holds: its ``max_length``, or ``TEXT_MAX_LENGTH`` for free text."""
    field = model._meta.get_field(field_name)
    if getattr(field, "max_length", None):
        return field.max_length
    if isinstance(field, models.TextField):
        return TEXT_MAX_LENGTH
    raise TypeError(f"{model._meta.label}.{field_name} is not a text field")


def stored_in(model: type[models.Model], field_name: str, **kwargs: Any) -> Any:
    """A pydantic ``Field`` for an API string stored in ``model.field_name``: refused (422, naming the field)
    when longer than the model field holds, and documented as ``maxLength`` in the OpenAPI schema.

    ``name: Annotated[str, stored_in(Business, "name")]`` (``| None = None`` for a patch)."""
    return Field(max_length=max_length_of(model, field_name), **kwargs)
