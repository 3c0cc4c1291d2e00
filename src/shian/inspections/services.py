"""Inspection writes: start from a checklist, record item results, close. Closing computes the
conclusion by the result rule table, raises a hazard for every failed item (key items as major), and
regrades the business."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import audit, diff, snapshot
from shian.core.choices import AuditAction
from shian.core.concurrency import ConflictError as ConflictError  # re-exported for views and callers
from shian.core.concurrency import lock_current
from shian.core.files import IMAGES, clean_upload, png_from_data_url
from shian.core.limits import max_length_of
from shian.core.models import User
from shian.core.scoping import ADD, CHANGE, assert_in_scope
from shian.hazards import services as hazard_services
from shian.hazards.choices import HazardSource, Severity
from shian.registry.models import Business

from .models import ChecklistTemplate, Inspection, InspectionState, ItemPhoto, ItemResult, Outcome, ResultRule
from .planning import mark_done


def template_for(business: Business) -> ChecklistTemplate | None:
    return ChecklistTemplate.objects.filter(business_type=business.type, active=True).order_by("-version").first()


@transaction.atomic
def inspection_start(*, actor: User, business: Business, template: ChecklistTemplate | None = None) -> Inspection:
    template = template or template_for(business)
    if template is None:
        raise ValidationError(
            _("There is no active checklist for %(type)s businesses.") % {"type": business.get_type_display()}
        )
    inspection = Inspection.objects.create(business=business, template=template, inspector=actor)
    assert_in_scope(actor, inspection, ADD)
    ItemResult.objects.bulk_create([ItemResult(inspection=inspection, item=item) for item in template.items.all()])
    audit(actor=actor, action=AuditAction.CREATE, obj=inspection, note=str(template))
    return inspection


def _locked(inspection: Inspection, expected_version: int | None) -> Inspection:
    current = lock_current(
        inspection,
        expected_version,
        _(
            "This inspection was saved by someone else (version %(v)d) since you opened it; "
            "reload to see their changes."
        ),
    )
    if current.state != InspectionState.DRAFT:
        raise ValidationError(_("This inspection is closed and can no longer be changed."))
    return current


PHOTO_MAX_BYTES = 10 * 1024 * 1024
NOTE_MAX = max_length_of(ItemResult, "note")


def _check_length(field: str, value: str, model=Inspection) -> None:
    """Refuse a text longer than its column holds, naming the field (never cut it silently)."""
    limit = max_length_of(model, field)
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)d characters (this has %(m)d).") % {"n": limit, "m": len(value)}})


@transaction.atomic
def inspection_record(
    *,
    actor: User,
    inspection: Inspection,
    results: dict[int, dict[str, Any]],
    expected_version: int | None = None,
    photos: dict[int, list] | None = None,
) -> Inspection:
    """Save item outcomes: ``{item_id: {"outcome": "pass"|"fail"|"na"|"pending", "note": str}}``."""
    current = _locked(inspection, expected_version)
    rows = {r.item_id: r for r in current.results.all()}
    unknown = set(results) - set(rows)
    if unknown:
        raise ValidationError(_("Items %(ids)s are not on this checklist.") % {"ids": sorted(unknown)})
    changed = []
    for item_id, value in results.items():
        outcome = value.get("outcome", Outcome.PENDING)
        if outcome not in Outcome.values:
            raise ValidationError({f"item_{item_id}": _("Unknown outcome %(o)s.") % {"o": outcome}})
        row = rows[item_id]
        note = value.get("note") or ""
        if len(note) > NOTE_MAX:
            raise ValidationError(
                {
                    f"note_{item_id}": _("A note may be at most %(n)d characters (this one has %(m)d).")
                    % {"n": NOTE_MAX, "m": len(note)}
                }
            )
        if (row.outcome, row.note) != (outcome, note):
            row.outcome, row.note = outcome, note
            changed.append(row)
    ItemResult.objects.bulk_update(changed, ["outcome", "note"])
    stored = 0
    for item_id, uploads in (photos or {}).items():
        if item_id not in rows:
            raise ValidationError(_("Items %(ids)s are not on this checklist.") % {"ids": [item_id]})
        for upload in uploads:
            # re-encoded (no EXIF/GPS), stored under a server-chosen name with the detected type's extension
            clean = clean_upload(upload, allowed=IMAGES, max_bytes=PHOTO_MAX_BYTES, field=f"photo_{item_id}")
            photo = ItemPhoto(
                result=rows[item_id],
                content_type=clean.content_type,
                size=clean.size,
                uploaded_by=actor if actor and actor.pk else None,
            )
            named = clean.as_file()
            photo.file.save(named.name, named, save=False)
            photo.save()
            stored += 1
    current.version += 1
    current.save(update_fields=["version"])
    assert_in_scope(actor, current, CHANGE)
    if changed or stored:
        audit(
            actor=actor, action=AuditAction.UPDATE, obj=current, note=f"{len(changed)} items recorded, {stored} photos"
        )
    return current


def conclude(key_failures: int, general_failures: int) -> str:
    for rule in ResultRule.objects.order_by("order"):
        if key_failures <= rule.max_key_failures and general_failures <= rule.max_general_failures:
            return rule.conclusion
    raise ValidationError(
        _("No result rule covers %(k)d key and %(g)d general failures.") % {"k": key_failures, "g": general_failures}
    )


@transaction.atomic
def inspection_close(
    *,
    actor: User,
    inspection: Inspection,
    summary: str = "",
    representative: str = "",
    expected_version: int | None = None,
    inspector_signature: str = "",
    representative_signature: str = "",
    regrade: bool = True,
) -> Inspection:
    """Close an inspection: conclusion and score, a hazard per failed item, and (unless ``regrade`` is
    False, for a caller that grades many businesses afterwards) the business regraded by a background job."""
    _check_length("summary", summary)
    _check_length("representative", representative)
    current = _locked(inspection, expected_version)
    results = list(current.results.select_related("item"))
    pending = [r for r in results if r.outcome == Outcome.PENDING]
    if pending:
        raise ValidationError(
            _("%(n)d items are not checked yet (first: %(item)s).") % {"n": len(pending), "item": pending[0].item.text}
        )
    before = snapshot(current)
    for field, value in (
        ("inspector_signature", inspector_signature),
        ("representative_signature", representative_signature),
    ):
        if value:  # drawn on the screen: a PNG data URL
            image = png_from_data_url(value, name=f"{current.pk}-{field}.png", field=field)
            getattr(current, field).save(image.name, image, save=False)
    failed = [r for r in results if r.outcome == Outcome.FAIL]
    current.key_failures = sum(1 for r in failed if r.item.is_key)
    current.general_failures = len(failed) - current.key_failures
    current.conclusion = conclude(current.key_failures, current.general_failures)
    from .rating import inspection_score

    current.score = inspection_score(current.key_failures, current.general_failures)
    current.summary, current.representative = summary, representative
    current.state, current.closed_at = InspectionState.CLOSED, timezone.now()
    current.version += 1
    current.save()
    mark_done(business_ids=[current.business_id])
    for r in failed:
        hazard_services.hazard_create(
            actor=actor,
            business=current.business,
            title=failed_item_title(r.item.text, r.note),
            source=HazardSource.INSPECTION,
            origin=f"inspections.inspection:{current.pk}",
            severity=Severity.MAJOR if r.item.is_key else Severity.GENERAL,
            found_on=current.inspected_on,
            description=(
                _("Inspection of %(d)s, item %(n)d (%(item)s) not met: %(note)s")
                if r.note.strip()
                else _("Inspection of %(d)s, item %(n)d (%(item)s) not met.")
            )
            % {"d": current.inspected_on, "n": r.item.order, "item": r.item.text, "note": r.note.strip()},
        )
    audit(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=current,
        changes=diff(before, snapshot(current)),
        note=f"closed: {current.conclusion}",
    )
    if regrade:  # a background job: the close stands even if grading fails (a visible failed job)
        from shian.supervision.tasks import regrade_later

        regrade_later(business=current.business, actor=actor, trigger="inspection closed")
    return current


def failed_item_title(requirement: str, note: str) -> str:
    """A hazard from a failed checklist item is named by the defect, not by the requirement: the
    inspector's note when there is one, then "not met" and the item (待整改 reads the defect first)."""
    note = note.strip()
    if note:
        text = _("%(note)s (not met: %(item)s)") % {"note": note, "item": requirement}
    else:
        text = _("Not met: %(item)s") % {"item": requirement}
    return text[:200]
