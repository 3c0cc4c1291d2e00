"""Risk-grading API: grades, a business's grade with its history, the distribution, recompute."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from shian.core.api import AUTH, JobOut, job_out
from shian.core.policy import CHANGE, VIEW, get_object_for_user, operation
from shian.registry.models import Business

from . import selectors
from .models import BusinessGrade

router = Router(tags=["supervision"], auth=AUTH)


class GradeOut(Schema):
    business_id: int
    grade: str
    score: Decimal
    static_points: Decimal
    dynamic_points: Decimal
    reasons: list[dict]
    key_supervision: bool = Field(
        description="Under 重点监督检查 (SAMR Order 49 Art. 22), by the key-supervision rules of the rule set"
    )
    key_reasons: list[dict] = Field(description="The key-supervision rules that apply: rule id and label")
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
    key_supervision: int
    inspections_min: int
    inspections_max: int


class DistributionOnDayOut(Schema):
    day: dt.date
    totals: dict[str, int]
    graded: int


@router.get("/grades", response=list[GradeOut])
@paginate(LimitOffsetPagination)
@operation(VIEW, "supervision.businessgrade")
def grade_list(
    request,
    grade: str | None = None,
    q: str | None = None,
    key_supervision: bool | None = None,
):
    return selectors.grade_list(request.user, grade=grade, q=q, key_supervision=key_supervision)


@router.get("/grades/distribution", response=DistributionOut)
@operation(VIEW, "supervision.businessgrade")
def grade_distribution(request):
    d = selectors.grade_distribution(request.user)
    return {
        "rule_set": d["rule_set"].code if d["rule_set"] else None,
        "graded": d["graded"],
        "totals": dict(d["totals"]),
        "key_supervision": d["key_supervision"],
        "inspections_min": d["inspections_min"],
        "inspections_max": d["inspections_max"],
    }


@router.get(
    "/grades/distribution/history",
    response=list[DistributionOnDayOut],
    summary="Grades held at the end of each of the last year ends (and today), from the grade history",
)
@operation(VIEW, "supervision.businessgrade")
def grade_distribution_history(request, years: int = Query(3, ge=1, le=20)):
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
@operation(VIEW, "supervision.businessgrade", obj={"business_id": "registry.business"})
def business_grade(request, business_id: int):
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
    response={202: JobOut},
    summary="Regrade every business now, or as of a past day to extend grade history (city administrators)",
)
@operation(CHANGE, "supervision.riskruleset")
def recompute(request, as_of: dt.date | None = None):
    """Queues the regrade as a background job (202): poll ``GET /api/jobs/{id}``; its ``result`` has the
    counts ``graded`` and ``changed``. An impossible ``as_of`` is refused at once (422). An
    ``Idempotency-Key`` header makes a retried request the same job."""
    from .tasks import start_regrade

    key = request.headers.get("Idempotency-Key", "")[:200]
    return Status(202, job_out(start_regrade(actor=request.user, as_of=as_of, trigger="api", key=key)))
