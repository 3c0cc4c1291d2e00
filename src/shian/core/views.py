import time
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import kpis, services, signin
from .audit import lines_for
from .models import ApiToken
from .policy import ADD, DELETE, PUBLIC, SIGNED_IN, VIEW, get_object_for_user, operation


@operation(PUBLIC)
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    # a path of this site only: a bare word would be taken by redirect() for a view name (NoReverseMatch)
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = ""
    context = {"next": next_url, "username": "", "error": ""}
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        result = services.login_attempt(request=request, username=username, password=request.POST.get("password", ""))
        if result.user is not None:
            login(request, result.user)
            # the session's start, for its absolute lifetime; a password to change first (accounts middleware)
            request.session[signin.SIGNED_IN_AT] = time.time()
            if result.must_change:
                request.session[signin.MUST_CHANGE] = result.must_change  # the page says why
                return redirect("accounts:password_change")
            return redirect(next_url or "core:dashboard")
        context.update(username=username, error=result.error)
        response = TemplateResponse(request, "registration/login.html", context, status=result.status)
        if result.retry_after:
            response["Retry-After"] = str(result.retry_after)
        return response
    return TemplateResponse(request, "registration/login.html", context)


_SERVICE_WORKER = Path(__file__).parent / "static" / "shian" / "sw.js"


@operation(PUBLIC)
def service_worker(request):
    """The service worker, served from the site root so that it may keep /inspections/ pages
    (a worker's scope is the folder it is served from). Revalidated on every load."""
    response = HttpResponse(_SERVICE_WORKER.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@operation(PUBLIC, write=True)
@require_POST
def logout_view(request):
    """End the session (audited). API tokens are not revoked: they are separate credentials, minted with
    the password, capped per account and listed on the account page to revoke (docs/security.md)."""
    if request.user.is_authenticated:
        services.logout_audit(user=request.user)
    logout(request)
    return redirect("core:login")


@operation(SIGNED_IN)
def dashboard(request):
    """Home: what needs this person (a regulator's queue), their own day (cards), then the KPIs."""
    from django.utils import timezone

    from . import home

    today = timezone.localdate()
    needs = home.needs_for(request.user, today)
    cards = home.cards_for(request.user, today)
    tiles, charts = kpis.collect(request.user)  # officials' figures from the KPI snapshots (core.snapshots)
    pending = home.pending_message(request.user) if not (needs or cards or tiles) else ""
    from . import snapshots
    from .policy import is_regional

    fresh = snapshots.freshness(request.user)  # None: a business's own figures, live

    context = {
        "tiles": tiles,
        "charts": charts,
        "needs": needs,
        "cards": cards,
        "pending": pending,
        "today": today,
        "officer": is_regional(request.user),  # an official's queue says so when it is empty
        "fresh": fresh,
    }
    return render(request, "core/dashboard.html", context)


@operation(SIGNED_IN)
def account(request, new_key: str = "", token_error: str = "", status: int = 200, token_name: str = ""):
    from django.conf import settings

    tokens = ApiToken.objects.restrict(request.user, VIEW).order_by("-created_at")
    context = {
        "tokens": tokens,
        "new_key": new_key,
        "token_error": token_error,
        "token_name": token_name,
        "token_cap": settings.API_TOKEN_MAX_PER_USER,
    }
    return render(request, "core/account.html", context, status=status)


@operation(ADD, "core.apitoken")
@require_POST
def token_create(request):
    """Mint an API token: the current password is asked again (counted by the lockout like a login), so a
    session alone, a stolen one too, cannot mint tokens; an account holds at most API_TOKEN_MAX_PER_USER."""
    name = request.POST.get("name", "")[:100]
    check = services.reauthenticate(request=request, user=request.user, password=request.POST.get("password", ""))
    if check.user is None:  # a form error (400), or 429 when this address is throttled
        message = check.error
        if check.status == 401 and not check.retry_after:
            message = _("The password is wrong: no token was created.")
        status = 429 if check.status == 429 else 400
        response = account(request, token_error=message, status=status, token_name=name)
        if check.retry_after:
            response["Retry-After"] = str(check.retry_after)
        return response
    if check.must_change:  # the password must be changed first (the forced-change page says why)
        return account(request, token_error=check.change_message, status=403, token_name=name)
    try:
        _token, key = services.api_token_create(user=request.user, name=name)
    except ValidationError as exc:
        return account(request, token_error=" ".join(exc.messages), status=409, token_name=name)
    return account(request, new_key=key)


@operation(DELETE, "core.apitoken", obj="pk")
@require_POST
def token_revoke(request, pk: int):
    token = get_object_for_user(ApiToken, request.user, DELETE, pk=pk)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("core:account")


def render_audit_tab(request, obj):
    """The audit tab every object page can register: the entries about it that this user may see,
    newest first, presented for them (core.audit.lines_for)."""
    return render(request, "core/_audit_list.html", {"entries": lines_for(request.user, obj)})


# --- background jobs: the progress page (polled by HTMX) ------------------------------------------
@operation(VIEW, "core.job", obj="pk")
def job_detail(request, pk: int):
    from . import jobs
    from .models import Job

    job = jobs.refreshed(get_object_for_user(Job, request.user, VIEW, pk=pk))
    return render(request, "core/job.html", {"job": job})


@operation(VIEW, "core.job", obj="pk")
def job_status(request, pk: int):
    """The progress partial, polled every second while the job is queued or running; when it has finished
    with a page of its own (an import's report, a plan), HTMX is sent there."""
    from . import jobs
    from .models import Job

    job = jobs.refreshed(get_object_for_user(Job, request.user, VIEW, pk=pk))
    response = render(request, "core/job_status.html", {"job": job})
    if not job.active and job.result_url and request.headers.get("HX-Request") and request.GET.get("follow"):
        response["HX-Redirect"] = job.result_url
    return response
