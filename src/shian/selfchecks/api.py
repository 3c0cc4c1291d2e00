"""Self-check API: file (business staff), list, compliance (regulators)."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from shian.core import checklists
from shian.core.api import AUTH
from shian.core.limits import stored_in
from shian.core.policy import ADD, VIEW, get_object_for_user, operation
from shian.core.validators import PROBLEMS_MAX
from shian.registry.models import Business

from . import selectors, services
from .models import Kind, SelfCheck

router = Router(tags=["self-checks"], auth=AUTH)
Answer = Literal["yes", "no", "na"]


class SelfCheckIn(Schema):
    business_id: int
    kind: Kind
    day: dt.date | None = None
    failed_item_ids: list[int] = Field(
        [], description="The items not in order; every other item is filed as yes (the older form of `answers`)."
    )
    answers: dict[int, Answer] | None = Field(
        None,
        description="A daily check answered item by item: {item id: yes|no|na}. Every item of the business's "
        "checklist must be answered, unless `all_ok` is true (the unanswered ones are then yes).",
    )
    notes: dict[int, Annotated[str, Field(max_length=checklists.NOTE_MAX)]] = Field(
        {}, description="What is wrong with a `no` item: {item id: text}."
    )
    all_ok: bool = Field(False, description="全部符合: items not in `answers` are yes.")
    report: Annotated[str, stored_in(SelfCheck, "report")] = ""
    problems: Annotated[int, Field(ge=0, le=PROBLEMS_MAX)] = 0
    raise_hazards: bool = False


class SelfCheckOut(Schema):
    id: int
    business_id: int
    kind: Kind
    period_start: dt.date
    problems: int
    report: str
    items: list[dict]
    filed_at: dt.datetime
    filed_late: bool = Field(description="Filed after its period (the day, week or month) had ended.")


class RateOut(Schema):
    filed: int
    expected: int
    rate: float | None


class ComplianceOut(RateOut):
    kind: str
    periods: int
    latest: dt.date
    missing_count: int


@router.post("/selfchecks", response={201: SelfCheckOut}, summary="File a daily check, weekly review or monthly report")
@operation(ADD, "selfchecks.selfcheck", body={"business_id": "registry.business"})
def selfcheck_file(request, payload: SelfCheckIn):
    business = get_object_for_user(Business, request.user, VIEW, pk=payload.business_id)
    return Status(
        201,
        services.selfcheck_file(
            actor=request.user,
            business=business,
            kind=payload.kind,
            day=payload.day,
            failed_item_ids=payload.failed_item_ids,
            answers=payload.answers,
            notes=payload.notes,
            all_ok=payload.all_ok,
            report=payload.report,
            problems=payload.problems,
            raise_hazards=payload.raise_hazards,
        ),
    )


@router.get("/selfchecks", response=list[SelfCheckOut])
@paginate(LimitOffsetPagination)
@operation(VIEW, "selfchecks.selfcheck")
def selfcheck_list(request, business_id: int | None = None, kind: Kind | None = None):
    qs = SelfCheck.objects.restrict(request.user, VIEW)
    if business_id:
        qs = qs.filter(business_id=business_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@router.get("/selfchecks/compliance", response=ComplianceOut)
@operation(VIEW, "selfchecks.selfcheck")
def selfcheck_compliance(request, kind: Kind = Kind.DAILY):
    c = selectors.compliance(request.user, kind)
    return {k: c[k] for k in ("kind", "periods", "latest", "filed", "expected", "rate", "missing_count")}
