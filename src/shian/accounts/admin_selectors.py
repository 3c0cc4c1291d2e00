"""三员 reads: the account list of the system and security administrators, the audit log of the audit
administrator (masked as everywhere, core.masking), the chain status, the security policy in force and
the permission matrix generated from the grants registry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import ValidationError as PydanticValidationError
from pydantic import field_validator

from shian.core import policy, scoping
from shian.core.audit import system_word
from shian.core.choices import AuditAction, Role
from shian.core.masking import mask_text, mask_value
from shian.core.models import AuditEntry, Job, JobState, Region

from .admin_services import ACCOUNT, AUDIT_RECORD, BROWSE, MANAGE
from .models import Account, Authorisation
from .tasks import VERIFY_KIND

AccountState = Literal["active", "inactive", "pending", "locked"]


class _QueryFilter(Schema):
    @classmethod
    def from_query(cls, params) -> tuple[Any, list[str]]:
        """Parse a GET query; a bad field is dropped (and named) rather than failing the page."""
        data = {k: v for k, v in params.items() if k in cls.model_fields and v not in ("", None)}
        problems: list[str] = []
        while True:
            try:
                return cls(**data), problems
            except PydanticValidationError as exc:
                bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
                if not bad or not (bad & set(data)):
                    return cls(), problems
                problems.extend(sorted(bad))
                for key in bad:
                    data.pop(key, None)

    def active(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}


def _short(v: str | None) -> str | None:
    v = (v or "").strip()
    return v[:100] or None


class AccountFilter(_QueryFilter):
    """One filter for the account list: the page and the API."""

    q: str | None = None
    role: Role | None = None
    region: int | None = None
    state: AccountState | None = None

    @field_validator("q")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return _short(v)


def accounts_for(actor, f: AccountFilter) -> QuerySet:
    """Every account of the deployment the actor may administer (city-wide), filtered, by username."""
    now = timezone.now()
    waiting = Authorisation.objects.filter(user_id=OuterRef("pk"), state=Authorisation.State.PENDING)
    qs = (
        Account.objects.restrict(actor, MANAGE)
        .select_related("region", "authorisation__requested_region")
        .annotate(pending=Exists(waiting))
    )
    if f.q:
        qs = qs.filter(Q(username__icontains=f.q) | Q(first_name__icontains=f.q) | Q(last_name__icontains=f.q))
    if f.role:
        qs = qs.filter(Q(role=f.role) | Q(authorisation__state="pending", authorisation__requested_role=f.role))
    if f.region:
        path = Region.objects.filter(pk=f.region).values_list("path", flat=True).first()
        qs = qs.filter(region__path__startswith=path) if path else qs.none()
    if f.state == "active":
        qs = qs.filter(is_active=True)
    elif f.state == "inactive":
        qs = qs.filter(is_active=False)
    elif f.state == "pending":
        qs = qs.filter(pending=True)
    elif f.state == "locked":
        qs = qs.filter(locked_until__gt=now)
    return qs.order_by("username", "pk")


def pending_count(actor) -> int:
    if not policy.may(actor, policy.VIEW, "accounts.authorisation"):
        return 0
    return Authorisation.objects.restrict(actor, policy.VIEW).filter(state=Authorisation.State.PENDING).count()


def locked_count(actor) -> int:
    if not policy.may(actor, MANAGE, ACCOUNT):
        return 0
    return Account.objects.restrict(actor, MANAGE).filter(locked_until__gt=timezone.now()).count()


# --- the audit log, for the audit administrator -----------------------------------------------------------
class AuditFilter(_QueryFilter):
    """One filter for the audit browser, its export and the API."""

    start: dt.date | None = None
    end: dt.date | None = None
    actor: str | None = None
    action: AuditAction | None = None
    object_type: str | None = None
    source: str | None = None

    @field_validator("actor", "object_type", "source")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return _short(v)

    @field_validator("start", "end")
    @classmethod
    def _plausible(cls, v: dt.date | None) -> dt.date | None:
        if v is not None and not (dt.date(2000, 1, 1) <= v <= dt.date(2100, 12, 31)):
            raise ValueError("a date between 2000 and 2100")
        return v


def audit_log(actor, action: str = BROWSE) -> QuerySet:
    """The whole audit log for one granted ``accounts.auditrecord`` (the audit administrator's reading:
    city-wide, every entry, with or without a scope); nothing for anyone else. The grant is the whole
    check: for this reader the log has no narrower scope (officials read theirs through core.auditentry)."""
    if not scoping.role_may(actor, action, AUDIT_RECORD):
        return AuditEntry.objects.none()
    return AuditEntry.objects.all()


def audit_for(actor, f: AuditFilter) -> QuerySet:
    """The whole log (city-wide, through the audit administrator's grant), filtered, newest first."""
    qs = audit_log(actor, BROWSE)
    zone = timezone.get_current_timezone()
    if f.start:
        qs = qs.filter(at__gte=dt.datetime.combine(f.start, dt.time.min, tzinfo=zone))
    if f.end:
        qs = qs.filter(at__lt=dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
    if f.actor:
        qs = qs.filter(actor_name__iexact=f.actor)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type.lower())
    if f.source:
        qs = qs.filter(source__startswith=f.source)
    return qs.order_by("-at", "-id")


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    actor: str
    source: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    changes: Any
    note: str


def audit_rows(entries) -> list[AuditRow]:
    """Entries as the audit administrator sees them: every field, personal data masked (core.masking),
    system words in the viewer's language."""
    labels = dict(AuditAction.choices)
    return [
        AuditRow(
            id=e.pk,
            at=e.at,
            actor=mask_text(system_word(e.actor_name or "system")),
            source=system_word(e.source),
            action=e.action,
            action_label=str(labels.get(e.action, e.action)),
            object_type=e.object_type,
            object_id=e.object_id,
            object_repr=mask_text(e.object_repr),
            changes=mask_value(e.changes),
            note=mask_text(system_word(e.note)),
        )
        for e in entries
    ]


def chain_status() -> dict:
    """The last verification (a background job's result), the one running, and the anchor file."""
    from shian.core import auditchain

    jobs = Job.objects.filter(kind=VERIFY_KIND)
    last = jobs.filter(state__in=[JobState.SUCCEEDED, JobState.FAILED]).order_by("-finished_at", "-pk").first()
    running = jobs.filter(state__in=[JobState.QUEUED, JobState.RUNNING]).order_by("-pk").first()
    path = auditchain.anchor_path()
    anchors, bad = auditchain.read_anchors(path)
    return {
        "last": last,
        "running": running,
        "anchor_file": str(path),
        "anchor_count": len(anchors),
        "last_anchor": anchors[-1] if anchors else None,
        "anchor_problems": bad[:5],
        "entries": AuditEntry.objects.count(),
    }


# --- the security policy in force and the permission matrix ---------------------------------------------
def security_policy() -> list[tuple[Any, Any]]:
    """What the deployment enforces, read from settings (read-only: they change with the environment)."""
    from django.contrib.auth.password_validation import get_default_password_validators

    from shian.twofactor.services import REQUIRED_ROLES

    labels = dict(Role.choices)
    mfa_roles = ", ".join(str(labels[r]) for r in Role.values if r in REQUIRED_ROLES)
    validators = ", ".join(type(v).__name__ for v in get_default_password_validators())
    hours = settings.SESSION_ABSOLUTE_SECONDS / 3600
    return [
        (_("Password policy preset"), settings.PASSWORD_POLICY),
        (_("Password validators"), validators),
        (_("Password maximum age (days, 0: no forced rotation)"), settings.PASSWORD_MAX_AGE_DAYS),
        (_("Previous passwords refused"), settings.PASSWORD_HISTORY),
        (_("Failed sign-ins before an account is locked"), settings.LOGIN_MAX_FAILURES),
        (_("Account lockout (seconds)"), settings.LOGIN_LOCKOUT_SECONDS),
        (_("Failed sign-ins from one address before it is throttled"), settings.LOGIN_IP_MAX_FAILURES),
        (_("Address throttle window (seconds)"), settings.LOGIN_IP_WINDOW_SECONDS),
        (_("Address throttle (seconds)"), settings.LOGIN_IP_LOCKOUT_SECONDS),
        (_("Session idle timeout (seconds)"), settings.SESSION_COOKIE_AGE),
        (_("Session absolute lifetime (hours)"), f"{hours:g}"),
        (_("Second factor enforced"), _("yes") if settings.MFA_ENFORCE else _("no")),
        (_("Roles that must use a second factor"), mfa_roles),
        (_("Wrong codes before the second factor locks"), settings.MFA_MAX_FAILURES),
        (_("Second-factor lockout (seconds)"), settings.MFA_LOCKOUT_SECONDS),
        (_("Re-authentication valid for (seconds)"), settings.MFA_REAUTH_SECONDS),
        (_("Rate limit, anonymous requests (requests/seconds)"), settings.RATE_LIMIT_ANONYMOUS),
        (_("Rate limit, API (requests/seconds)"), settings.RATE_LIMIT_API),
        (_("API token lifetime (days)"), settings.API_TOKEN_TTL_DAYS),
        (_("API tokens per account"), settings.API_TOKEN_MAX_PER_USER),
    ]


def permission_matrix() -> dict:
    """Role × kind of object → actions, generated from the grants registry (core.scoping), so the page
    shows exactly what the policy answers. Kinds in label order; roles in their declared order."""
    from django.apps import apps

    grants = scoping.grants()
    roles = list(Role.values)
    kinds = sorted({label for role in roles for label in grants.get(role, {})})
    names = {}
    for label in kinds:
        try:
            names[label] = str(apps.get_model(label)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            names[label] = label
    rows = []
    for label in kinds:
        cells = [sorted(grants.get(role, {}).get(label, set())) for role in roles]
        rows.append({"label": label, "name": names[label], "cells": cells})
    labels = dict(Role.choices)
    return {"roles": [(r, labels[r]) for r in roles], "rows": rows}


def record_browse_allowed(actor) -> bool:
    return policy.may(actor, BROWSE, AUDIT_RECORD)
