import datetime as dt
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shian.core import checklists
from shian.core.limits import max_length_of
from shian.core.policy import ADD, VIEW, check_kind, get_object_for_user, is_business_scoped, operation
from shian.core.validators import PROBLEMS_MAX
from shian.hazards.selectors import hazards_raised_by
from shian.registry.models import Business

from . import selectors, services
from .models import Kind, SelfCheck


@operation(VIEW, "selfchecks.selfcheck")
def overview(request):
    """Regulators: compliance rates and who is missing. Business staff: their forms and history."""
    if is_business_scoped(request.user):
        return _business_page(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.DAILY
    from django.utils import timezone

    from shian.core import snapshots
    from shian.core.policy import is_regional

    from . import kpis  # daily figures from the KPI snapshot; weekly and monthly live

    c = kpis.overview(request.user) if kind == Kind.DAILY else selectors.compliance(request.user, kind)
    fresh = (
        snapshots.freshness(request.user, keys=["selfchecks"])
        if kind == Kind.DAILY and is_regional(request.user)
        else None
    )
    return render(
        request,
        "selfchecks/overview.html",
        {"c": c, "kinds": Kind.choices, "kind": kind, "fresh": fresh, "today": timezone.localdate()},
    )


def _business_page(request):
    business = get_object_for_user(Business, request.user, VIEW, pk=request.user.business_id)
    posted: dict = {}
    if request.method == "POST":
        check_kind(request.user, ADD, SelfCheck)
        kind = request.POST.get("kind", "")
        try:
            posted = _parse(request, business, kind)
            services.selfcheck_file(actor=request.user, business=business, kind=kind, **posted)
        except ValidationError as exc:
            messages.error(request, _field_errors(exc))  # the page again, with what was entered
        else:
            messages.success(request, _("Filed."))
            return redirect("selfchecks:overview")
    periods = selectors.current_periods(business)
    daily = periods[Kind.DAILY]
    record = daily["record"]
    return render(
        request,
        "selfchecks/business.html",
        {
            "business": business,
            "daily": daily,
            "weekly": periods[Kind.WEEKLY],
            "monthly": periods[Kind.MONTHLY],
            "checklist": (
                selectors.record_checklist(record)
                if record
                else selectors.fresh_checklist(business, posted.get("answers"), posted.get("notes"))
            ),
            "raised": hazards_raised_by(request.user, f"selfchecks.selfcheck:{record.pk}") if record else [],
            "posted": {**posted, "kind": request.POST.get("kind", "")} if posted else {},
            "history": business.self_checks.select_related("filed_by")[:60],
            "report_max": max_length_of(SelfCheck, "report"),
        },
    )


def _field_errors(exc: ValidationError) -> str:
    """A refused filing's errors, each after the name of its field (“report: At most …”)."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    labels = {
        "report": SelfCheck._meta.get_field("report").verbose_name,
        "day": _("day"),
        "problems": SelfCheck._meta.get_field("problems").verbose_name,
    }
    return " ".join(f"{labels.get(name, name)}: {' '.join(errors)}" for name, errors in exc.message_dict.items())


def _parse(request, business, kind: str) -> dict:
    """The service's arguments from the form: a daily check's answers (answer_<id>: yes/no, note_<id>),
    a review's problems and report."""
    data = request.POST
    try:
        day = dt.date.fromisoformat(data["day"]) if data.get("day") else None
    except ValueError:
        raise ValidationError({"day": _("Enter a valid date.")}) from None
    if kind == Kind.DAILY:
        ids = [i.id for i in services.daily_checklist(business)]
        answers, notes = checklists.answers_from_post(data, ids)
        return {
            "day": day,
            "answers": answers,
            "notes": notes,
            "all_ok": bool(data.get("all_ok")),
            "raise_hazards": bool(data.get("raise_hazards")),
        }
    text = (data.get("problems") or "0").strip()
    if not re.fullmatch(r"[0-9]{1,6}", text):  # the service refuses what is out of range, naming the range
        raise ValidationError({"problems": _("Enter a whole number from 0 to %(n)d.") % {"n": PROBLEMS_MAX}})
    problems = int(text)
    return {"day": day, "problems": problems, "report": data.get("report", "")}


def render_business_tab(request, business):
    return render(
        request, "selfchecks/_business_tab.html", {"history": business.self_checks.select_related("filed_by")[:60]}
    )
