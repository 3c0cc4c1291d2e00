from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shian.core.policy import VIEW, get_object_for_user, operation

from . import selectors, services
from .models import Assignment, FrequencyRule, Level, Visit


@operation(VIEW, "oversight.assignment")
def overview(request):
    status = selectors.oversight_status(request.user)
    return render(
        request,
        "oversight/overview.html",
        {
            "status": status,
            "behind": status["behind"][:200],
            "levels": dict(Level.choices),
            "rules": FrequencyRule.objects.restrict(request.user, VIEW),
        },
    )


@operation("record_visit", "oversight.assignment", obj="pk")
@require_POST
def visit_create(request, pk: int):
    assignment = get_object_for_user(Assignment.objects.select_related("business"), request.user, VIEW, pk=pk)
    try:
        services.visit_record(
            actor=request.user,
            assignment=assignment,
            visited_on=request.POST.get("visited_on") or None,
            findings=request.POST.get("findings", ""),
            raise_hazard=bool(request.POST.get("raise_hazard")),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Visit recorded."))
    return redirect(f"/registry/businesses/{assignment.business_id}/?tab=oversight")


def render_business_tab(request, business):
    assignments = selectors.active_assignments(request.user).filter(business=business)
    visits = Visit.objects.restrict(request.user, VIEW).filter(assignment__business=business)[:50]
    return render(
        request,
        "oversight/_business_tab.html",
        {"business": business, "assignments": assignments, "visits": visits, "user": request.user},
    )
