from pathlib import Path

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import kpis, services
from .audit import entries_for
from .models import ApiToken


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


def service_worker(request):
    """The service worker, served from the site root so that it may keep /inspections/ pages
    (a worker's scope is the folder it is served from). Revalidated on every load."""
    response = HttpResponse(_SERVICE_WORKER.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_POST
def logout_view(request):
    logout(request)
    return redirect("core:login")


@login_required
def dashboard(request):
    tiles, charts = kpis.collect(request.user)
    return render(request, "core/dashboard.html", {"tiles": tiles, "charts": charts})


@login_required
def account(request, new_key: str = ""):
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "core/account.html", {"tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def token_create(request):
    _token, key = services.api_token_create(user=request.user, name=request.POST.get("name", "")[:100])
    return account(request, new_key=key)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("core:account")


def render_audit_tab(request, obj):
    """The audit tab every object page can register: its audit entries, newest first."""
    return render(request, "core/_audit_list.html", {"entries": entries_for(obj)[:200]})
