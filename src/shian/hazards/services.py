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
from shian.core.files import check_upload, clean_upload
from shian.core.limits import max_length_of
from shian.core.models import User
from shian.core.scoping import ADD, CHANGE, VIEW, assert_in_scope
from shian.core.validators import PEOPLE_MAX, validate_deadline, validate_range, validate_recorded_day
from shian.registry import selectors as registry_selectors
from shian.registry.models import Business

from . import transitions
from .choices import DeclineGround, HazardSource, HazardState, LeadReason, LeadState, Severity
from .models import CaseLead, DeadlineRule, Evidence, Hazard, HazardEvent, Incident, Notification

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = ("image/jpeg", "image/png", "application/pdf")
EVIDENCE_MAX_FILES = 10  # files sent with one step
NOTE_MAX_LENGTH = max_length_of(HazardEvent, "note")
ORDER_MAX_LENGTH = max_length_of(Hazard, "order_text")
EVIDENCE_NOTE_MAX_LENGTH = max_length_of(Evidence, "note")


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
    for a step that needs evidence only; if the step is refused they are not kept either. A step taken
    only by accepting a case lead (escalate: 立案) is refused here: see ``case_lead_decide``."""
    return _apply(
        actor=actor,
        hazard=hazard,
        action=action,
        note=note,
        deadline=deadline,
        order_text=order_text,
        expected_version=expected_version,
        uploads=uploads,
    )


def _apply(
    *,
    actor: User | None,
    hazard: Hazard,
    action: str,
    note: str = "",
    deadline: dt.date | None = None,
    order_text: str = "",
    expected_version: int | None = None,
    uploads: Sequence[UploadedFile] = (),
    by_lead: bool = False,
    on: dt.date | None = None,
) -> Hazard:
    current = lock_current(
        hazard,
        expected_version,
        _("This hazard was changed by someone else since you opened it (now version %(v)d); reload and try again."),
    )
    if action not in transitions.ACTIONS:
        raise ValidationError({"action": _("“%(action)s” is not a step of the hazard loop.") % {"action": action[:40]}})
    move = transitions.find(current.state, action)
    if move is None:
        raise ValidationError(
            {
                "action": _("“%(action)s” is not allowed while the hazard is “%(state)s”.")
                % {"action": action, "state": current.get_state_display()}
            }
        )
    if move.by_lead_only and not by_lead:
        raise ValidationError(
            {
                "action": _(
                    "A case is opened (立案) by accepting the hazard's case lead, with the approval recorded; "
                    "refer the hazard as a case lead first."
                )
            }
        )
    if actor is None and transitions.SYSTEM not in move.roles:
        raise PermissionDenied(_("Your role may not “%(action)s” a hazard.") % {"action": move.label})
    if actor is not None and not policy.may(actor, action, "hazards.hazard"):
        raise PermissionDenied(_("Your role may not “%(action)s” a hazard.") % {"action": move.label})
    policy.check(actor, CHANGE, current)
    if move.needs_note and not note.strip():
        raise ValidationError({"note": _("Say why: a note is required for this step.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}})
    if len(order_text) > ORDER_MAX_LENGTH:
        raise ValidationError({"order_text": _("At most %(n)d characters.") % {"n": ORDER_MAX_LENGTH}})
    today = on or timezone.localdate()
    if move.sets_deadline:
        deadline = deadline or deadline_for(current.severity, today)
        if deadline < today:
            raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
        validate_deadline(deadline, today=today)  # at most a year ahead: no 9999-12-31
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
        current.escalated_on = today  # the day the case was opened (立案): the approval date
        current.closed_on = None
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
    if len(note) > EVIDENCE_NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": EVIDENCE_NOTE_MAX_LENGTH}})
    # stored as checked and cleaned: an image re-encoded (no EXIF/GPS), under a name the server chose with
    # the extension of the detected type; the uploader's name (with that extension) is kept for people
    clean = clean_upload(upload, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES)
    evidence = Evidence(
        hazard=hazard,
        original_name=clean.display_name[:255],
        content_type=clean.content_type,
        size=clean.size,
        note=note,
        submitted_by=actor if actor and actor.pk else None,
    )
    stored = clean.as_file()
    evidence.file.save(stored.name, stored, save=False)
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


def raise_case_leads(*, today: dt.date | None = None) -> int:
    """The daily job: a case lead (案件线索) for each hazard that calls for one — a serious hazard whose rule
    says so, a hazard past its deadline by the rule's grace days — that has none for that reason yet and
    no open one. Opening a case (立案) stays a regulator's decision (``case_lead_decide``). Idempotent.
    Returns how many leads were raised."""
    today = today or timezone.localdate()
    rules = {r.severity: r for r in DeadlineRule.objects.all()}
    candidates = (
        Hazard.objects.filter(state__in=LEAD_STATES)
        .exclude(leads__state=LeadState.OPEN)
        .select_related("business")
        .prefetch_related("leads")
    )
    count = 0
    for hazard in candidates.iterator(chunk_size=500):
        rule = rules.get(hazard.severity)
        grace = rule.escalate_after_days if rule else 0
        had = {lead.reason for lead in hazard.leads.all()}
        if hazard.deadline is not None and hazard.deadline + dt.timedelta(days=grace) < today:
            reason, detail = LeadReason.OVERDUE, _("overdue since %(d)s") % {"d": hazard.deadline.isoformat()}
        elif rule is not None and rule.escalate_immediately:
            reason, detail = LeadReason.SERIOUS, _("serious hazard")
        else:
            continue
        if reason in had:
            continue
        case_lead_raise(actor=None, hazard=hazard, reason=reason, detail=detail, today=today)
        count += 1
    return count


# a lead is raised about a hazard not yet rectified or closed (a hazard already escalated has its case)
LEAD_STATES = [
    HazardState.FOUND,
    HazardState.ORDERED,
    HazardState.RECTIFYING,
    HazardState.EVIDENCE_SUBMITTED,
]


def escalate_overdue(*, today: dt.date | None = None) -> int:
    """The old name of the nightly job (kept for callers): it now raises case leads, and escalates nothing."""
    return raise_case_leads(today=today)


@transaction.atomic
def case_lead_raise(
    *,
    actor: User | None,
    hazard: Hazard,
    reason: str = LeadReason.REFERRAL,
    detail: str = "",
    today: dt.date | None = None,
) -> CaseLead:
    """Raise a case lead about ``hazard`` (``actor`` None: the nightly job; an official: a referral, 移送,
    with its ``detail`` required). At most one lead of a hazard is open at a time."""
    policy.check(actor, ADD, "hazards.caselead")
    policy.check(actor, VIEW, hazard)
    current = Hazard.objects.select_for_update().get(pk=hazard.pk)
    errors = {}
    if reason not in LeadReason.values:
        errors["reason"] = _("Choose a reason.")
    if actor is not None and not detail.strip():
        errors["detail"] = _("Say what the lead is about: the facts a case would be opened on.")
    if len(detail) > max_length_of(CaseLead, "detail"):
        errors["detail"] = _("At most %(n)d characters.") % {"n": max_length_of(CaseLead, "detail")}
    if current.state == HazardState.ESCALATED:
        errors["__all__"] = _("A case is already open for this hazard.")
    elif CaseLead.objects.filter(hazard=current, state=LeadState.OPEN).exists():
        errors["__all__"] = _("This hazard already has a case lead awaiting decision.")
    if errors:
        raise ValidationError(errors)
    lead = CaseLead.objects.create(
        hazard=current,
        reason=reason,
        detail=detail,
        raised_on=today or timezone.localdate(),
        raised_by=actor if actor and actor.pk else None,
    )
    if actor is not None:
        assert_in_scope(actor, lead, ADD)
    text = f"{lead.get_reason_display()}: {detail}".strip(": ")
    _event(current, actor=actor, action="lead", from_state=current.state, note=text)
    audit(actor=actor, action=AuditAction.CREATE, obj=lead, changes=diff({}, snapshot(lead)), note=text)
    _notify_regulators(
        current,
        _("Case lead about “%(t)s” at %(b)s: %(r)s") % {"t": current.title, "b": current.business.name, "r": text},
    )
    return lead


@transaction.atomic
def case_lead_decide(
    *,
    actor: User,
    lead: CaseLead,
    action: str,
    approver: str = "",
    approved_on: dt.date | None = None,
    case_number: str = "",
    ground: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> CaseLead:
    """Decide a case lead: ``accept`` opens a case (立案: the approving head ``approver`` and the
    ``approved_on`` date are required, the case number optional; the hazard is escalated, dated the approval
    date), ``decline`` does not (不予立案: the ``ground`` of Art. 20 and the ``reason`` are required). Applies
    ``transitions.LEAD_TRANSITIONS``; writes the timeline event and the audit entry in the same transaction."""
    current = lock_current(
        lead,
        expected_version,
        _("This case lead was decided or changed by someone else (now version %(v)d); reload and try again."),
    )
    move = transitions.find_lead(current.state, action)
    if move is None:
        raise ValidationError(
            {
                "action": _("“%(action)s” is not allowed while the case lead is “%(state)s”.")
                % {"action": action[:40], "state": current.get_state_display()}
            }
        )
    if not policy.may(actor, action, "hazards.caselead"):
        raise PermissionDenied(_("Your role may not “%(action)s”.") % {"action": move.label})
    policy.check(actor, CHANGE, current)
    today = timezone.localdate()
    approver, case_number, reason = approver.strip(), case_number.strip(), reason.strip()
    errors: dict[str, object] = {}
    for name, value in (("approver", approver), ("case_number", case_number), ("reason", reason)):
        limit = max_length_of(CaseLead, "decline_reason" if name == "reason" else name)
        if len(value) > limit:
            errors[name] = _("At most %(n)d characters.") % {"n": limit}
    if move.needs_approval:
        if not approver and "approver" not in errors:
            errors["approver"] = _("Name the head of the bureau who approved opening the case (立案审批).")
        if approved_on is None:
            errors["approved_on"] = _("Give the date the case was approved.")
        elif approved_on > today:
            errors["approved_on"] = _("The approval date cannot be in the future.")
        elif approved_on < current.raised_on:
            errors["approved_on"] = _("The approval date cannot be before the lead was raised (%(d)s).") % {
                "d": current.raised_on.isoformat()
            }
    if move.needs_reason:
        if ground not in DeclineGround.values:
            errors["ground"] = _("Choose the ground for not opening a case.")
        if not reason and "reason" not in errors:
            errors["reason"] = _("Say why no case is opened.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(current)
    current.state = move.target
    current.decided_by = actor
    current.decided_at = timezone.now()
    if move.needs_approval:
        current.approver, current.approved_on, current.case_number = approver, approved_on, case_number
    if move.needs_reason:
        current.decline_ground, current.decline_reason = ground, reason
    current.version += 1
    current.save()
    hazard = current.hazard
    if move.needs_approval:
        note = _("Approved by %(who)s on %(d)s") % {"who": approver, "d": approved_on.isoformat()}
        if case_number:
            note += _(", case number %(n)s") % {"n": case_number}
        _apply(actor=actor, hazard=hazard, action="escalate", note=note, by_lead=True, on=approved_on)
        _notify_business(hazard, _("A case has been opened (立案) about “%(t)s”.") % {"t": hazard.title})
    else:
        note = f"{current.get_decline_ground_display()}: {reason}"
        _event(hazard, actor=actor, action="lead_declined", from_state=hazard.state, note=note)
    audit(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=current,
        changes=diff(before, snapshot(current)),
        note=f"{action}: {note}",
    )
    return current


@transaction.atomic
def incident_create(
    *,
    actor: User | None,
    business: Business,
    occurred_on: dt.date,
    title: str,
    description: str = "",
    diners_affected: int | None = None,
    ill_count: int | None = None,
    level: str = "",
    source: str = "other",
) -> Incident:
    """Record a food-safety incident (食品安全事故, Food Safety Law Art. 150) at ``business``."""
    policy.check(actor, ADD, "hazards.incident")
    policy.check(actor, VIEW, business)  # a business outside the actor's area: the same 404 as a missing one
    incident = Incident(
        business=business,
        occurred_on=occurred_on,
        title=title,
        description=description,
        diners_affected=diners_affected,
        ill_count=ill_count,
        level=level or "",
        source=source,
        reported_by=actor if actor and actor.pk else None,
    )
    incident.full_clean()
    errors = {}
    people = [(diners_affected, "diners_affected"), (ill_count, "ill_count")]
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("An incident cannot have occurred in the future.")
    checks = [(validate_recorded_day, occurred_on, "occurred_on", {})]  # within a year, not ahead
    checks += [(validate_range, n, f, {"minimum": 0, "maximum": PEOPLE_MAX}) for n, f in people]
    for check, value, name, bounds in checks:
        try:
            check(value, field=name, **bounds)
        except ValidationError as exc:
            errors.setdefault(name, exc.message_dict[name][0])
    if diners_affected is not None and ill_count is not None and ill_count > diners_affected:
        errors["ill_count"] = _("More people ill (%(ill)d) than diners exposed (%(n)d).") % {
            "ill": ill_count,
            "n": diners_affected,
        }
    if errors:
        raise ValidationError(errors)
    incident.save()
    assert_in_scope(actor, incident, ADD)
    audit(actor=actor, action=AuditAction.CREATE, obj=incident, changes=diff({}, snapshot(incident)))
    return incident
