"""The catering quantified grading (量化分级), derived from inspection results.

Dynamic level (优秀 big smile / 良好 smile / 一般 neutral face) from the latest closed inspection; annual
level A/B/C from the average score over the last 12 months. No dynamic level for some months after a
new licence or after a food-safety incident (here: a serious hazard escalated to a case), and no level
when too many key items failed. All thresholds are the RatingPolicy and RatingBand tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.registry.choices import BusinessType
from shian.registry.models import Business

from .models import Inspection, InspectionState, RatingBand, RatingPolicy

RATED_TYPES = {
    BusinessType.CATERING,
    BusinessType.TAKEOUT,
    BusinessType.SCHOOL_CANTEEN,
    BusinessType.ELDERLY_CANTEEN,
    BusinessType.CENTRAL_KITCHEN,
}
FACES = {"excellent": "😀", "good": "🙂", "fair": "😐"}


def inspection_score(key_failures: int, general_failures: int, policy: RatingPolicy | None = None) -> Decimal:
    policy = policy or RatingPolicy.objects.first()
    score = Decimal(100) - policy.key_deduction * key_failures - policy.general_deduction * general_failures
    return max(Decimal(0), score)


def _band(kind: str, score: Decimal | None) -> RatingBand | None:
    if score is None:
        return None
    return RatingBand.objects.filter(kind=kind, min_score__lte=score).order_by("-min_score").first()


def _months_ago(months: int, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=round(months * 30.44))


@dataclass
class Rating:
    rated: bool
    dynamic_level: str | None = None
    dynamic_label: str = ""
    face: str = ""
    dynamic_reason: str = ""
    last_score: Decimal | None = None
    last_inspected_on: dt.date | None = None
    annual_level: str | None = None
    annual_average: Decimal | None = None
    inspections_12m: int = 0


def rating_for(business: Business, today: dt.date | None = None) -> Rating:
    if business.type not in RATED_TYPES:
        return Rating(rated=False)
    today = today or timezone.localdate()
    policy = RatingPolicy.objects.first()
    closed = Inspection.objects.filter(business=business, state=InspectionState.CLOSED, score__isnull=False)
    latest = closed.order_by("-inspected_on", "-id").first()
    year = closed.filter(inspected_on__gte=today - dt.timedelta(days=365))
    rating = Rating(rated=True, inspections_12m=year.count())
    if latest:
        rating.last_score, rating.last_inspected_on = latest.score, latest.inspected_on
    newest_licence = business.licences.order_by("-issued_on").values_list("issued_on", flat=True).first()
    incident = business.hazards.filter(
        severity="serious", escalated_on__gte=_months_ago(policy.months_after_incident, today)
    ).exists()
    if latest is None:
        rating.dynamic_reason = _("no inspection yet")
    elif newest_licence and newest_licence > _months_ago(policy.months_after_new_licence, today):
        rating.dynamic_reason = _("new licence (within %(m)d months)") % {"m": policy.months_after_new_licence}
    elif incident:
        rating.dynamic_reason = _("food-safety incident (within %(m)d months)") % {"m": policy.months_after_incident}
    elif latest.key_failures >= policy.no_level_key_failures:
        rating.dynamic_reason = _("%(n)d key items failed") % {"n": latest.key_failures}
    else:
        band = _band(RatingBand.Kind.DYNAMIC, latest.score)
        if band:
            rating.dynamic_level, rating.dynamic_label, rating.face = band.level, band.label, FACES.get(band.level, "")
        else:
            rating.dynamic_reason = _("score below the lowest level")
    average = year.aggregate(a=Avg("score"))["a"]
    if average is not None:
        rating.annual_average = Decimal(average).quantize(Decimal("0.1"))
        band = _band(RatingBand.Kind.ANNUAL, rating.annual_average)
        rating.annual_level = band.level if band else None
    return rating
