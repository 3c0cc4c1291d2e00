"""三员 API: the system administrator's account operations, the security administrator's authorisation,
the audit administrator's log and export. Same policy, services and filters as the pages.

Mounted by ``shian.api`` with ``api.add_router("/", accounts_router)`` (``from shian.accounts.api import
router as accounts_router``)."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from shian.core.api import AUTH
from shian.core.audit import system_word
from shian.core.choices import AuditAction, Role
from shian.core.limits import stored_in
from shian.core.masking import mask_text, mask_value
from shian.core.models import Region, User
from shian.core.policy import ADD, get_object_for_user, operation

from . import admin_exports, admin_selectors, admin_services
from .admin_selectors import AccountFilter, AuditFilter
from .admin_services import (
    ACCOUNT,
    AUDIT_RECORD,
    AUTHORISE,
    BROWSE,
    DEACTIVATE,
    EXPORT,
    MANAGE,
    REACTIVATE,
    RESET_PASSWORD,
    UNLOCK,
)
from .admin_views import XLSX_CONTENT_TYPE
from .models import Account, Authorisation

router = Router(tags=["administration"], auth=AUTH)
USER = {"account_id": "accounts.account"}


class AccountOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    region_id: int | None
    is_active: bool
    locked_until: dt.datetime | None
    last_login: dt.datetime | None
    authorisation: str | None = Field(None, description="pending, confirmed or refused; null: made before 三员")
    requested_role: str | None = None
    requested_region_id: int | None = None

    @staticmethod
    def resolve_authorisation(obj) -> str | None:
        row = _authorisation(obj)
        return row.state if row else None

    @staticmethod
    def resolve_requested_role(obj) -> str | None:
        row = _authorisation(obj)
        return row.requested_role if row else None

    @staticmethod
    def resolve_requested_region_id(obj) -> int | None:
        row = _authorisation(obj)
        return row.requested_region_id if row else None


def _authorisation(obj) -> Authorisation | None:
    try:
        return obj.authorisation
    except Authorisation.DoesNotExist:
        return None


class AccountIn(Schema):
    username: Annotated[str, stored_in(User, "username")]
    first_name: Annotated[str, stored_in(User, "first_name")] = ""
    last_name: Annotated[str, stored_in(User, "last_name")] = ""
    requested_role: Role
    requested_region_id: int | None = None


class RoleIn(Schema):
    role: Role
    region_id: int | None = None


class OneTimePasswordOut(Schema):
    account: AccountOut
    initial_password: str = Field(description="shown this once; the person must change it at the first sign-in")


class AuditOut(Schema):
    """One entry, personal data masked (core.masking) as on the page."""

    id: int
    at: dt.datetime
    actor: str
    source: str
    action: AuditAction
    object_type: str
    object_id: str
    object_repr: str
    changes: Any
    note: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return mask_text(system_word(obj.actor_name or "system"))

    @staticmethod
    def resolve_source(obj) -> str:
        return system_word(obj.source)

    @staticmethod
    def resolve_object_repr(obj) -> str:
        return mask_text(obj.object_repr)

    @staticmethod
    def resolve_changes(obj) -> Any:
        return mask_value(obj.changes)

    @staticmethod
    def resolve_note(obj) -> str:
        return mask_text(system_word(obj.note))


def _region(region_id: int | None, field: str) -> Region | None:
    if region_id is None:
        return None
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise ValidationError({field: "no such region"})
    return region


def _account(request, account_id: int, action: str) -> Account:
    return get_object_for_user(Account.objects.select_related("authorisation"), request.user, action, pk=account_id)


def _fresh(account_id: int) -> Account:
    return Account.objects.select_related("authorisation").get(pk=account_id)


# --- accounts --------------------------------------------------------------------------------------------
@router.get("/admin/accounts", response=list[AccountOut], summary="List accounts (search; role, region, state)")
@paginate(LimitOffsetPagination)
@operation(MANAGE, ACCOUNT)
def accounts_list(request, filters: Query[AccountFilter]):
    return admin_selectors.accounts_for(request.user, filters)


@router.post(
    "/admin/accounts",
    response={201: OneTimePasswordOut},
    summary="Create an account (inactive, without a role, until the security administrator authorises it)",
)
@operation(ADD, ACCOUNT)
def account_create(request, payload: AccountIn):
    user, password = admin_services.account_create(
        actor=request.user,
        username=payload.username,
        first_name=payload.first_name,
        last_name=payload.last_name,
        requested_role=payload.requested_role,
        requested_region=_region(payload.requested_region_id, "requested_region_id"),
    )
    return Status(201, {"account": _fresh(user.pk), "initial_password": password})


@router.get("/admin/accounts/{account_id}", response=AccountOut)
@operation(MANAGE, ACCOUNT, obj=USER)
def account_get(request, account_id: int):
    return _account(request, account_id, MANAGE)


@router.post("/admin/accounts/{account_id}/deactivate", response=AccountOut, summary="Deactivate (tokens revoked)")
@operation(DEACTIVATE, ACCOUNT, obj=USER)
def account_deactivate(request, account_id: int):
    admin_services.account_deactivate(actor=request.user, user=_account(request, account_id, DEACTIVATE))
    return _fresh(account_id)


@router.post("/admin/accounts/{account_id}/reactivate", response=AccountOut)
@operation(REACTIVATE, ACCOUNT, obj=USER)
def account_reactivate(request, account_id: int):
    admin_services.account_reactivate(actor=request.user, user=_account(request, account_id, REACTIVATE))
    return _fresh(account_id)


@router.post("/admin/accounts/{account_id}/unlock", response=AccountOut, summary="Lift the sign-in lockout")
@operation(UNLOCK, ACCOUNT, obj=USER)
def account_unlock(request, account_id: int):
    admin_services.account_unlock(actor=request.user, user=_account(request, account_id, UNLOCK))
    return _fresh(account_id)


@router.post(
    "/admin/accounts/{account_id}/reset-password",
    response=OneTimePasswordOut,
    summary="Reset the password: a one-time password, changed at the next sign-in; API tokens revoked",
)
@operation(RESET_PASSWORD, ACCOUNT, obj=USER)
def account_reset_password(request, account_id: int):
    password = admin_services.account_reset_password(
        actor=request.user, user=_account(request, account_id, RESET_PASSWORD)
    )
    return {"account": _fresh(account_id), "initial_password": password}


@router.post(
    "/admin/accounts/{account_id}/authorise",
    response=AccountOut,
    summary="Give the account its role and region (confirms a pending account)",
)
@operation(AUTHORISE, ACCOUNT, obj=USER)
def account_authorise(request, account_id: int, payload: RoleIn):
    account = _account(request, account_id, AUTHORISE)
    admin_services.account_authorise(
        actor=request.user, user=account, role=payload.role, region=_region(payload.region_id, "region_id")
    )
    return _fresh(account_id)


# --- the audit log ----------------------------------------------------------------------------------------
@router.get("/admin/audit", response=list[AuditOut], summary="The whole audit log, newest first (masked)")
@paginate(LimitOffsetPagination)
@operation(BROWSE, AUDIT_RECORD)
def audit_list(request, filters: Query[AuditFilter]):
    return admin_selectors.audit_for(request.user, filters)


@router.get(
    "/admin/audit/export",
    summary="The filtered audit log as XLSX (the export is itself audited)",
    response={200: bytes},
    openapi_extra={
        "responses": {200: {"description": "XLSX", "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string"}}}}}
    },
)
@operation(EXPORT, AUDIT_RECORD, write=False)
def audit_export(request, filters: Query[AuditFilter]):
    content = admin_exports.audit_xlsx(admin_selectors.audit_for(request.user, filters))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
