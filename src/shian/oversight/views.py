from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shian.core import checklists, policy
from shian.core.policy import VIEW, get_object_for_user, operation

from . import kpis, selectors, services
from .forms import VisitForm
from .models import Assignment, FrequencyRule, Level, Visit


@operation(VIEW, "oversight.assignment")
def overview(request):
    status = selectors.oversight_status(request.user)
    return render(
        request,
        "oversight/overview.html",
        {
            "status": status,
            "tiles": kpis.overview_tiles(status),
            "behind": status["behind"][:200],
            "levels": dict(Level.choices),
            "rules": FrequencyRule.objects.restrict(request.user, VIEW),
        },
    )


@operation("record_visit", "oversight.assignment", obj="pk")
def visit_create(request, pk: int):
    """Record a visit: the business's daily-control checklist answered 是 / 否 / 合理缺项, the date and
    anything else found. The business tab holds the same form; a refused form comes back here with what
    was entered."""
    assignment = get_object_for_user(
        Assignment.objects.select_related("business", "official"), request.user, VIEW, pk=pk
    )
    policy.check(request.user, "record_visit", assignment)  # only the assigned official
    items = services.visit_checklist(assignment.business)
    form = VisitForm(request.POST or None)
    answers: dict[int, str] = {}
    notes: dict[int, str] = {}
    if request.method == "POST":
        try:
            answers, notes = checklists.answers_from_post(request.POST, [i.id for i in items])
            if not form.is_valid():
                raise ValidationError(
                    [f"{form.fields[name].label}: {error}" for name, errors in form.errors.items() for error in errors]
                )
            services.visit_record(
                actor=request.user,
                assignment=assignment,
                visited_on=form.cleaned_data["visited_on"],
                findings=form.cleaned_data["findings"],
                raise_hazard=form.cleaned_data["raise_hazard"],
                answers=answers,
                notes=notes,
                all_ok=form.cleaned_data["all_ok"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Visit recorded."))
            return redirect(f"/registry/businesses/{assignment.business_id}/?tab=oversight")
    return render(
        request,
        "oversight/visit.html",
        {"assignment": assignment, "form": form, "checklist": _checklist(items, answers, notes)},
    )


def _checklist(items, answers=None, notes=None) -> checklists.Checklist:
    answers, notes = answers or {}, notes or {}
    return checklists.Checklist([checklists.Row.of(i, answers.get(i.id, ""), notes.get(i.id, "")) for i in items])


def render_business_tab(request, business):
    assignments = selectors.active_assignments(request.user).filter(business=business)
    visits = (
        Visit.objects.restrict(request.user, VIEW)
        .filter(assignment__business=business)
        .select_related("assignment__official")[:50]
    )
    recordable = [a for a in assignments if policy.may(request.user, "record_visit", a)]
    return render(
        request,
        "oversight/_business_tab.html",
        {
            "business": business,
            "assignments": assignments,
            "recordable": recordable,
            "checklist": _checklist(services.visit_checklist(business)) if recordable else None,
            "form": VisitForm(),
            "visits": visits,
            "user": request.user,
        },
    )
