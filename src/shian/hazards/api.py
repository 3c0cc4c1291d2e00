"""Hazard API: list, create, read, apply a transition, upload evidence. Scoped like the UI."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from shian.core.api import AUTH
from shian.core.limits import max_length_of, stored_in
from shian.core.policy import ADD, CHANGE, VIEW, get_object_for_user, operation
from shian.core.validators import PEOPLE_MAX, validate_recorded_day
from shian.registry.models import Business

from . import selectors, services, transitions
from .choices import (
    DeclineGround,
    HazardSource,
    HazardState,
    IncidentLevel,
    IncidentSource,
    LeadReason,
    LeadState,
    Severity,
)
from .models import CaseLead, Evidence, Hazard, HazardEvent, Incident

# the steps a caller may ask for by name (escalate, 立案, is taken by deciding a case lead)
StepName = Literal[tuple(sorted({t.action for t in transitions.TRANSITIONS if not t.by_lead_only}))]

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
    title: Annotated[str, stored_in(Hazard, "title")]
    severity: Severity = Severity.GENERAL
    description: Annotated[str, stored_in(Hazard, "description")] = ""
    found_on: dt.date | None = None


class TransitionIn(Schema):
    action: StepName = Field(description="the step: order, start, submit, reject, verify, close")
    note: Annotated[str, stored_in(HazardEvent, "note")] = ""
    deadline: dt.date | None = None
    order_text: Annotated[str, stored_in(Hazard, "order_text")] = ""
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
    validate_recorded_day(payload.found_on, field="found_on")  # not backdated beyond a year, not ahead
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
    summary="Apply a step: order, start, submit, reject, verify, close (a case is opened by deciding its lead)",
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
def evidence_upload(
    request,
    hazard_id: int,
    file: File[UploadedFile],
    note: str = Form("", max_length=max_length_of(Evidence, "note")),
):
    hazard = get_object_for_user(Hazard, request.user, CHANGE, pk=hazard_id)
    return Status(201, services.evidence_add(actor=request.user, hazard=hazard, upload=file, note=note))


# --- case leads (案件线索) ------------------------------------------------------------------------------
class CaseLeadOut(Schema):
    id: int
    hazard_id: int
    business_id: int = Field(alias="hazard.business_id")
    reason: LeadReason
    detail: str
    state: LeadState
    raised_on: dt.date
    approver: str = Field(description="the head of the bureau who approved opening the case (立案)")
    approved_on: dt.date | None
    case_number: str
    decline_ground: str = Field(description="the ground of 市场监督管理行政处罚程序规定 Art. 20 (declined leads)")
    decline_reason: str
    decided_at: dt.datetime | None
    version: int


class ReferIn(Schema):
    detail: Annotated[str, stored_in(CaseLead, "detail")] = Field(description="the facts a case would be opened on")


class LeadDecisionIn(Schema):
    action: Literal["accept", "decline"] = Field(description="accept: open a case (立案); decline: 不予立案")
    approver: Annotated[str, stored_in(CaseLead, "approver")] = ""
    approved_on: dt.date | None = None
    case_number: Annotated[str, stored_in(CaseLead, "case_number")] = ""
    ground: DeclineGround | None = None
    reason: Annotated[str, stored_in(CaseLead, "decline_reason")] = ""
    version: int | None = None


@router.get("/case-leads", response=list[CaseLeadOut], summary="Case leads in the caller's area")
@paginate(LimitOffsetPagination)
@operation(VIEW, "hazards.caselead")
def case_lead_list(request, state: LeadState | None = None, reason: LeadReason | None = None):
    return selectors.case_lead_list(request.user, state=state, reason=reason)


@router.get("/hazards/{hazard_id}/leads", response=list[CaseLeadOut], summary="A hazard's case leads")
@operation(VIEW, "hazards.caselead", obj={"hazard_id": "hazards.hazard"})
def hazard_leads(request, hazard_id: int):
    hazard = get_object_for_user(Hazard, request.user, VIEW, pk=hazard_id)
    return selectors.leads_of(request.user, hazard)


@router.post("/hazards/{hazard_id}/leads", response={201: CaseLeadOut}, summary="Refer a hazard as a case lead (移送)")
@operation(ADD, "hazards.caselead", obj={"hazard_id": "hazards.hazard"})
def hazard_refer(request, hazard_id: int, payload: ReferIn):
    hazard = get_object_for_user(Hazard, request.user, VIEW, pk=hazard_id)
    return Status(
        201,
        services.case_lead_raise(actor=request.user, hazard=hazard, reason=LeadReason.REFERRAL, detail=payload.detail),
    )


@router.post(
    "/hazards/{hazard_id}/leads/decision",
    response=CaseLeadOut,
    summary="Decide the hazard's open case lead: open a case (立案, with the approval) or not (不予立案)",
)
@operation(CHANGE, "hazards.caselead", obj={"hazard_id": "hazards.hazard"})
def hazard_lead_decide(request, hazard_id: int, payload: LeadDecisionIn):
    from django.core.exceptions import ValidationError

    hazard = get_object_for_user(Hazard, request.user, VIEW, pk=hazard_id)
    lead = selectors.open_lead_of(hazard)
    if lead is None:
        raise ValidationError({"action": "This hazard has no case lead awaiting a decision."})
    return services.case_lead_decide(
        actor=request.user,
        lead=lead,
        action=payload.action,
        approver=payload.approver,
        approved_on=payload.approved_on,
        case_number=payload.case_number,
        ground=payload.ground or "",
        reason=payload.reason,
        expected_version=payload.version,
    )


# --- food-safety incidents (食品安全事故) ------------------------------------------------------------
class IncidentOut(Schema):
    id: int
    business_id: int
    occurred_on: dt.date
    title: str
    description: str
    diners_affected: int | None
    ill_count: int | None
    level: str = Field(description="i–iv (国家食品安全事故应急预案), or empty while not graded")
    source: IncidentSource
    recorded_at: dt.datetime


class IncidentIn(Schema):
    business_id: int
    occurred_on: dt.date
    title: Annotated[str, stored_in(Incident, "title")]
    description: Annotated[str, stored_in(Incident, "description")] = ""
    diners_affected: int | None = Field(default=None, ge=0, le=PEOPLE_MAX)
    ill_count: int | None = Field(default=None, ge=0, le=PEOPLE_MAX)
    level: IncidentLevel | None = None
    source: IncidentSource = IncidentSource.OTHER


@router.get("/incidents", response=list[IncidentOut], tags=["incidents"], summary="Food-safety incidents")
@paginate(LimitOffsetPagination)
@operation(VIEW, "hazards.incident")
def incident_list(request, business_id: int | None = None):
    return selectors.incident_list(request.user, business_id=business_id)


@router.post("/incidents", response={201: IncidentOut}, tags=["incidents"], summary="Record a food-safety incident")
@operation(ADD, "hazards.incident", body={"business_id": "registry.business"})
def incident_create(request, payload: IncidentIn):
    business = get_object_for_user(Business, request.user, VIEW, pk=payload.business_id)
    data = payload.dict(exclude={"business_id"})
    data["level"] = data["level"] or ""
    return Status(201, services.incident_create(actor=request.user, business=business, **data))
