"""三员 pages: the accounts of the system and security administrators, the security policy and the
permission matrix (security administrator), the audit log, its export and the chain status (audit
administrator). Thin: forms and services do the work; every page declares its operation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from shian.core import policy
from shian.core.choices import ADMIN_ROLES
from shian.core.policy import ADD, get_object_for_user, operation

from . import admin_exports, admin_selectors, admin_services
from .admin_services import (
    ACCOUNT,
    AUDIT_RECORD,
    AUTHORISE,
    BROWSE,
    DEACTIVATE,
    EXPORT,
    MANAGE,
    POLICY,
    REACTIVATE,
    RESET_PASSWORD,
    UNLOCK,
    VERIFY,
)
from .forms import AccountCreateForm, AuthoriseForm, errors_into
from .models import Account, Authorisation

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
USER = {"pk": "accounts.account"}  # the route's pk names an account (the matrix builds one)


def _account(request, pk: int, action: str) -> Account:
    return get_object_for_user(Account.objects.select_related("region"), request.user, action, pk=pk)


# --- accounts ------------------------------------------------------------------------------------------
@operation(MANAGE, ACCOUNT)
def accounts(request):
    """Every account (search; filter by role, region, state), with the create button for the system
    administrator and the authorisation queue for the security administrator (state=pending)."""
    f, problems = admin_selectors.AccountFilter.from_query(request.GET)
    page = Paginator(admin_selectors.accounts_for(request.user, f), PAGE_SIZE).get_page(request.GET.get("page"))
    from .forms import _region_choices, _role_choices

    context = {
        "page": page,
        "f": f,
        "problems": problems,
        "roles": _role_choices()[1:],
        "regions": _region_choices(),
        "states": [
            ("active", pgettext("account", "Active")),
            ("inactive", _("Deactivated")),
            ("pending", _("Awaiting authorisation")),
            ("locked", _("Locked")),
        ],
        "now": timezone.now(),
    }
    return TemplateResponse(request, "accounts/admin_accounts.html", context)


@operation(ADD, ACCOUNT)
def account_create(request):
    """A new account, inactive and without a role until the security administrator authorises it; its
    one-time initial password is shown on the next page, once."""
    form = AccountCreateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user, password = admin_services.account_create(
                    actor=request.user,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    requested_role=data["requested_role"],
                    requested_region=data["requested_region"],
                )
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                context = {"account": user, "password": password, "created": True}
                return TemplateResponse(request, "accounts/admin_password_once.html", context)
        status = 400
    context = {"form": form, "title": _("New account"), "cancel": reverse("accounts:admin_accounts")}
    return TemplateResponse(request, "core/form.html", context, status=status)


@operation(MANAGE, ACCOUNT, obj=USER)
def account_detail(request, pk: int):
    account = _account(request, pk, MANAGE)
    request_row = Authorisation.objects.filter(user_id=account.pk).select_related("requested_region").first()
    context = {
        "account": account,
        "authorisation": request_row,
        "locked": account.locked_until is not None and account.locked_until > timezone.now(),
        "own": account.pk == request.user.pk,
        "administrator": account.is_superuser or account.role in ADMIN_ROLES,
    }
    return TemplateResponse(request, "accounts/admin_account.html", context)


def _simple_action(request, pk: int, action: str, service, done: str):
    account = _account(request, pk, action)
    try:
        service(actor=request.user, user=account)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"user": account.username})
    return redirect("accounts:admin_account", pk=account.pk)


@operation(DEACTIVATE, ACCOUNT, obj=USER)
@require_POST
def account_deactivate(request, pk: int):
    return _simple_action(
        request,
        pk,
        DEACTIVATE,
        admin_services.account_deactivate,
        _("%(user)s is deactivated; their API tokens are revoked."),
    )


@operation(REACTIVATE, ACCOUNT, obj=USER)
@require_POST
def account_reactivate(request, pk: int):
    return _simple_action(request, pk, REACTIVATE, admin_services.account_reactivate, _("%(user)s may sign in again."))


@operation(UNLOCK, ACCOUNT, obj=USER)
@require_POST
def account_unlock(request, pk: int):
    return _simple_action(request, pk, UNLOCK, admin_services.account_unlock, _("%(user)s is unlocked."))


@operation(RESET_PASSWORD, ACCOUNT, obj=USER)
@require_POST
def account_reset_password(request, pk: int):
    """A new one-time password, shown once on the answer to this POST; changed at the next sign-in."""
    account = _account(request, pk, RESET_PASSWORD)
    try:
        password = admin_services.account_reset_password(actor=request.user, user=account)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:admin_account", pk=account.pk)
    context = {"account": account, "password": password, "created": False}
    return TemplateResponse(request, "accounts/admin_password_once.html", context)


@operation(AUTHORISE, ACCOUNT, obj=USER)
def account_authorise(request, pk: int):
    """The security administrator gives the account its role and region (confirming a pending one), or
    refuses a pending request."""
    account = _account(request, pk, AUTHORISE)
    request_row = Authorisation.objects.filter(user_id=account.pk).first()
    waiting = request_row is not None and request_row.state == Authorisation.State.PENDING
    if waiting:
        initial = {"role": request_row.requested_role, "region": request_row.requested_region_id}
    else:
        initial = {"role": account.role, "region": account.region_id}
    form = AuthoriseForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if request.POST.get("decision") == "refuse" and waiting:
            try:
                admin_services.account_refuse(actor=request.user, user=account)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The request for %(user)s is refused.") % {"user": account.username})
            return redirect("accounts:admin_account", pk=account.pk)
        if form.is_valid():
            try:
                admin_services.account_authorise(
                    actor=request.user, user=account, role=form.cleaned_data["role"], region=form.cleaned_data["region"]
                )
            except ValidationError as exc:
                errors_into(form, exc)
            else:
                messages.success(request, _("%(user)s has the role and scope you chose.") % {"user": account.username})
                return redirect("accounts:admin_account", pk=account.pk)
        status = 400
    context = {"form": form, "account": account, "authorisation": request_row, "waiting": waiting}
    return TemplateResponse(request, "accounts/admin_authorise.html", context, status=status)


# --- the security administrator's reading -----------------------------------------------------------------
@operation(POLICY, ACCOUNT)
def security_policy(request):
    context = {"settings": admin_selectors.security_policy()}
    return TemplateResponse(request, "accounts/admin_security_policy.html", context)


@operation(POLICY, ACCOUNT)
def permission_matrix(request):
    return TemplateResponse(request, "accounts/admin_permissions.html", admin_selectors.permission_matrix())


# --- the audit administrator ---------------------------------------------------------------------------
@operation(BROWSE, AUDIT_RECORD)
def audit_log(request):
    f, problems = admin_selectors.AuditFilter.from_query(request.GET)
    page = Paginator(admin_selectors.audit_for(request.user, f), PAGE_SIZE).get_page(request.GET.get("page"))
    from shian.core.choices import AuditAction

    context = {
        "page": page,
        "rows": admin_selectors.audit_rows(page.object_list),
        "f": f,
        "problems": problems,
        "actions": AuditAction.choices,
        "query": request.GET.urlencode(),
        "may_export": policy.may(request.user, EXPORT, AUDIT_RECORD),
    }
    return TemplateResponse(request, "accounts/admin_audit.html", context)


@operation(EXPORT, AUDIT_RECORD, write=False)
def audit_export(request):
    f, _problems = admin_selectors.AuditFilter.from_query(request.GET)
    content = admin_exports.audit_xlsx(admin_selectors.audit_for(request.user, f))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@operation(VERIFY, AUDIT_RECORD, write=True)
def audit_chain(request):
    """The chain's status (last verification, anchors); POST runs the verification as a background job."""
    if request.method == "POST":
        _job, created = admin_services.audit_verify_start(actor=request.user)
        if created:
            messages.success(request, _("The verification has started; this page shows its result when it ends."))
        else:
            messages.info(request, _("A verification is already running."))
        return redirect("accounts:audit_chain")
    return TemplateResponse(request, "accounts/admin_chain.html", admin_selectors.chain_status())
