"""Hazard writes. ``hazard_transition`` is the only function that changes a hazard's state: it
looks the move up in ``transitions.TRANSITIONS``, checks role, note, evidence and version, applies
it and writes the timeline event and the audit entry in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import policy
from shian.core.audit import audit, diff, snapshot
from shian.core.choices import AuditAction, Role
from shian.core.concurrency import ConflictError as ConflictError  # re-exported for views and callers
from shian.core.concurrency import lock_current
from shian.core.files import check_upload
from shian.core.models import User
from shian.core.scoping import ADD, CHANGE, assert_in_scope
from shian.registry import selectors as registry_selectors
from shian.registry.models import Business

from . import transitions
from .choices import HazardSource, HazardState, Severity
from .models import DeadlineRule, Evidence, Hazard, HazardEvent, Notification

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = ("image/jpeg", "image/png", "application/pdf")
EVIDENCE_MAX_FILES = 10  # files sent with one step


def deadline_for(severity: str, start: dt.date) -> dt.date:
    rule = DeadlineRule.objects.filter(severity=severity).first()
    return start + dt.timedelta(days=rule.days_to_rectify if rule else 15)


def _event(hazard: Hazard, *, actor: User | None, action: str, from_state: str, note: str = "") -> None:
    HazardEvent.objects.create(
        hazard=hazard,
        action=action,
        from_state=from_state,
        to_state=hazard.state,
        actor=actor,
        actor_name=actor.username if actor else "system",
        note=note,
    )


@transaction.atomic
def hazard_create(
    *,
    actor: User | None,
    business: Business,
    title: str,
    severity: str = Severity.GENERAL,
    description: str = "",
    source: str = HazardSource.MANUAL,
    found_on: dt.date | None = None,
    origin: str = "",
) -> Hazard:
    """Record a hazard. ``origin`` names what raised it ("inspections.inspection:42"), so that record
    can list the hazards it raised."""
    hazard = Hazard(
        business=business,
        title=title,
        description=description,
        severity=severity,
        source=source,
        origin=origin[:64],
        found_on=found_on or timezone.localdate(),
        found_by=actor if actor and actor.pk else None,
    )
    hazard.full_clean()
    if hazard.found_on > timezone.localdate():
        raise ValidationError({"found_on": _("The date found cannot be in the future.")})
    hazard.save()
    assert_in_scope(actor, hazard, ADD)
    _event(hazard, actor=actor, action="create", from_state="")
    audit(actor=actor, action=AuditAction.CREATE, obj=hazard, changes=diff({}, snapshot(hazard)))
    return hazard


@transaction.atomic
def hazard_transition(
    *,
    actor: User | None,
    hazard: Hazard,
    action: str,
    note: str = "",
    deadline: dt.date | None = None,
    order_text: str = "",
    expected_version: int | None = None,
    uploads: Sequence[UploadedFile] = (),
) -> Hazard:
    """Take step ``action``. ``uploads`` (photos/PDFs) are added as evidence in the same transaction,
    for a step that needs evidence only; if the step is refused they are not kept either."""
    current = lock_current(
        hazard,
        expected_version,
        _("This hazard was changed by someone else since you opened it (now version %(v)d); reload and try again."),
    )
    move = transitions.find(current.state, action)
    if move is None:
        raise ValidationError(
            _("“%(action)s” is not allowed while the hazard is “%(state)s”.")
            % {"action": action, "state": current.get_state_display()}
        )
    if actor is None and transitions.SYSTEM not in move.roles:
        raise PermissionDenied(_("Your role may not “%(action)s” a hazard.") % {"action": move.label})
    if actor is not None and not policy.may(actor, action, "hazards.hazard"):
        raise PermissionDenied(_("Your role may not “%(action)s” a hazard.") % {"action": move.label})
    policy.check(actor, CHANGE, current)
    if move.needs_note and not note.strip():
        raise ValidationError({"note": _("Say why: a note is required for this step.")})
    today = timezone.localdate()
    if move.sets_deadline:
        deadline = deadline or deadline_for(current.severity, today)
        if deadline < today:
            raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if uploads:
        if not move.needs_evidence:
            raise ValidationError(
                {
                    "file": _("Files are sent with a step that needs evidence, not with “%(step)s”.")
                    % {"step": move.label}
                }
            )
        if len(uploads) > EVIDENCE_MAX_FILES:
            raise ValidationError({"file": _("Send at most %(n)d files with one step.") % {"n": EVIDENCE_MAX_FILES}})
        for upload in uploads:  # every file is checked before any is stored
            check_evidence_file(upload)
        for upload in uploads:
            evidence_add(actor=actor, hazard=current, upload=upload)
    if move.needs_evidence and not current.evidence.exists():
        raise ValidationError(_("Upload at least one photo or PDF of the rectification first."))
    before = snapshot(current)
    if move.sets_deadline:
        current.deadline = deadline
        current.order_text = order_text or current.order_text
    if move.target == HazardState.ESCALATED:
        current.escalated_on = today
    if move.target == HazardState.CLOSED:
        current.closed_on = today
    current.state = move.target
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    if actor is not None:
        assert_in_scope(actor, current, CHANGE)
    _event(current, actor=actor, action=action, from_state=move.source, note=note)
    audit(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=current,
        changes=diff(before, snapshot(current)),
        note=f"{action}: {note}".strip(": "),
    )
    if action == "reject":
        _notify_business(current, _("Evidence rejected for “%(t)s”: %(n)s") % {"t": current.title, "n": note})
    return current


def check_evidence_file(upload: UploadedFile) -> str:
    """The content type of an evidence file (JPEG, PNG or PDF by its first bytes, at most 10 MB), or a
    ValidationError on "file" that names the file and says what is wrong."""
    return check_upload(upload, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES)


@transaction.atomic
def evidence_add(*, actor: User | None, hazard: Hazard, upload: UploadedFile, note: str = "") -> Evidence:
    policy.check(actor, ADD, "hazards.evidence")
    if hazard.state not in (HazardState.ORDERED, HazardState.RECTIFYING):
        raise ValidationError(_("Evidence can only be added while the hazard is being rectified."))
    content_type = check_evidence_file(upload)
    evidence = Evidence(
        hazard=hazard,
        original_name=(upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255],
        content_type=content_type,
        size=upload.size,
        note=note[:255],
        submitted_by=actor if actor and actor.pk else None,
    )
    evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    assert_in_scope(actor, evidence, ADD)
    audit(actor=actor, action=AuditAction.CREATE, obj=evidence, note=f"evidence for hazard {hazard.pk}")
    return evidence


def _notify_business(hazard: Hazard, text: str) -> None:
    users = registry_selectors.accounts_of(hazard.business).filter(is_active=True)
    Notification.objects.bulk_create([Notification(user=u, hazard=hazard, text=text[:255]) for u in users])


def _notify_regulators(hazard: Hazard, text: str) -> None:
    """District regulators whose region contains the business."""
    district_path = "/".join(hazard.business.region_path.split("/")[:2]) + "/"
    users = User.objects.filter(role=Role.DISTRICT_REGULATOR, is_active=True, region__path=district_path)
    Notification.objects.bulk_create([Notification(user=u, hazard=hazard, text=text[:255]) for u in users])


def escalate_overdue(*, today: dt.date | None = None) -> int:
    """The daily job: open hazards past their deadline by the rule's grace days become cases (立案),
    and serious hazards whose rule says so are escalated at once; regulators and the business are
    notified. Idempotent: an escalated hazard is not escalated again. Returns how many changed."""
    today = today or timezone.localdate()
    rules = {r.severity: r for r in DeadlineRule.objects.all()}
    count = 0
    candidates = Hazard.objects.filter(
        state__in=[HazardState.FOUND, HazardState.ORDERED, HazardState.RECTIFYING]
    ).select_related("business")
    for hazard in candidates.iterator(chunk_size=500):
        rule = rules.get(hazard.severity)
        grace = rule.escalate_after_days if rule else 0
        overdue = hazard.deadline is not None and hazard.deadline + dt.timedelta(days=grace) < today
        immediate = bool(rule and rule.escalate_immediately)
        if not (overdue or immediate):
            continue
        reason = (_("overdue since %(d)s") % {"d": hazard.deadline}) if overdue else _("serious hazard")
        hazard_transition(actor=None, hazard=hazard, action="escalate", note=reason)
        text = _("Hazard “%(t)s” at %(b)s escalated to a case: %(r)s") % {
            "t": hazard.title,
            "b": hazard.business.name,
            "r": reason,
        }
        _notify_regulators(hazard, text)
        _notify_business(hazard, text)
        count += 1
    return count
