"""Showing one masked value in full ("show" beside a masked phone or identity number), audited.

A page or an API operation declares ``@operation(REVEAL, "app.model", obj=…)``; apps grant ``REVEAL`` to
the roles that may (``policy.grant(roles, "registry.staff", {REVEAL})``). :func:`reveal` checks the grant,
the scope and the object's rules once more (whatever the caller), and writes an audit entry saying who saw
which value of which object — the entry names the field, never the value."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from . import policy
from .audit import audit
from .choices import AuditAction
from .fields import EncryptedTextField

REVEAL = "reveal"


def revealable_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


@transaction.atomic
def reveal(*, actor, obj: models.Model, field: str) -> str:
    """The plain value of ``obj.field`` for ``actor``, with the audit entry written."""
    names = revealable_fields(type(obj))
    if field not in names:
        raise ValidationError(
            {
                "field": _("“%(f)s” is not a value that can be shown; one of: %(names)s")
                % {"f": field, "names": ", ".join(names)}
            }
        )
    policy.check(actor, REVEAL, obj)
    value = getattr(obj, field) or ""
    audit(actor=actor, action=AuditAction.REVEAL, obj=obj, note=f"revealed {field}")
    return value
