"""Registry writes. Every function validates, writes, checks scope and audits in one transaction."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import audit, diff, snapshot
from shian.core.choices import AuditAction
from shian.core.concurrency import ConflictError as ConflictError  # re-exported for views and callers
from shian.core.concurrency import lock_current
from shian.core.models import Region, User
from shian.core.scoping import ADD, CHANGE, assert_in_scope

from .models import Business, BusinessAccount, Licence, Staff, StaffingRule
from .staffing import ATTRIBUTES, RuleBook, present_keys, true_attributes

BUSINESS_FIELDS = [
    "name",
    "uscc",
    "type",
    "scale",
    "diners_per_meal",
    "address",
    "region",
    "latitude",
    "longitude",
    "status",
    "imports_food",
    "chain_headquarters",
    "special_food",
    "canteen_outsourced",
    "legal_representative",
    "contact_phone",
]
LICENCE_FIELDS = ["kind", "number", "issued_on", "valid_until", "issuing_authority", "scope"]
STAFF_FIELDS = [
    "role",
    "name",
    "employer",
    "contractor_name",
    "phone",
    "id_number",
    "trained_on",
    "assessed_on",
    "assessment_passed",
    "active",
]


def _check_region(actor: User | None, region: Region | None) -> None:
    if actor is None or region is None:
        return
    if not Region.objects.restrict(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": _("Region %(name)s is outside your scope.") % {"name": region.name}})


def _apply(obj, fields: list[str], data: dict[str, Any]) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in data.items():
        setattr(obj, name, value)
    _check_names(data)


NAME_FIELDS = ("name", "legal_representative")  # names people read and search: no bidi, no homoglyph tricks


def _check_names(data: dict[str, Any]) -> None:
    from shian.core.validators import validate_name_text

    errors = {}
    for field in NAME_FIELDS:
        try:
            validate_name_text(data.get(field) or "")
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)


# --- businesses -------------------------------------------------------------------------------
@transaction.atomic
def business_create(*, actor: User | None, **data: Any) -> Business:
    business = Business()
    _apply(business, BUSINESS_FIELDS, data)
    _check_region(actor, data.get("region"))
    business.full_clean()
    business.save()
    assert_in_scope(actor, business, ADD)
    staffing_refresh(business_ids=[business.pk])
    business.refresh_from_db()
    audit(actor=actor, action=AuditAction.CREATE, obj=business, changes=diff({}, snapshot(business)))
    return business


@transaction.atomic
def business_update(
    *, actor: User | None, business: Business, expected_version: int | None = None, **data: Any
) -> Business:
    current = lock_current(
        business,
        expected_version,
        _(
            "This business was changed by someone else (version %(v)d) since you opened it; "
            "reload and apply your change again."
        ),
    )
    before = snapshot(current)
    _apply(current, BUSINESS_FIELDS, data)
    if "region" in data:
        _check_region(actor, data["region"])
    current.full_clean()
    changes = diff(before, snapshot(current))
    if not changes:
        return current
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    assert_in_scope(actor, current, CHANGE)
    staffing_refresh(business_ids=[current.pk])
    audit(actor=actor, action=AuditAction.UPDATE, obj=current, changes=changes)
    current.refresh_from_db()
    return current


@transaction.atomic
def business_delete(*, actor: User | None, business: Business) -> None:
    if business.accounts.exists():
        raise ValidationError(_("This business still has user accounts; deactivate or move them first."))
    for child in [*business.licences.all(), *business.staff.all()]:
        audit(
            actor=actor,
            action=AuditAction.DELETE,
            obj=child,
            changes=diff(snapshot(child), {}),
            note=_("deleted with business %(name)s") % {"name": business.name},
        )
    audit(actor=actor, action=AuditAction.DELETE, obj=business, changes=diff(snapshot(business), {}))
    try:
        with transaction.atomic():
            business.delete()
    except ProtectedError as exc:  # hazards, inspections, plans … keep their history
        kinds = sorted({str(o._meta.verbose_name_plural) for o in exc.protected_objects})
        raise ValidationError(
            _("This business has records that must be kept (%(kinds)s); set its status to deregistered instead.")
            % {"kinds": "、".join(kinds)}
        ) from None


# --- licences and staff: children of a business -----------------------------------------------
def _child_create(obj, fields: list[str], *, actor: User | None, data: dict[str, Any], after) -> Any:
    _apply(obj, fields, data)
    obj.full_clean()
    obj.save()
    assert_in_scope(actor, obj, ADD)
    after(obj)
    audit(actor=actor, action=AuditAction.CREATE, obj=obj, changes=diff({}, snapshot(obj)))
    return obj


def _child_update(obj, fields: list[str], *, actor: User | None, data: dict[str, Any], after) -> Any:
    before = snapshot(obj)
    _apply(obj, fields, data)
    obj.full_clean()
    changes = diff(before, snapshot(obj))
    if changes:
        obj.save()
        assert_in_scope(actor, obj, CHANGE)
        after(obj)
        audit(actor=actor, action=AuditAction.UPDATE, obj=obj, changes=changes)
    return obj


def _licence_changed(licence: Licence) -> None:
    Business.objects.filter(pk=licence.business_id).update(updated_at=timezone.now())


def _staff_changed(staff: Staff) -> None:
    staffing_refresh(business_ids=[staff.business_id])


@transaction.atomic
def licence_create(*, actor: User | None, business: Business, **data: Any) -> Licence:
    return _child_create(Licence(business=business), LICENCE_FIELDS, actor=actor, data=data, after=_licence_changed)


@transaction.atomic
def licence_update(*, actor: User | None, licence: Licence, **data: Any) -> Licence:
    return _child_update(licence, LICENCE_FIELDS, actor=actor, data=data, after=_licence_changed)


@transaction.atomic
def licence_delete(*, actor: User | None, licence: Licence) -> None:
    audit(actor=actor, action=AuditAction.DELETE, obj=licence, changes=diff(snapshot(licence), {}))
    licence.delete()


@transaction.atomic
def staff_create(*, actor: User | None, business: Business, **data: Any) -> Staff:
    return _child_create(Staff(business=business), STAFF_FIELDS, actor=actor, data=data, after=_staff_changed)


@transaction.atomic
def staff_update(*, actor: User | None, staff: Staff, **data: Any) -> Staff:
    return _child_update(staff, STAFF_FIELDS, actor=actor, data=data, after=_staff_changed)


@transaction.atomic
def staff_delete(*, actor: User | None, staff: Staff) -> None:
    business_id = staff.business_id
    audit(actor=actor, action=AuditAction.DELETE, obj=staff, changes=diff(snapshot(staff), {}))
    staff.delete()
    staffing_refresh(business_ids=[business_id])


# --- the 两员 staffing state ---------------------------------------------------------------------
def staffing_refresh(*, business_ids: list[int] | None = None, rules: RuleBook | None = None) -> int:
    """Recompute ``staffing_complete``/``staffing_missing`` for some businesses (or all). Returns how
    many changed. Called by every service that changes a business, its staff, or the rules."""
    rules = rules or RuleBook.load()
    if business_ids is None:
        return _staffing_refresh_chunk(Business.objects.all(), Staff.objects.filter(active=True), rules)
    changed = 0
    for i in range(0, len(business_ids), STAFFING_CHUNK):  # bounded IN (...) lists on every database
        chunk = business_ids[i : i + STAFFING_CHUNK]
        changed += _staffing_refresh_chunk(
            Business.objects.filter(pk__in=chunk), Staff.objects.filter(active=True, business_id__in=chunk), rules
        )
    return changed


STAFFING_CHUNK = 5000


def _staffing_refresh_chunk(businesses, staff, rules: RuleBook) -> int:
    present: dict[int, set[str]] = defaultdict(set)
    rows = staff.values_list("business_id", "role", "employer")
    for business_id, role, employer in rows.iterator(chunk_size=5000):
        present[business_id] |= present_keys([(role, employer)])
    changed = []
    rows = businesses.values_list(
        "pk", "type", "scale", "diners_per_meal", "staffing_complete", "staffing_missing", *ATTRIBUTES
    )
    for pk, btype, scale, diners, was_complete, was_missing, *flags in rows.iterator(chunk_size=5000):
        complete, missing = rules.evaluate(btype, scale, diners, present.get(pk, set()), true_attributes(flags))
        if complete != was_complete or missing != was_missing:
            changed.append(Business(pk=pk, staffing_complete=complete, staffing_missing=missing))
    Business.objects.bulk_update(changed, ["staffing_complete", "staffing_missing"], batch_size=2000)
    return len(changed)


@transaction.atomic
def staffing_rule_save(*, actor: User | None, rule: StaffingRule | None = None, **data: Any) -> StaffingRule:
    creating = rule is None
    rule = rule or StaffingRule()
    before = {} if creating else snapshot(rule)
    for name, value in data.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    audit(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        obj=rule,
        changes=diff(before, snapshot(rule)),
    )
    staffing_refresh()
    return rule


@transaction.atomic
def staffing_rule_delete(*, actor: User | None, rule: StaffingRule) -> None:
    audit(actor=actor, action=AuditAction.DELETE, obj=rule, changes=diff(snapshot(rule), {}))
    rule.delete()
    staffing_refresh()


# --- the account → business link ----------------------------------------------------------------
def account_link(*, user, business: Business | None) -> None:
    """Make ``user`` act for ``business``, or for none. Core calls this through scoping.link_business."""
    if business is None:
        BusinessAccount.objects.filter(user_id=user.pk).delete()
        return
    BusinessAccount.objects.update_or_create(user_id=user.pk, defaults={"business": business})
