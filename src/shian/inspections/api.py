"""Inspection API: start, record item results, close, read, PDF."""

import datetime as dt
from typing import Annotated

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import ConfigDict

from shian.core.api import AUTH, JobOut, job_out
from shian.core.limits import SIGNATURE_MAX_LENGTH, stored_in
from shian.core.policy import ADD, CHANGE, VIEW, get_object_for_user, operation
from shian.core.validators import validate_range
from shian.registry.models import Business

from . import selectors, services
from .models import Inspection, ItemResult, Outcome
from .pdf import inspection_pdf

router = Router(tags=["inspections"], auth=AUTH)


class ItemOut(Schema):
    item_id: int
    order: int
    section: str
    text: str
    is_key: bool
    outcome: Outcome
    note: str


class InspectionOut(Schema):
    id: int
    business_id: int
    template: str
    inspected_on: dt.date
    state: str
    conclusion: str
    key_failures: int
    general_failures: int
    summary: str
    version: int


class InspectionDetailOut(InspectionOut):
    items: list[ItemOut]


class StartIn(Schema):
    business_id: int


class ItemIn(Schema):
    item_id: int
    outcome: Outcome
    note: Annotated[str, stored_in(ItemResult, "note")] = ""


class RecordIn(Schema):
    version: int | None = None
    results: list[ItemIn]


Signature = Annotated[str, Field(max_length=SIGNATURE_MAX_LENGTH, description="data:image/png;base64,… (≤ 1 MB)")]


class CloseIn(Schema):
    version: int | None = None
    summary: Annotated[str, stored_in(Inspection, "summary")] = ""
    representative: Annotated[str, stored_in(Inspection, "representative")] = ""
    inspector_signature: Signature = ""  # drawn on the screen
    representative_signature: Signature = ""


def _out(i: Inspection) -> dict:
    return {
        "id": i.pk,
        "business_id": i.business_id,
        "template": str(i.template),
        "inspected_on": i.inspected_on,
        "state": i.state,
        "conclusion": i.conclusion,
        "key_failures": i.key_failures,
        "general_failures": i.general_failures,
        "summary": i.summary,
        "version": i.version,
    }


def _detail(i: Inspection) -> dict:
    items = [
        {
            "item_id": r.item_id,
            "order": r.item.order,
            "section": r.item.section,
            "text": r.item.text,
            "is_key": r.item.is_key,
            "outcome": r.outcome,
            "note": r.note,
        }
        for r in i.results.select_related("item")
    ]
    return _out(i) | {"items": items}


@router.get("/inspections", response=list[InspectionOut])
@paginate(LimitOffsetPagination)
@operation(VIEW, "inspections.inspection")
def inspection_list(request, business_id: int | None = None, conclusion: str | None = None):
    return [_out(i) for i in selectors.inspection_list(request.user, business_id=business_id, conclusion=conclusion)]


@router.post("/inspections", response={201: InspectionDetailOut}, summary="Start an inspection (its checklist)")
@operation(ADD, "inspections.inspection", body={"business_id": "registry.business"})
def inspection_start(request, payload: StartIn):
    business = get_object_for_user(Business, request.user, VIEW, pk=payload.business_id)
    return Status(201, _detail(services.inspection_start(actor=request.user, business=business)))


@router.get("/inspections/{inspection_id}", response=InspectionDetailOut)
@operation(VIEW, "inspections.inspection", obj="inspection_id")
def inspection_get(request, inspection_id: int):
    return _detail(get_object_for_user(Inspection, request.user, VIEW, pk=inspection_id))


@router.put(
    "/inspections/{inspection_id}/results",
    response=InspectionDetailOut,
    summary="Record item results (send `version` to refuse a lost update)",
)
@operation(CHANGE, "inspections.inspection", obj="inspection_id")
def inspection_record(request, inspection_id: int, payload: RecordIn):
    inspection = get_object_for_user(Inspection, request.user, CHANGE, pk=inspection_id)
    results = {r.item_id: {"outcome": r.outcome, "note": r.note} for r in payload.results}
    return _detail(
        services.inspection_record(
            actor=request.user, inspection=inspection, results=results, expected_version=payload.version
        )
    )


@router.post("/inspections/{inspection_id}/close", response=InspectionDetailOut)
@operation(CHANGE, "inspections.inspection", obj="inspection_id")
def inspection_close(request, inspection_id: int, payload: CloseIn):
    inspection = get_object_for_user(Inspection, request.user, CHANGE, pk=inspection_id)
    return _detail(
        services.inspection_close(
            actor=request.user,
            inspection=inspection,
            summary=payload.summary,
            representative=payload.representative,
            expected_version=payload.version,
            inspector_signature=payload.inspector_signature,
            representative_signature=payload.representative_signature,
        )
    )


@router.get("/inspections/{inspection_id}/pdf", summary="The inspection record as a PDF")
@operation(VIEW, "inspections.inspection", obj="inspection_id")
def inspection_pdf_get(request, inspection_id: int):
    inspection = get_object_for_user(Inspection, request.user, VIEW, pk=inspection_id)
    return HttpResponse(inspection_pdf(inspection), content_type="application/pdf")


class RatingOut(Schema):
    rated: bool
    dynamic_level: str | None
    dynamic_label: str
    face: str
    dynamic_reason: str
    last_score: float | None
    last_inspected_on: dt.date | None
    annual_level: str | None
    annual_average: float | None
    inspections_12m: int


@router.get(
    "/businesses/{business_id}/rating",
    response=RatingOut,
    summary="Catering quantified grading (量化分级): dynamic smiley level and annual A/B/C",
)
@operation(VIEW, "registry.business", obj="business_id")
def business_rating(request, business_id: int):
    from .rating import rating_for

    return rating_for(get_object_for_user(Business, request.user, VIEW, pk=business_id)).__dict__


class PlanIn(Schema):
    """The 双随机 seed is not an input: the server draws it (a CSPRNG) and publishes it with the plan."""

    model_config = ConfigDict(extra="forbid")  # a client sending ``seed`` is told, not silently ignored

    region_id: int
    year: int = Field(description="this year, last year or the next")
    random_share: float = Field(0.2, ge=0, le=1, description="the 双随机 share of extra visits, 0–1")


class PlanOut(Schema):
    id: int
    region_id: int
    year: int
    random_share: float
    seed: int = Field(description="the 双随机 seed, drawn by the server: the same seed draws the same pairs")
    seed_drawn: bool = Field(description="true when the server drew the seed (false: a plan made before that rule)")
    rule_set_id: int
    created_by_id: int | None
    created_at: dt.datetime
    superseded_at: dt.datetime | None = Field(description="when a plan generated again replaced this one")
    superseded_by_id: int | None
    visits: int


class PlannedVisitOut(Schema):
    id: int
    business_id: int
    inspector_id: int | None
    kind: str
    window_start: dt.date
    due_on: dt.date
    status: str


@router.post("/plans", response={202: JobOut}, summary="Generate a year's inspection plan (grades + 双随机)")
@operation(ADD, "inspections.inspectionplan", body={"region_id": "core.region"})
def plan_create(request, payload: PlanIn):
    from shian.core.models import Region

    """Queues the plan as a background job (202): poll ``GET /api/jobs/{id}``; its ``result`` has
    ``plan_id``, ``visits`` and ``seed`` (then ``GET /api/plans/{plan_id}/visits``). An ``Idempotency-Key``
    header makes a retried request the same job."""
    from .planning import PLAN_YEARS_AHEAD, PLAN_YEARS_BACK
    from .tasks import start_plan

    region = get_object_for_user(Region, request.user, VIEW, pk=payload.region_id)
    this_year = timezone.localdate().year
    validate_range(
        payload.year, field="year", minimum=this_year - PLAN_YEARS_BACK, maximum=this_year + PLAN_YEARS_AHEAD
    )
    job = start_plan(
        actor=request.user,
        region=region,
        year=payload.year,
        random_share=payload.random_share,
        key=request.headers.get("Idempotency-Key", "")[:200],
    )
    return Status(202, job_out(job))


def _plan_out(plan) -> dict:
    return {
        "id": plan.pk,
        "region_id": plan.region_id,
        "year": plan.year,
        "random_share": float(plan.random_share),
        "seed": plan.seed,
        "seed_drawn": plan.seed_drawn,
        "rule_set_id": plan.rule_set_id,
        "created_by_id": plan.created_by_id,
        "created_at": plan.created_at,
        "superseded_at": plan.superseded_at,
        "superseded_by_id": plan.superseded_by_id,
        "visits": plan.visit_count if hasattr(plan, "visit_count") else plan.visits.count(),
    }


@router.get("/plans", response=list[PlanOut], summary="Inspection plans with their published 双随机 seeds")
@paginate(LimitOffsetPagination)
@operation(VIEW, "inspections.inspectionplan")
def plan_list(request, year: int | None = None, current: bool | None = None):
    """Every plan in the caller's scope, the superseded ones too (``current=true``: only those in force)."""
    from django.db.models import Count

    from .models import InspectionPlan

    qs = InspectionPlan.objects.restrict(request.user, VIEW).annotate(visit_count=Count("visits"))
    if year is not None:
        qs = qs.filter(year=year)
    if current is not None:
        qs = qs.filter(superseded_at__isnull=current)
    return [_plan_out(p) for p in qs]


@router.get("/plans/{plan_id}", response=PlanOut, summary="One inspection plan and its published 双随机 seed")
@operation(VIEW, "inspections.inspectionplan", obj="plan_id")
def plan_get(request, plan_id: int):
    from .models import InspectionPlan

    return _plan_out(get_object_for_user(InspectionPlan, request.user, VIEW, pk=plan_id))


@router.get("/plans/{plan_id}/visits", response=list[PlannedVisitOut])
@paginate(LimitOffsetPagination)
@operation(VIEW, "inspections.plannedvisit", obj={"plan_id": "inspections.inspectionplan"})
def plan_visits(request, plan_id: int, inspector_id: int | None = None, month: int | None = None):
    from .models import InspectionPlan, PlannedVisit
    from .planning import visit_status

    plan = get_object_for_user(InspectionPlan, request.user, VIEW, pk=plan_id)
    qs = PlannedVisit.objects.restrict(request.user, VIEW).filter(plan=plan)
    if inspector_id:
        qs = qs.filter(inspector_id=inspector_id)
    if month:
        qs = qs.filter(window_start__month=month)
    visits = list(qs[:5000])
    status = visit_status(visits)
    return [
        {
            "id": v.pk,
            "business_id": v.business_id,
            "inspector_id": v.inspector_id,
            "kind": v.kind,
            "window_start": v.window_start,
            "due_on": v.due_on,
            "status": status[v.pk],
        }
        for v in visits
    ]


@router.post(
    "/inspections/{inspection_id}/items/{item_id}/photos",
    response={201: InspectionDetailOut},
    summary="Attach a photo (JPEG/PNG, ≤ 10 MB) to a checklist item",
)
@operation(
    CHANGE,
    "inspections.inspection",
    obj={"inspection_id": "inspections.inspection", "item_id": "inspections.checklistitem"},
)
def item_photo(request, inspection_id: int, item_id: int, file: File[UploadedFile]):
    inspection = get_object_for_user(Inspection, request.user, CHANGE, pk=inspection_id)
    updated = services.inspection_record(
        actor=request.user, inspection=inspection, results={}, photos={item_id: [file]}
    )
    return Status(201, _detail(updated))
