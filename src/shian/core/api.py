"""Core API: authentication (bearer tokens), the caller's identity, regions, KPIs."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer, django_auth

from . import kpis, services, signin
from .limits import PASSWORD_MAX_LENGTH, stored_in
from .models import ApiToken, User
from .policy import PUBLIC, SIGNED_IN, VIEW, operation
from .selectors import regions_for_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = services.api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


# every endpoint accepts a bearer token, or the browser session (with CSRF) for the docs page
AUTH = [TokenAuth(), django_auth]

router = Router(tags=["core"])


class TokenIn(Schema):
    username: Annotated[str, stored_in(User, "username")]
    password: Annotated[str, Field(max_length=PASSWORD_MAX_LENGTH)]
    name: Annotated[str, stored_in(ApiToken, "name")] = ""
    code: Annotated[str, Field(max_length=32)] = Field(
        "", description="The authenticator code (or a recovery code) when the account uses two-step login"
    )


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


class MeOut(Schema):
    id: int
    username: str
    role: str
    region_id: int | None
    region_name: str | None
    business_id: int | None


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None


class TileOut(Schema):
    key: str
    label: str
    value: float | int | str
    unit: str
    hint: str


class ErrorOut(Schema):
    detail: str


@router.post(
    "/auth/token",
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Issue an API token",
)
@operation(PUBLIC, write=True)
def token_issue(request, response: HttpResponse, payload: TokenIn):
    """Exchange a username and password for a bearer token (shown once; send it as
    ``Authorization: Bearer <token>``). The same lockout and throttles as the login page apply: 401 for a
    wrong password or a locked account, 429 (with Retry-After) when this address sent too many. 403 when
    the password must be changed first (a common or demo password, set by an administrator, expired):
    log in on the web page and change it. 409 when the account already holds the most tokens allowed."""
    from django.core.exceptions import ValidationError

    result = services.login_attempt(request=request, username=payload.username, password=payload.password)
    if result.user is None:
        if result.retry_after:
            response["Retry-After"] = str(result.retry_after)
        return Status(result.status, {"detail": result.error})
    if result.must_change:
        until = _("No token is issued until then.")
        return Status(403, {"detail": f"{result.change_message} {until}"})
    second = signin.second_factor()
    if second is not None:
        if second.needs_enrolment(result.user):
            return Status(
                403, {"detail": _("Your role must use two-step login: enrol an authenticator on the web page first.")}
            )
        if second.has_device(result.user):
            if not payload.code.strip():
                return Status(
                    401, {"detail": _('This account uses two-step login: send the authenticator code as "code".')}
                )
            if not second.verify_second_factor(result.user, payload.code.strip()):
                return Status(401, {"detail": _("Wrong or expired authenticator code.")})
    try:
        token, key = services.api_token_create(user=result.user, name=payload.name or "api")
    except ValidationError as exc:
        return Status(409, {"detail": " ".join(exc.messages)})
    return Status(200, {"token": key, "expires_at": token.expires_at})


@router.get("/me", response=MeOut, auth=AUTH)
@operation(SIGNED_IN)
def me(request):
    u = request.user
    return {
        "id": u.pk,
        "username": u.username,
        "role": u.role,
        "region_id": u.region_id,
        "region_name": u.region.name if u.region_id else None,
        "business_id": u.business_id,
    }


@router.get("/regions", response=list[RegionOut], auth=AUTH)
@operation(VIEW, "core.region")
def regions(request, level: int | None = None):
    qs = regions_for_user(request.user)
    if level is not None:
        qs = qs.filter(level=level)
    return list(qs)


@router.get("/kpis", response=list[TileOut], auth=AUTH, summary="Dashboard KPI tiles for the caller's scope")
@operation(SIGNED_IN)
def kpi_tiles(request):
    tiles, _charts = kpis.collect(request.user)
    return [
        {"key": t.key, "label": str(t.label), "value": t.value, "unit": str(t.unit), "hint": str(t.hint)} for t in tiles
    ]


# --- background jobs ----------------------------------------------------------------------------
class JobOut(Schema):
    id: int
    kind: str
    label: str
    state: str
    done: int
    total: int
    note: str
    result: dict
    error: str
    url: str
    result_url: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def job_out(job) -> dict:
    """A job as the API shows it (the 202 body of every operation that queues work, and GET /jobs/{id})."""
    from . import jobs

    job = jobs.refreshed(job)
    return {
        "id": job.pk,
        "kind": job.kind,
        "label": job.label,
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "note": job.note,
        "result": job.result,
        "error": job.error,
        "url": f"/api/jobs/{job.pk}",
        "result_url": job.result_url,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


@router.get("/jobs/{job_id}", response=JobOut, auth=AUTH, summary="A background job: state, progress, result")
@operation(VIEW, "core.job", obj="job_id")
def job_get(request, job_id: int):
    """Poll this after an operation answered 202 (an import, a plan, a regrade): ``state`` is queued, running,
    succeeded or failed; ``done``/``total`` the progress; ``result`` the summary; ``error`` why it failed.
    Only jobs in the caller's scope are found."""
    from .models import Job
    from .scoping import get_object_for_user as get_scoped

    return job_out(get_scoped(Job, request.user, VIEW, pk=job_id))
