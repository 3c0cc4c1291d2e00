"""Hazard reads and KPIs, always within the user's scope."""

from __future__ import annotations

import datetime as dt
import statistics

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from shian.core.models import User
from shian.core.rollup import RegionTally, child_level, pct
from shian.core.scoping import VIEW

from .choices import HazardState
from .models import Hazard, HazardEvent, Notification

ACTIVE = [HazardState.FOUND, HazardState.ORDERED, HazardState.RECTIFYING, HazardState.EVIDENCE_SUBMITTED]


def hazard_list(
    user: User,
    *,
    state: str | None = None,
    severity: str | None = None,
    overdue: bool = False,
    business_id: int | None = None,
    q: str | None = None,
) -> QuerySet[Hazard]:
    qs = Hazard.objects.restrict(user, VIEW).select_related("business")
    if state == "open":
        qs = qs.filter(state__in=[*ACTIVE, HazardState.VERIFIED])
    elif state:
        qs = qs.filter(state=state)
    if severity:
        qs = qs.filter(severity=severity)
    if overdue:
        qs = qs.filter(state__in=ACTIVE, deadline__lt=timezone.localdate())
    if business_id:
        qs = qs.filter(business_id=business_id)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(business__name__icontains=q))
    return qs.order_by("deadline", "-found_on", "id") if overdue else qs


def hazard_kpis(user: User) -> dict:
    """Open and overdue counts (overall and by sub-region), the on-time closure rate and the median days
    to close.

    整改按期闭环率 (on-time closure rate) = hazards closed by rectification on or before their deadline
    (never escalated) ÷ hazards whose loop has ended (closed, or escalated to a case and not yet closed).
    A hazard escalated for being overdue counts against the rate, closed later or not."""
    today = timezone.localdate()
    qs = Hazard.objects.restrict(user, VIEW)
    closed = qs.filter(state=HazardState.CLOSED, closed_on__isnull=False)
    closed_rows = list(closed.values_list("found_on", "closed_on", "deadline", "escalated_on"))
    on_time = sum(1 for _f, c, d, e in closed_rows if e is None and (d is None or c <= d))
    still_escalated = qs.filter(state=HazardState.ESCALATED).count()
    days = [(c - f).days for f, c, _d, _e in closed_rows]
    counts = qs.aggregate(
        open=Count("id", filter=Q(state__in=[*ACTIVE, HazardState.VERIFIED])),
        overdue=Count("id", filter=Q(state__in=ACTIVE, deadline__lt=today)),
        escalated=Count("id", filter=Q(state=HazardState.ESCALATED)),
    )
    level = child_level(user)
    per_path = (
        qs.filter(state__in=[*ACTIVE, HazardState.VERIFIED])
        .values(path=F("business__region_path"))
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(state__in=ACTIVE, deadline__lt=today)))
    )
    by_region = RegionTally(level=level, width=2)
    by_region.add_rows(per_path, "path", "open", "overdue")
    return {
        **counts,
        "closed": len(closed_rows),
        "ended": len(closed_rows) + still_escalated,
        "on_time": on_time,
        "on_time_rate": pct(on_time, len(closed_rows) + still_escalated),
        "median_days_to_close": statistics.median(days) if days else None,
        "by_region": sorted(
            (
                {"code": r["code"], "name": r["name"], "open": r["values"][0], "overdue": r["values"][1]}
                for r in by_region.rows()
            ),
            key=lambda r: -r["overdue"],
        ),
    }


def unread_notifications(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True).select_related("hazard")


# --- indicators for other modules (core.indicators) -------------------------------------------
def _count_by_business(qs, business_ids: list[int] | None) -> dict[int, float]:
    if business_ids is not None:
        qs = qs.filter(business_id__in=business_ids)
    return {r["business_id"]: float(r["n"]) for r in qs.values("business_id").annotate(n=Count("id"))}


def _open_at(day: dt.date) -> Q:
    """Open at the end of ``day``, from the hazard's dates: found by then, not yet closed or escalated."""
    return Q(found_on__lte=day) & ~Q(closed_on__lte=day) & ~Q(escalated_on__lte=day)


def _open(as_of: dt.date | None) -> Q:
    return _open_at(as_of) if as_of is not None else Q(state__in=[*ACTIVE, HazardState.VERIFIED])


def indicator_open(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    return _count_by_business(Hazard.objects.filter(_open(as_of)), business_ids)


def indicator_open_serious(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    return _count_by_business(Hazard.objects.filter(_open(as_of), severity="serious"), business_ids)


def indicator_overdue(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    if as_of is not None:  # open, past its deadline and not yet verified on that day
        verified = HazardEvent.objects.filter(hazard=OuterRef("pk"), action="verify", at__date__lte=as_of)
        qs = Hazard.objects.filter(_open_at(as_of), deadline__lt=as_of).exclude(Exists(verified))
        return _count_by_business(qs, business_ids)
    qs = Hazard.objects.filter(state__in=ACTIVE, deadline__lt=timezone.localdate())
    return _count_by_business(qs, business_ids)


def indicator_escalated_12m(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    day = as_of or timezone.localdate()
    qs = Hazard.objects.filter(escalated_on__gt=day - dt.timedelta(days=365), escalated_on__lte=day)
    return _count_by_business(qs, business_ids)


def hazards_raised_by(user: User, origin: str) -> QuerySet[Hazard]:
    """The hazards a record raised (its ``origin`` reference), as far as ``user`` may see them."""
    return Hazard.objects.restrict(user, VIEW).filter(origin=origin).order_by("-severity", "pk")
