"""Inspection reads."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet
from django.utils import timezone

from shian.core.models import User
from shian.core.scoping import VIEW

from .models import Conclusion, Inspection, InspectionState


def inspection_list(
    user: User, *, business_id: int | None = None, conclusion: str | None = None, state: str | None = None
) -> QuerySet[Inspection]:
    qs = Inspection.objects.restrict(user, VIEW).select_related("business", "inspector", "template")
    if business_id:
        qs = qs.filter(business_id=business_id)
    if conclusion:
        qs = qs.filter(conclusion=conclusion)
    if state:
        qs = qs.filter(state=state)
    return qs


def _closed_in_year(conclusion: str, business_ids: list[int] | None, as_of: dt.date | None) -> dict[int, float]:
    """Closed inspections with this conclusion in the 365 days up to ``as_of`` (today when None)."""
    day = as_of or timezone.localdate()
    qs = Inspection.objects.filter(
        state=InspectionState.CLOSED,
        conclusion=conclusion,
        inspected_on__gt=day - dt.timedelta(days=365),
        inspected_on__lte=day,
    )
    if business_ids is not None:
        qs = qs.filter(business_id__in=business_ids)
    return {r["business_id"]: float(r["n"]) for r in qs.values("business_id").annotate(n=Count("id"))}


def indicator_nonconform_12m(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    return _closed_in_year(Conclusion.NONCONFORM, business_ids, as_of)


def indicator_basically_12m(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    return _closed_in_year(Conclusion.BASICALLY, business_ids, as_of)
