"""Hazard API: list, create, read, apply a transition, upload evidence. Scoped like the UI."""

import datetime as dt

from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from shian.core.api import AUTH
from shian.core.policy import ADD, CHANGE, VIEW, get_object_for_user, operation
from shian.registry.models import Business

from . import selectors, services
from .choices import HazardSource, HazardState, Severity
from .models import Hazard

router = Router(tags=["hazards"], auth=AUTH)


class HazardOut(Schema):
    id: int
    business_id: int
    title: str
    description: str
    severity: Severity
    source: HazardSource
    state: HazardState
    found_on: dt.date
    deadline: dt.date | None
    order_text: str
    escalated_on: dt.date | None
    closed_on: dt.date | None
    version: int
    is_overdue: bool


class HazardIn(Schema):
    business_id: int
    title: str
    severity: Severity = Severity.GENERAL
    description: str = ""
    found_on: dt.date | None = None


class TransitionIn(Schema):
    action: str
    note: str = ""
    deadline: dt.date | None = None
    order_text: str = ""
    version: int | None = None


class EvidenceOut(Schema):
    id: int
    original_name: str = Field(description="the file's name as its uploader gave it")
    content_type: str
    size: int
    note: str
    submitted_at: dt.datetime


class EventOut(Schema):
    action: str
    label: str = Field(description="the step's name, in the caller's language")
    from_state: str
    to_state: str
    actor: str = Field(
        description="who took the step, as the caller may see them: a person's name, an official's role "
        "(to a business's staff), or 'a user outside your area' (the audit log's rule)"
    )
    actor_name: str = Field(description="the same as actor (kept for older clients)")
    note: str
    at: dt.datetime


class KpiOut(Schema):
    open: int
    overdue: int
    escalated: int
    closed: int
    ended: int  # closed, or escalated to a case and not yet closed
    on_time: int  # closed by rectification on or before the deadline, never escalated
    on_time_rate: float | None  # on_time ÷ ended, %
    median_days_to_close: float | None


@router.get("/hazards", response=list[HazardOut])
@paginate(LimitOffsetPagination)
@operation(VIEW, "hazards.hazard")
def hazard_list(
    request,
    state: str | None = None,
    severity: Severity | None = None,
    overdue: bool = False,
    business_id: int | None = None,
):
    return selectors.hazard_list(request.user, state=state, severity=severity, overdue=overdue, business_id=business_id)


@router.post("/hazards", response={201: HazardOut})
@operation(ADD, "hazards.hazard", body={"business_id": "registry.business"})
def hazard_create(request, payload: HazardIn):
    business = get_object_for_user(Business, request.user, VIEW, pk=payload.business_id)
    return Status(
        201,
        services.hazard_create(
            actor=request.user,
            business=business,
            title=payload.title,
            severity=payload.severity,
            description=payload.description,
            found_on=payload.found_on,
        ),
    )


@router.get("/hazards/kpis", response=KpiOut, summary="Hazard closed-loop KPIs for the caller's scope")
@operation(VIEW, "hazards.hazard")
def hazard_kpis(request):
    return selectors.hazard_kpis(request.user)


@router.get("/hazards/{hazard_id}", response=HazardOut)
@operation(VIEW, "hazards.hazard", obj="hazard_id")
def hazard_get(request, hazard_id: int):
    return get_object_for_user(Hazard, request.user, VIEW, pk=hazard_id)


@router.get("/hazards/{hazard_id}/events", response=list[EventOut])
@operation(VIEW, "hazards.hazard", obj="hazard_id")
def hazard_events(request, hazard_id: int):
    hazard = get_object_for_user(Hazard, request.user, VIEW, pk=hazard_id)
    return [
        {
            "action": e.action,
            "label": e.label,
            "from_state": e.from_state,
            "to_state": e.state,
            "actor": e.actor,
            "actor_name": e.actor,
            "note": e.note,
            "at": e.at,
        }
        for e in selectors.timeline(request.user, hazard)
    ]


@router.post(
    "/hazards/{hazard_id}/transitions",
    response=HazardOut,
    summary="Apply a step: order, start, submit, reject, verify, close, escalate",
)
@operation(CHANGE, "hazards.hazard", obj="hazard_id")
def hazard_transition(request, hazard_id: int, payload: TransitionIn):
    hazard = get_object_for_user(Hazard, request.user, CHANGE, pk=hazard_id)
    return services.hazard_transition(
        actor=request.user,
        hazard=hazard,
        action=payload.action,
        note=payload.note,
        deadline=payload.deadline,
        order_text=payload.order_text,
        expected_version=payload.version,
    )


@router.post("/hazards/{hazard_id}/evidence", response={201: EvidenceOut})
@operation(ADD, "hazards.evidence", obj={"hazard_id": "hazards.hazard"})
def evidence_upload(request, hazard_id: int, file: File[UploadedFile], note: Form[str] = ""):
    hazard = get_object_for_user(Hazard, request.user, CHANGE, pk=hazard_id)
    return Status(201, services.evidence_add(actor=request.user, hazard=hazard, upload=file, note=note))
