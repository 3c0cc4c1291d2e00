"""包保 API: assignments, visits, and the 包保督导率 with who is behind."""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema
from ninja.responses import Status

from shian.core import checklists
from shian.core.api import AUTH
from shian.core.limits import stored_in
from shian.core.models import User
from shian.core.policy import ADD, VIEW, get_object_for_user, operation
from shian.registry.models import Business

from . import selectors, services
from .models import Assignment, Level, Visit

router = Router(tags=["oversight"], auth=AUTH)


class AssignmentOut(Schema):
    id: int
    official_id: int
    business_id: int
    level: Level
    starts_on: dt.date
    ends_on: dt.date | None
    commitment_signed: bool


class AssignmentIn(Schema):
    official_id: int
    business_id: int
    level: Level
    starts_on: dt.date | None = None
    commitment_signed: bool = False


class VisitIn(Schema):
    visited_on: dt.date | None = None
    findings: Annotated[str, stored_in(Visit, "findings")] = Field(
        "", description="What was found; with `answers`, written after the items not in order."
    )
    raise_hazard: bool = False
    answers: dict[int, Literal["yes", "no", "na"]] | None = Field(
        None,
        description="The business's daily-control items answered: {item id: yes|no|na}. Every item, unless "
        "`all_ok` is true (the unanswered ones are then yes). The `no` items and their notes become the findings.",
    )
    notes: dict[int, Annotated[str, Field(max_length=checklists.NOTE_MAX)]] = Field(
        {}, description="What is wrong with a `no` item: {item id: text}."
    )
    all_ok: bool = Field(False, description="全部符合: items not in `answers` are yes.")


class VisitOut(Schema):
    id: int
    assignment_id: int
    visited_on: dt.date
    findings: str
    problem_found: bool
    hazard_id: int | None


class BehindOut(Schema):
    assignment_id: int
    official: str
    business_id: int
    level: str
    last_visit: dt.date | None
    days_overdue: int


class StatusOut(Schema):
    due: int
    on_time: int
    rate: float | None
    behind: list[BehindOut]


@router.get("/oversight/status", response=StatusOut, summary="包保督导率 and who is behind, for the caller's scope")
@operation(VIEW, "oversight.assignment")
def status(request):
    s = selectors.oversight_status(request.user)
    behind = [
        {
            "assignment_id": b["assignment"].pk,
            "official": b["official"].username,
            "business_id": b["business"].pk,
            "level": b["level"],
            "last_visit": b["last_visit"],
            "days_overdue": b["days_overdue"],
        }
        for b in s["behind"][:500]
    ]
    return {"due": s["due"], "on_time": s["on_time"], "rate": s["rate"], "behind": behind}


@router.post("/oversight/assignments", response={201: AssignmentOut})
@operation(ADD, "oversight.assignment", body={"business_id": "registry.business", "official_id": "core.user"})
def assignment_create(request, payload: AssignmentIn):
    business = get_object_for_user(Business, request.user, VIEW, pk=payload.business_id)
    services.check_assignment_start(payload.starts_on)
    # officials are looked up in the caller's own area only; the error names nobody
    official = User.objects.restrict(request.user, VIEW).filter(pk=payload.official_id, is_active=True).first()
    if official is None:
        raise ValidationError({"official_id": "no active official with this id in your area"})
    return Status(
        201,
        services.assignment_create(
            actor=request.user,
            official=official,
            business=business,
            level=payload.level,
            starts_on=payload.starts_on,
            commitment_signed=payload.commitment_signed,
        ),
    )


@router.post("/oversight/assignments/{assignment_id}/visits", response={201: VisitOut})
@operation("record_visit", "oversight.assignment", obj="assignment_id")
def visit_create(request, assignment_id: int, payload: VisitIn):
    assignment = get_object_for_user(Assignment, request.user, VIEW, pk=assignment_id)
    services.check_visit_day(payload.visited_on)
    return Status(
        201,
        services.visit_record(
            actor=request.user,
            assignment=assignment,
            visited_on=payload.visited_on,
            findings=payload.findings,
            raise_hazard=payload.raise_hazard,
            answers=payload.answers,
            notes=payload.notes,
            all_ok=payload.all_ok,
        ),
    )
