"""Filing self-checks. A failed daily item, or a problem named in a weekly/monthly report, can raise
a hazard that then runs the closed loop."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.audit import audit, diff, snapshot
from shian.core.choices import AuditAction
from shian.core.models import User
from shian.core.scoping import ADD, assert_in_scope
from shian.hazards import services as hazard_services
from shian.hazards.choices import HazardSource
from shian.registry.models import Business

from .models import DailyItem, Kind, SelfCheck


def period_start(kind: str, day: dt.date) -> dt.date:
    if kind == Kind.WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    if kind == Kind.MONTHLY:
        return day.replace(day=1)
    return day


def daily_items(business: Business) -> list[DailyItem]:
    return daily_items_for_type(business.type)


def daily_items_for_type(business_type: str) -> list[DailyItem]:
    """The active daily checklist for a business type: the common items and the type's own."""
    return [i for i in DailyItem.objects.filter(active=True) if i.business_type in ("", business_type)]


@transaction.atomic
def selfcheck_file(
    *,
    actor: User,
    business: Business,
    kind: str,
    day: dt.date | None = None,
    failed_item_ids: list[int] | None = None,
    report: str = "",
    problems: int = 0,
    raise_hazards: bool = False,
) -> SelfCheck:
    day = day or timezone.localdate()
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind %(k)s.") % {"k": kind}})
    if day > timezone.localdate():
        raise ValidationError({"day": _("A self-check cannot be filed for a future date.")})
    start = period_start(kind, day)
    items = []
    failed = set(failed_item_ids or [])
    if kind == Kind.DAILY:
        checklist = daily_items(business)
        unknown = failed - {i.pk for i in checklist}
        if unknown:
            raise ValidationError(
                {"items": _("Items %(ids)s are not on this business's checklist.") % {"ids": sorted(unknown)}}
            )
        items = [{"id": i.pk, "text": i.text, "ok": i.pk not in failed} for i in checklist]
        problems = len(failed)
    elif problems and not report.strip():
        raise ValidationError({"report": _("Describe the problems found.")})
    record = SelfCheck(
        business=business, kind=kind, period_start=start, filed_by=actor, items=items, problems=problems, report=report
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError(
            _("The %(kind)s for %(p)s has already been filed.") % {"kind": Kind(kind).label, "p": start}
        ) from None
    assert_in_scope(actor, record, ADD)
    if raise_hazards:
        titles = [i["text"] for i in items if not i["ok"]] if kind == Kind.DAILY else [report[:200]] if problems else []
        for title in titles:
            hazard_services.hazard_create(
                actor=actor,
                business=business,
                title=title[:200],
                source=HazardSource.SELF_CHECK,
                found_on=day,
                description=_("Found in the %(kind)s of %(p)s.") % {"kind": Kind(kind).label, "p": start},
            )
    audit(actor=actor, action=AuditAction.CREATE, obj=record, changes=diff({}, snapshot(record)))
    return record
