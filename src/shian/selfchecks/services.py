"""Filing self-checks. A failed daily item, or a problem named in a weekly/monthly report, can raise
a hazard that then runs the closed loop."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import checklists
from shian.core.audit import audit, diff, snapshot
from shian.core.choices import AuditAction
from shian.core.limits import max_length_of
from shian.core.models import User
from shian.core.scoping import ADD, assert_in_scope
from shian.core.validators import (
    PROBLEMS_MAX,
    SELFCHECK_BACKFILL_DAYS,
    days_ago,
    validate_date_window,
    validate_range,
)
from shian.hazards import services as hazard_services
from shian.hazards.choices import HazardSource
from shian.registry.models import Business

from .models import DailyItem, Kind, SelfCheck
from .periods import period_end, period_label, period_start


def daily_items(business: Business) -> list[DailyItem]:
    return daily_items_for_type(business.type)


def daily_items_for_type(business_type: str) -> list[DailyItem]:
    """The active daily checklist for a business type: the common items and the type's own."""
    return [i for i in DailyItem.objects.filter(active=True) if i.applies_to(business_type)]


def daily_checklist(business: Business) -> list[checklists.Item]:
    """The daily-control items as the shared checklist takes them (registered in core.checklists as
    "selfchecks.daily": a 包保 visit answers the same items)."""
    return [checklists.Item(id=i.pk, order=n, text=i.text) for n, i in enumerate(daily_items(business), 1)]


def _problem_title(text: str, note: str) -> str:
    """A hazard from a 否 item names the defect: the note when there is one, then "not met" and the item."""
    note = note.strip()
    if note:
        return _("%(note)s (not met: %(item)s)") % {"note": note, "item": text}
    return _("Not met: %(item)s") % {"item": text}


@transaction.atomic
def selfcheck_file(
    *,
    actor: User,
    business: Business,
    kind: str,
    day: dt.date | None = None,
    failed_item_ids: list[int] | None = None,
    answers: dict[int, str] | None = None,
    notes: dict[int, str] | None = None,
    all_ok: bool = False,
    report: str = "",
    problems: int = 0,
    raise_hazards: bool = False,
) -> SelfCheck:
    """File a check. A daily check is answered item by item: ``answers`` ``{item id: "yes"|"no"|"na"}``
    must cover every item unless ``all_ok`` (全部符合: the rest are 是); ``notes`` say what is wrong with a
    否 item. The older form, ``failed_item_ids`` alone, files the other items as 是. With
    ``raise_hazards`` each 否 item becomes a hazard."""
    today = timezone.localdate()
    day = day or today
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind %(k)s.") % {"k": kind}})
    if day > today:
        raise ValidationError({"day": _("A self-check cannot be filed for a future date.")})
    validate_date_window(
        day,
        field="day",
        earliest=days_ago(SELFCHECK_BACKFILL_DAYS, today),
        earliest_reason=_(
            "A self-check is filed within %(n)d days of its day, week or month; older ones cannot be added."
        )
        % {"n": SELFCHECK_BACKFILL_DAYS},
    )
    if problems < 0:
        raise ValidationError({"problems": _("The number of problems cannot be negative.")})
    validate_range(problems, field="problems", minimum=0, maximum=PROBLEMS_MAX)
    report_max = max_length_of(SelfCheck, "report")
    if len(report) > report_max:
        raise ValidationError(
            {"report": _("At most %(n)d characters (this has %(m)d).") % {"n": report_max, "m": len(report)}}
        )
    for item_id, note in (notes or {}).items():
        if len((note or "").strip()) > checklists.NOTE_MAX:
            raise ValidationError(
                {
                    f"notes.{item_id}": _("A note may be at most %(n)d characters (this one has %(m)d).")
                    % {"n": checklists.NOTE_MAX, "m": len(note.strip())}
                }
            )
    start = period_start(kind, day)
    items = []
    failed = set(failed_item_ids or [])
    if kind == Kind.DAILY:
        checklist = daily_checklist(business)
        unknown = failed - {i.id for i in checklist}
        if unknown:
            raise ValidationError(
                {"items": _("Items %(ids)s are not on this business's checklist.") % {"ids": sorted(unknown)}}
            )
        given = dict(answers or {})
        given.update({i: checklists.NO for i in failed})
        complete = checklists.complete(checklist, given, all_ok=all_ok or answers is None)
        notes = notes or {}
        items = []
        for i in checklist:
            row = {"id": i.id, "text": i.text, "ok": complete[i.id] != checklists.NO, "answer": complete[i.id]}
            if complete[i.id] == checklists.NO and (notes.get(i.id) or "").strip():
                row["note"] = notes[i.id].strip()
            items.append(row)
        problems = sum(1 for row in items if not row["ok"])
    elif problems and not report.strip():
        raise ValidationError({"report": _("Describe the problems found.")})
    record = SelfCheck(
        business=business,
        kind=kind,
        period_start=start,
        filed_by=actor,
        items=items,
        problems=problems,
        report=report,
        filed_late=today > period_end(kind, start),  # after its day, week or month: shown as late
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError(
            _("The %(kind)s for %(p)s has already been filed.")
            % {"kind": Kind(kind).label, "p": period_label(kind, start)}
        ) from None
    assert_in_scope(actor, record, ADD)
    if raise_hazards:
        if kind == Kind.DAILY:
            titles = [_problem_title(i["text"], i.get("note", "")) for i in items if not i["ok"]]
        else:
            titles = [report[:200]] if problems else []
        for title in titles:
            hazard_services.hazard_create(
                actor=actor,
                business=business,
                title=title[:200],
                source=HazardSource.SELF_CHECK,
                origin=f"selfchecks.selfcheck:{record.pk}",
                found_on=day,
                description=_("Found in the %(kind)s of %(p)s.")
                % {"kind": Kind(kind).label, "p": period_label(kind, start)},
            )
    audit(actor=actor, action=AuditAction.CREATE, obj=record, changes=diff({}, snapshot(record)))
    return record
