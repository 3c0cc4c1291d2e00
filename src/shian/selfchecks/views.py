import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.policy import ADD, VIEW, check_kind, get_object_for_user, is_business_scoped, operation
from shian.registry.models import Business

from . import selectors, services
from .models import Kind, SelfCheck


@operation(VIEW, "selfchecks.selfcheck")
def overview(request):
    """Regulators: compliance rates and who is missing. Business staff: their forms and history."""
    if is_business_scoped(request.user):
        return _business_page(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.DAILY
    return render(
        request,
        "selfchecks/overview.html",
        {"c": selectors.compliance(request.user, kind), "kinds": Kind.choices, "kind": kind},
    )


def _business_page(request):
    business = get_object_for_user(Business, request.user, VIEW, pk=request.user.business_id)
    if request.method == "POST":
        check_kind(request.user, ADD, SelfCheck)
        kind = request.POST.get("kind", "")
        failed = [int(v) for v in request.POST.getlist("failed") if v.isdigit()]
        try:
            services.selfcheck_file(
                actor=request.user,
                business=business,
                kind=kind,
                day=request.POST.get("day") or None,
                failed_item_ids=failed,
                report=request.POST.get("report", ""),
                problems=int(request.POST.get("problems") or 0),
                raise_hazards=bool(request.POST.get("raise_hazards")),
            )
        except (ValidationError, ValueError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Filed."))
        return redirect("selfchecks:overview")
    today = timezone.localdate()
    filed = {
        (r.kind, r.period_start)
        for r in business.self_checks.filter(period_start__gte=today.replace(day=1) - dt.timedelta(days=40))
    }
    return render(
        request,
        "selfchecks/business.html",
        {
            "business": business,
            "items": services.daily_items(business),
            "today": today,
            "daily_done": (Kind.DAILY, today) in filed,
            "weekly_done": (Kind.WEEKLY, services.period_start(Kind.WEEKLY, today)) in filed,
            "monthly_done": (Kind.MONTHLY, today.replace(day=1)) in filed,
            "history": business.self_checks.all()[:60],
        },
    )


def render_business_tab(request, business):
    return render(request, "selfchecks/_business_tab.html", {"history": business.self_checks.all()[:60]})
