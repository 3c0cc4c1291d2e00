"""Writing the audit log. Services call these inside their own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction
from .context import current_source
from .masking import mask_text, mask_value
from .models import AuditEntry, User
from .scoping import BUSINESS_SCOPED_ROLES, VIEW, businesses_of


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


def _follow(obj: Any, lookup: str) -> Any:
    """Follow a Django lookup path ("business__region_path") on an instance; "pk" is the object's own."""
    if lookup == "pk":
        return obj.pk
    parts = lookup.split("__")
    for i, part in enumerate(parts):
        if obj is None:
            return None
        last = i == len(parts) - 1
        field = obj._meta.get_field(part) if hasattr(obj, "_meta") else None
        if last and field is not None and field.is_relation and field.many_to_one:
            return getattr(obj, field.attname)  # the id, without fetching the row
        obj = getattr(obj, part)
    return obj.pk if isinstance(obj, models.Model) else obj


def object_scope(obj: models.Model) -> tuple[str, int | None]:
    """(region path, business id) of an object, from its model's scope lookups; ("", None) for
    city-wide configuration. The audit log copies them so that it is scoped like the objects."""
    model = type(obj)
    owner = getattr(model, "scope_owner_lookup", None)
    if owner is not None:
        account = getattr(obj, owner.split("__")[0], None)
        return object_scope(account) if isinstance(account, models.Model) else ("", None)
    path = ""
    if getattr(model, "scope_path_lookup", None):
        path = _follow(obj, model.scope_path_lookup) or ""
    elif getattr(model, "scope_region_lookup", None) is not None:
        lookup = model.scope_region_lookup
        region = obj if lookup == "" else _follow_object(obj, lookup)
        path = getattr(region, "path", "") or ""
    business = None
    if getattr(model, "scope_business_lookup", None):
        business = _follow(obj, model.scope_business_lookup)
    return path, business


def _follow_object(obj: Any, lookup: str) -> Any:
    for part in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def build_entry(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
    note: str = "",
    object_type_label: str | None = None,
) -> AuditEntry:
    path, business = object_scope(obj)
    return AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.username if actor is not None else SYSTEM_ACTOR),
        source=current_source.get(),
        action=action,
        object_type=object_type_label or object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=personal_data_masked(type(obj), changes or {}),
        note=note,
        scope_path=path,
        scope_business=business,
    )


def personal_data_masked(model: type[models.Model], changes: dict) -> dict:
    """The changes as the log stores them: an encrypted field (core/fields.py) as its masked form, its
    lookup hash not at all, so the log holds no personal data in the clear (change detection still
    compares the real values: ``diff`` of ``snapshot``)."""
    from django.core.exceptions import FieldDoesNotExist

    out = {}
    for key, pair in changes.items():
        try:
            field = model._meta.get_field(key)  # a name or an attname ("region_id")
        except FieldDoesNotExist:
            field = None
        to_log = getattr(field, "audit_value", None)
        if to_log is None:
            out[key] = pair
        elif not getattr(field, "audit_exclude", False):
            out[key] = [to_log(v) for v in pair] if isinstance(pair, list) else to_log(pair)
    return out


def audit(
    *, actor: User | None, action: str, obj: models.Model, changes: dict | None = None, note: str = ""
) -> AuditEntry:
    entry = build_entry(actor=actor, action=action, obj=obj, changes=changes, note=note)
    entry.save()
    return entry


def audit_many(entries: Iterable[AuditEntry]) -> None:
    AuditEntry.objects.bulk_create(list(entries), batch_size=2000)


def audit_denied(*, actor: User, obj: models.Model, action: str) -> None:
    """A refused attempt on an existing object, filed under that object (and so in its scope)."""
    build_entry(
        actor=actor, action=AuditAction.DENIED, obj=obj, note=f"{action} refused: outside the user's scope"
    ).save()


def actor_scope(user: User) -> tuple[str, int | None]:
    """(region path, business id) of an account's own area: an entry about what a user tried, with no
    object, is seen where the user works (their district's officials, the city)."""
    business = user.business if user.role in BUSINESS_SCOPED_ROLES else None
    if business is not None:
        return getattr(business, "region_path", "") or "", business.pk
    return (user.region.path if user.region_id else ""), None


def _request_entry(request, user: User, action: str, object_type: str, note: str) -> AuditEntry:
    path, business = actor_scope(user)
    return AuditEntry(
        actor=user,
        actor_name=user.username,
        source=current_source.get(),
        action=action,
        object_type=object_type[:64],
        object_id="",
        object_repr=f"{request.method} {request.path}"[:255],
        note=note,
        scope_path=path,
        scope_business=business,
    )


def _declared_model(request) -> str | None:
    from .policy import declared_operation

    match = getattr(request, "resolver_match", None)
    op = declared_operation(match.func) if match is not None else None
    return op.model if op is not None else None


def audit_refusal(request, user: User) -> AuditEntry:
    """A request refused with 403 (RequestContextMiddleware): a role without the grant (policy.operation
    says which action on which kind), a failed object rule, a CSRF failure."""
    refused = getattr(request, "shian_refused", None)
    if refused is not None:
        action, label = refused
        note = f"{action} {label} refused: the role {user.role} has no such grant"
    else:
        label = _declared_model(request) or "request"
        note = "refused (403)"
    entry = _request_entry(request, user, AuditAction.DENIED, label or "request", note)
    entry.save()
    return entry


def audit_download(request, user: User, response) -> AuditEntry:
    """A file the user took away (an export, a PDF record, a report): what, with which filters."""
    disposition = response.get("Content-Disposition", "")
    filename = disposition.split("filename=", 1)[1].strip('"; ') if "filename=" in disposition else ""
    query = request.META.get("QUERY_STRING", "")
    note = f"{filename or 'download'}" + (f" ({query[:1000]})" if query else "")
    entry = _request_entry(request, user, AuditAction.EXPORT, _declared_model(request) or "download", note)
    entry.changes = {"content_type": response.get("Content-Type", ""), "bytes": len(getattr(response, "content", b""))}
    entry.save()
    return entry


def entries_for(obj: models.Model):
    """Every entry about an object, unscoped: for the system's own use (tests, exports by the system)."""
    return AuditEntry.objects.filter(object_type=object_type(obj), object_id=str(obj.pk)).select_related(None)


# --- what a viewer sees of the log ------------------------------------------------------------
# Decided in docs/security.md ("Who sees the audit log"): officials see the entries about objects in
# their area, with names and addresses of actors from their own area only; a business's staff see
# the entries about their own business, without refused attempts, without any address, and
# officials' actions under their role, not their login name.


@dataclass(frozen=True)
class AuditLine:
    at: Any
    action: str
    action_label: Any
    actor: str
    source: str
    object_repr: str
    changes: dict
    note: str


# What the system itself writes into the log's actor, source and note columns, shown in the viewer's
# language (the stored value stays the key, so the log reads the same whatever language wrote it).
SYSTEM_ACTOR = "system"
SYSTEM_WORDS = {
    SYSTEM_ACTOR: _("the system"),
    "cli": _("command line"),
    "unknown": _("unknown address"),
    "demo city generator": _("demo city generator"),
}


def system_word(value: str) -> str:
    """A stored actor/source/note the system wrote, in the viewer's language ("job 12" → 后台任务 12)."""
    if value.startswith("job "):
        return _("background job %(id)s") % {"id": value[4:]}
    word = SYSTEM_WORDS.get(value)
    return str(word) if word is not None else value


def actor_in_scope(viewer: User, actor: User | None) -> bool:
    if actor is None:
        return True  # the system itself
    if viewer.is_superuser and viewer.region_id is None:
        return True
    if viewer.role in BUSINESS_SCOPED_ROLES:
        return actor.business_id is not None and actor.business_id == viewer.business_id
    if viewer.region is None:
        return False
    if actor.region is not None:
        return actor.region.path.startswith(viewer.region.path)
    if actor.business is not None:
        return (actor.business.region_path or "").startswith(viewer.region.path)
    return False


def lines_for(viewer: User, obj: models.Model, limit: int = 200) -> list[AuditLine]:
    """The audit entries about ``obj`` that ``viewer`` may see, presented for them."""
    qs = AuditEntry.objects.restrict(viewer, VIEW).filter(object_type=object_type(obj), object_id=str(obj.pk))
    business_view = viewer.role in BUSINESS_SCOPED_ROLES
    if business_view:
        qs = qs.exclude(action__in=[AuditAction.DENIED, AuditAction.LOGIN_FAILED])
    lines = []
    entries = list(qs.select_related("actor__region")[:limit])
    businesses_of([e.actor for e in entries])  # the actors' businesses in one query
    for e in entries:
        known = actor_in_scope(viewer, e.actor)
        if e.actor is None:
            actor = system_word(e.actor_name or SYSTEM_ACTOR)
        elif known:
            actor = e.actor.display_name if business_view else e.actor_name
        elif business_view:
            actor = str(e.actor.get_role_display()) if e.actor else e.actor_name
        else:
            actor = str(_("a user outside your area"))
        lines.append(
            AuditLine(
                at=e.at,
                action=e.action,
                action_label=e.get_action_display(),
                actor=actor,
                source="" if business_view or not known else system_word(e.source),
                object_repr=mask_text(e.object_repr),
                changes=mask_value(e.changes),
                note=mask_text(system_word(e.note)),
            )
        )
    return lines
