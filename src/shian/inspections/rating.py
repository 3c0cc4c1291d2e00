"""The catering quantified grading (量化分级), derived from inspection results.

Dynamic level (优秀 big smile / 良好 smile / 一般 neutral face) from the latest closed inspection; annual
level A/B/C from the average score over the last 12 months. The level follows the inspection's
conclusion: a 不符合 inspection gives at most the policy's ``best_level_nonconform`` (一般), a 基本符合 one
at most ``best_level_basically``, whatever its score — its rated score is held below the next level's band,
and the annual average takes the rated scores. No dynamic level for some months after a new licence or
after a recorded food-safety incident (食品安全事故, Food Safety Law Art. 150: ``hazards`` keeps them; an
escalated hazard is not an incident), and no level when too many key items failed. All thresholds are the
RatingPolicy and RatingBand tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from shian.registry.choices import BusinessType
from shian.registry.models import Business

from .models import Conclusion, Inspection, InspectionState, RatedLevel, RatingBand, RatingPolicy

# the catering units the grading covers (SFDA 2012: 餐馆、快餐店、小吃店、饮品店、食堂、
# 集体用餐配送单位和中央厨房)
RATED_TYPES = {
    BusinessType.CATERING,
    BusinessType.TAKEOUT,
    BusinessType.SCHOOL_CANTEEN,
    BusinessType.KINDERGARTEN_CANTEEN,
    BusinessType.ELDERLY_CANTEEN,
    BusinessType.OTHER_CANTEEN,
    BusinessType.CENTRAL_KITCHEN,
    BusinessType.GROUP_MEAL,
}
STEP = Decimal("0.1")  # the score's precision (Inspection.score has one decimal place)
FACES = {"excellent": "😀", "good": "🙂", "fair": "😐"}


def inspection_score(key_failures: int, general_failures: int, policy: RatingPolicy | None = None) -> Decimal:
    policy = policy or RatingPolicy.objects.first()
    score = Decimal(100) - policy.key_deduction * key_failures - policy.general_deduction * general_failures
    return max(Decimal(0), score)


def _band(kind: str, score: Decimal | None) -> RatingBand | None:
    if score is None:
        return None
    return RatingBand.objects.filter(kind=kind, min_score__lte=score).order_by("-min_score").first()


def rated_score(score: Decimal, conclusion: str, policy: RatingPolicy, bands: list[RatingBand]) -> Decimal:
    """The score as the grading counts it: held just below the band above the best level the conclusion
    allows (``bands``: the dynamic bands, best first). A 不符合 inspection scoring 90 counts 74.9 when its
    best level is 一般, 59.9 when it is no level."""
    best = policy.best_level(conclusion)
    if best == RatedLevel.EXCELLENT or not bands:
        return score
    if best == RatedLevel.NONE:
        ceiling = bands[-1].min_score - STEP
    else:
        index = next((i for i, b in enumerate(bands) if b.level == best), None)
        if index is None:  # a level no band has: no level
            ceiling = bands[-1].min_score - STEP
        elif index == 0:
            return score
        else:
            ceiling = bands[index - 1].min_score - STEP
    return min(score, ceiling)


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
    from shian.hazards.selectors import latest_incident_on

    if business.type not in RATED_TYPES:
        return Rating(rated=False)
    today = today or timezone.localdate()
    policy = RatingPolicy.objects.first()
    bands = list(RatingBand.objects.filter(kind=RatingBand.Kind.DYNAMIC).order_by("-min_score"))
    closed = Inspection.objects.filter(business=business, state=InspectionState.CLOSED, score__isnull=False)
    latest = closed.order_by("-inspected_on", "-id").first()
    year = list(closed.filter(inspected_on__gte=today - dt.timedelta(days=365)).values_list("score", "conclusion"))
    rating = Rating(rated=True, inspections_12m=len(year))
    if latest:
        rating.last_score, rating.last_inspected_on = latest.score, latest.inspected_on
    newest_licence = business.licences.order_by("-issued_on").values_list("issued_on", flat=True).first()
    incident_on = latest_incident_on(business)
    if latest is None:
        rating.dynamic_reason = _("no inspection yet")
    elif newest_licence and newest_licence > _months_ago(policy.months_after_new_licence, today):
        rating.dynamic_reason = _("new licence (within %(m)d months)") % {"m": policy.months_after_new_licence}
    elif incident_on and incident_on > _months_ago(policy.months_after_incident, today):
        rating.dynamic_reason = _("food-safety incident on %(d)s (within %(m)d months)") % {
            "d": incident_on.isoformat(),
            "m": policy.months_after_incident,
        }
    elif latest.key_failures >= policy.no_level_key_failures:
        rating.dynamic_reason = _("%(n)d key items failed") % {"n": latest.key_failures}
    else:
        score = rated_score(latest.score, latest.conclusion, policy, bands)
        band = _band(RatingBand.Kind.DYNAMIC, score)
        if band:
            rating.dynamic_level, rating.dynamic_label, rating.face = band.level, band.label, FACES.get(band.level, "")
            if score < latest.score:
                rating.dynamic_reason = _("at most %(level)s: the inspection concluded “%(c)s”") % {
                    "level": band.label,
                    "c": Conclusion(latest.conclusion).label,
                }
        elif score < latest.score:
            rating.dynamic_reason = _("the inspection concluded “%(c)s”") % {"c": Conclusion(latest.conclusion).label}
        else:
            rating.dynamic_reason = _("score below the lowest level")
    if year:
        rated = [rated_score(score, conclusion, policy, bands) for score, conclusion in year]
        rating.annual_average = (sum(rated) / len(rated)).quantize(STEP)
        band = _band(RatingBand.Kind.ANNUAL, rating.annual_average)
        rating.annual_level = band.level if band else None
    return rating
