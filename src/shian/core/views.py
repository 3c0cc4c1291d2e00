from pathlib import Path

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import kpis, services
from .audit import lines_for
from .models import ApiToken
from .policy import ADD, DELETE, PUBLIC, SIGNED_IN, VIEW, get_object_for_user, operation


@operation(PUBLIC)
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    context = {"next": next_url, "username": "", "error": ""}
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        user, error = services.login_attempt(
            request=request, username=username, password=request.POST.get("password", "")
        )
        if user is not None:
            login(request, user)
            return redirect(next_url or "core:dashboard")
        context.update(username=username, error=error)
        return TemplateResponse(request, "registration/login.html", context, status=401)
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
    tiles, charts = kpis.collect(request.user)
    pending = home.pending_message(request.user) if not (needs or cards or tiles) else ""
    from .policy import is_regional

    context = {
        "tiles": tiles,
        "charts": charts,
        "needs": needs,
        "cards": cards,
        "pending": pending,
        "today": today,
        "officer": is_regional(request.user),  # an official's queue says so when it is empty
    }
    return render(request, "core/dashboard.html", context)


@operation(SIGNED_IN)
def account(request, new_key: str = ""):
    tokens = ApiToken.objects.restrict(request.user, VIEW).order_by("-created_at")
    return render(request, "core/account.html", {"tokens": tokens, "new_key": new_key})


@operation(ADD, "core.apitoken")
@require_POST
def token_create(request):
    _token, key = services.api_token_create(user=request.user, name=request.POST.get("name", "")[:100])
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
