"""Hazard pages: list, create (from a business), detail with the allowed next steps, evidence upload."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shian.core.policy import ADD, CHANGE, VIEW, get_object_for_user, may, operation
from shian.registry.models import Business

from . import selectors, services, transitions
from .choices import HazardState, Severity
from .forms import EvidenceForm, HazardForm, TransitionForm
from .models import Hazard


def _messages_from(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@operation(VIEW, "hazards.hazard")
def hazard_list(request):
    state = request.GET.get("state") or None
    state = state if state in {*HazardState.values, "open"} else None
    severity = request.GET.get("severity") if request.GET.get("severity") in Severity.values else None
    overdue = request.GET.get("overdue") == "1"
    q = (request.GET.get("q") or "").strip()[:100] or None
    qs = selectors.hazard_list(request.user, state=state, severity=severity, overdue=overdue, q=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "hazards/hazard_list.html",
        {
            "page": page,
            "states": HazardState.choices,
            "severities": Severity.choices,
            "state": state or "",
            "severity": severity or "",
            "overdue": overdue,
            "q": q or "",
            "kpi": selectors.hazard_kpis(request.user),
        },
    )


@operation(ADD, "hazards.hazard", obj={"business_pk": "registry.business"})
def hazard_create(request, business_pk: int):
    business = get_object_for_user(Business, request.user, VIEW, pk=business_pk)
    form = HazardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hazard = services.hazard_create(
                actor=request.user,
                business=business,
                title=form.cleaned_data["title"],
                severity=form.cleaned_data["severity"],
                description=form.cleaned_data["description"],
                found_on=form.cleaned_data["found_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Hazard recorded."))
            return redirect("hazards:detail", pk=hazard.pk)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("New hazard at %(name)s") % {"name": business.name},
            "cancel": reverse("registry:business_detail", args=[business.pk]),
        },
    )


@operation(VIEW, "hazards.hazard", obj="pk")
def hazard_detail(request, pk: int):
    hazard = get_object_for_user(Hazard.objects.select_related("business", "found_by"), request.user, VIEW, pk=pk)
    moves = transitions.available(hazard.state, request.user) if may(request.user, CHANGE, Hazard) else []
    return render(
        request,
        "hazards/hazard_detail.html",
        {
            "hazard": hazard,
            "moves": moves,
            "events": hazard.events.all(),
            "evidence": hazard.evidence.all(),
            "can_add_evidence": hazard.state in (HazardState.ORDERED, HazardState.RECTIFYING) and bool(moves),
            "evidence_form": EvidenceForm(),
            "default_deadline": services.deadline_for(hazard.severity, hazard.found_on)
            if hazard.state == HazardState.FOUND
            else None,
        },
    )


@operation(CHANGE, "hazards.hazard", obj="pk")
@require_POST
def hazard_transition(request, pk: int):
    hazard = get_object_for_user(Hazard, request.user, CHANGE, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; reload the page and try again."))
        return redirect("hazards:detail", pk=pk)
    data = form.cleaned_data
    try:
        services.hazard_transition(
            actor=request.user,
            hazard=hazard,
            action=data["action"],
            note=data["note"],
            deadline=data["deadline"],
            order_text=data["order_text"],
            expected_version=data["version"],
        )
    except services.ConflictError as exc:
        messages.error(request, str(exc))
        return redirect("hazards:detail", pk=pk)
    except ValidationError as exc:
        _messages_from(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("hazards:detail", pk=pk)


@operation(ADD, "hazards.evidence", obj={"pk": "hazards.hazard"})
@require_POST
def evidence_upload(request, pk: int):
    hazard = get_object_for_user(Hazard, request.user, CHANGE, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                actor=request.user, hazard=hazard, upload=form.cleaned_data["file"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _messages_from(request, exc)
        else:
            messages.success(request, _("Evidence uploaded."))
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("hazards:detail", pk=pk)


@operation(VIEW, "hazards.evidence", obj={"pk": "hazards.hazard", "evidence_pk": "hazards.evidence"})
def evidence_file(request, pk: int, evidence_pk: int):
    hazard = get_object_for_user(Hazard, request.user, VIEW, pk=pk)
    evidence = get_object_for_user(hazard.evidence.all(), request.user, VIEW, pk=evidence_pk)
    from django.http import FileResponse

    return FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)


def render_business_tab(request, business):
    hazards = selectors.hazard_list(request.user, business_id=business.pk)[:100]
    return render(
        request,
        "hazards/_business_tab.html",
        {"business": business, "hazards": hazards, "can_add": may(request.user, ADD, Hazard)},
    )
