"""Risk-grading API: grades, a business's grade with its history, the distribution, recompute."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from shian.core.api import AUTH
from shian.core.scoping import CHANGE, VIEW, get_object_for_user, role_may
from shian.registry.models import Business

from . import selectors, services
from .models import BusinessGrade, RiskRuleSet

router = Router(tags=["supervision"], auth=AUTH)


class GradeOut(Schema):
    business_id: int
    grade: str
    score: Decimal
    static_points: Decimal
    dynamic_points: Decimal
    reasons: list[dict]
    computed_at: dt.datetime


class GradeChangeOut(Schema):
    old_grade: str
    new_grade: str
    score: Decimal
    reasons: list[dict]
    trigger: str
    at: dt.datetime


class BusinessGradeOut(Schema):
    current: GradeOut | None
    inspections_per_year_min: Decimal | None
    inspections_per_year_max: Decimal | None
    history: list[GradeChangeOut]


class DistributionOut(Schema):
    rule_set: str | None
    graded: int
    totals: dict[str, int]
    inspections_min: int
    inspections_max: int


class DistributionOnDayOut(Schema):
    day: dt.date
    totals: dict[str, int]
    graded: int


class RecomputeOut(Schema):
    graded: int
    changed: int


def _require_view(request):
    if not role_may(request.user, VIEW, BusinessGrade):
        raise PermissionDenied("your role may not view risk grades")


@router.get("/grades", response=list[GradeOut])
@paginate(LimitOffsetPagination)
def grade_list(request, grade: str | None = None, q: str | None = None):
    _require_view(request)
    return selectors.grade_list(request.user, grade=grade, q=q)


@router.get("/grades/distribution", response=DistributionOut)
def grade_distribution(request):
    _require_view(request)
    d = selectors.grade_distribution(request.user)
    return {
        "rule_set": d["rule_set"].code if d["rule_set"] else None,
        "graded": d["graded"],
        "totals": dict(d["totals"]),
        "inspections_min": d["inspections_min"],
        "inspections_max": d["inspections_max"],
    }


@router.get(
    "/grades/distribution/history",
    response=list[DistributionOnDayOut],
    summary="Grades held at the end of each of the last year ends (and today), from the grade history",
)
def grade_distribution_history(request, years: int = Query(3, ge=1, le=20)):
    _require_view(request)
    days = selectors.year_end_days(years)
    d = selectors.grade_distribution_on(request.user, days)
    return [
        {
            "day": r["day"],
            "totals": dict(zip([b.grade for b in d["bands"]], r["counts"], strict=True)),
            "graded": r["graded"],
        }
        for r in d["rows"]
    ]


@router.get("/businesses/{business_id}/grade", response=BusinessGradeOut)
def business_grade(request, business_id: int):
    _require_view(request)
    business = get_object_for_user(Business, request.user, VIEW, pk=business_id)
    current = BusinessGrade.objects.filter(business=business).select_related("rule_set").first()
    band = current.rule_set.bands.filter(grade=current.grade).first() if current else None
    return {
        "current": current,
        "inspections_per_year_min": band.inspections_min if band else None,
        "inspections_per_year_max": band.inspections_max if band else None,
        "history": list(selectors.grade_history(business.pk)[:100]),
    }


@router.post(
    "/grades/recompute",
    response=RecomputeOut,
    summary="Regrade every business now, or as of a past day to extend grade history (city administrators)",
)
def recompute(request, as_of: dt.date | None = None):
    if not role_may(request.user, CHANGE, RiskRuleSet):
        raise PermissionDenied("only city administrators may recompute grades")
    return services.grades_recompute(trigger="api", actor=request.user, as_of=as_of)
