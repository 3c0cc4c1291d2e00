"""Hazard pages: list, create (from a business), detail with one action panel (the steps this user may
take now, evidence sent with the step that needs it), the evidence files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shian.core import listing, snapshots
from shian.core.policy import ADD, CHANGE, VIEW, get_object_for_user, may, operation
from shian.registry.models import Business

from . import kpis, selectors, services, transitions
from .choices import HazardState, LeadReason, LeadState, Severity
from .forms import HazardForm, IncidentForm, LeadDecisionForm, ReferForm, StepForm
from .models import CaseLead, Hazard, Incident


@operation(VIEW, "hazards.hazard")
def hazard_list(request):
    state = request.GET.get("state") or None
    state = state if state in {*HazardState.values, "open"} else None
    severity = request.GET.get("severity") if request.GET.get("severity") in Severity.values else None
    overdue = request.GET.get("overdue") == "1"
    q = (request.GET.get("q") or "").strip()[:100] or None
    qs = selectors.hazard_list(request.user, state=state, severity=severity, overdue=overdue, q=q)
    page = listing.paginate(request, qs)
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
            "kpi": kpis.data(request.user),
            "fresh": snapshots.freshness(request.user, keys=[kpis.KEY]),
            "today": timezone.localdate(),
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


def _render_detail(request, hazard: Hazard, *, panel: selectors.ActionPanel, form: StepForm | None = None):
    user = request.user
    if form is None:
        initial = {"version": hazard.version}
        if any(s.sets_deadline for s in panel.steps):
            initial["deadline"] = services.deadline_for(hazard.severity, timezone.localdate())
        form = StepForm(initial=initial, panel=panel, hazard=hazard)
    return render(
        request,
        "hazards/hazard_detail.html",
        {
            "hazard": hazard,
            "found_by": selectors.person(user, hazard.found_by) if hazard.found_by_id else "",
            "panel": panel,
            "form": form,
            "timeline": selectors.timeline(user, hazard),
            "evidence": selectors.evidence_items(user, hazard),
            "leads": selectors.leads_of(user, hazard),
            "can_refer": hazard.state != HazardState.ESCALATED and may(user, ADD, CaseLead),
        },
    )


@operation(VIEW, "hazards.hazard", obj="pk")
def hazard_detail(request, pk: int):
    hazard = get_object_for_user(
        Hazard.objects.select_related("business", "found_by__region"), request.user, VIEW, pk=pk
    )
    return _render_detail(request, hazard, panel=selectors.action_panel(request.user, hazard))


@operation(CHANGE, "hazards.hazard", obj="pk")
@require_POST
def hazard_transition(request, pk: int):
    """The action panel's one form: the button pressed is the step; a refused step shows the page again
    with the errors on their fields and what was typed kept."""
    hazard = get_object_for_user(
        Hazard.objects.select_related("business", "found_by__region"), request.user, CHANGE, pk=pk
    )
    panel = selectors.action_panel(request.user, hazard)
    form = StepForm(request.POST, request.FILES, panel=panel, hazard=hazard)
    if form.is_valid():
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
                uploads=data["file"],
            )
        except services.ConflictError as exc:
            messages.error(request, str(exc))
            return redirect("hazards:detail", pk=pk)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": panel.step(data["action"]).label})
            return redirect("hazards:detail", pk=pk)
    elif "action" in form.errors:  # a step from a page older than the hazard: shown as it is now
        form.data = form.data.copy()
        form.data["version"] = hazard.version
    return _render_detail(request, hazard, panel=panel, form=form)


@operation(VIEW, "hazards.evidence", obj={"pk": "hazards.hazard", "evidence_pk": "hazards.evidence"})
def evidence_file(request, pk: int, evidence_pk: int):
    """The evidence file itself (also the thumbnail's source), to those who may see the hazard: a photo
    inline, a PDF as a download, both sandboxed (core.files.serve_upload), named with the detected type's
    extension whatever the uploader called it."""
    from shian.core.files import EXTENSIONS, display_name, open_upload, serve_upload

    hazard = get_object_for_user(Hazard, request.user, VIEW, pk=pk)
    evidence = get_object_for_user(hazard.evidence.all(), request.user, VIEW, pk=evidence_pk)
    known = evidence.content_type in EXTENSIONS
    name = display_name(evidence.name, evidence.content_type) if known else "evidence.bin"
    return serve_upload(open_upload(evidence.file), content_type=evidence.content_type, filename=name)


def render_business_tab(request, business):
    hazards = selectors.hazard_list(request.user, business_id=business.pk)[:100]
    can_see_incidents = may(request.user, VIEW, Incident)
    return render(
        request,
        "hazards/_business_tab.html",
        {
            "business": business,
            "hazards": hazards,
            "can_add": may(request.user, ADD, Hazard),
            "incidents": selectors.incident_list(request.user, business_id=business.pk)[:50]
            if can_see_incidents
            else None,
            "can_add_incident": may(request.user, ADD, Incident),
        },
    )


# --- case leads (案件线索) ------------------------------------------------------------------------------
@operation(VIEW, "hazards.caselead")
def lead_list(request):
    """The case leads of the regulator's area: open ones first by age (the default), or by state."""
    state = request.GET.get("state", LeadState.OPEN)
    state = state if state in LeadState.values else None
    reason = request.GET.get("reason") if request.GET.get("reason") in LeadReason.values else None
    q = (request.GET.get("q") or "").strip()[:100] or None
    qs = selectors.case_lead_list(request.user, state=state, reason=reason, q=q)
    page = listing.paginate(request, qs)
    return render(
        request,
        "hazards/lead_list.html",
        {
            "page": page,
            "states": LeadState.choices,
            "reasons": LeadReason.choices,
            "state": state or "",
            "reason": reason or "",
            "q": q or "",
            "kpi": (kpis.data(request.user) or {}).get("leads"),
            "fresh": snapshots.freshness(request.user, keys=[kpis.KEY]),
            "today": timezone.localdate(),
        },
    )


def _render_lead(request, hazard: Hazard, *, form=None, refer_form=None, status=200):
    user = request.user
    lead = selectors.open_lead_of(hazard)
    steps = transitions.available_lead_steps(lead.state, user) if lead and may(user, CHANGE, lead) else []
    if form is None and steps:
        form = LeadDecisionForm(
            initial={"version": lead.version, "approved_on": timezone.localdate(), "approver": user.display_name},
            steps=steps,
        )
    can_refer = lead is None and hazard.state != HazardState.ESCALATED and may(user, ADD, CaseLead)
    if refer_form is None and can_refer:
        refer_form = ReferForm()
    return render(
        request,
        "hazards/lead_detail.html",
        {
            "hazard": hazard,
            "lead": lead,
            "leads": selectors.leads_of(user, hazard),
            "steps": steps,
            "form": form if steps else None,
            "refer_form": refer_form if can_refer else None,
        },
        status=status,
    )


def _hazard_for_leads(request, pk: int, action: str) -> Hazard:
    return get_object_for_user(Hazard.objects.select_related("business"), request.user, VIEW, pk=pk)


@operation(VIEW, "hazards.caselead", obj={"pk": "hazards.hazard"})
def lead_detail(request, pk: int):
    """The hazard's case leads, the decision on the open one (to those who may decide), or a referral."""
    return _render_lead(request, _hazard_for_leads(request, pk, VIEW))


@operation(CHANGE, "hazards.caselead", obj={"pk": "hazards.hazard"})
@require_POST
def lead_decide(request, pk: int):
    hazard = _hazard_for_leads(request, pk, CHANGE)
    lead = selectors.open_lead_of(hazard)
    if lead is None:
        messages.error(request, _("This hazard has no case lead awaiting a decision."))
        return redirect("hazards:lead", pk=pk)
    steps = transitions.available_lead_steps(lead.state, request.user) if may(request.user, CHANGE, lead) else []
    form = LeadDecisionForm(request.POST, steps=steps)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_lead_decide(
                actor=request.user,
                lead=lead,
                action=data["action"],
                approver=data["approver"],
                approved_on=data["approved_on"],
                case_number=data["case_number"],
                ground=data["ground"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except services.ConflictError as exc:
            messages.error(request, str(exc))
            return redirect("hazards:lead", pk=pk)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Decision recorded: %(step)s.") % {"step": form.steps[data["action"]].label})
            return redirect("hazards:lead", pk=pk)
    return _render_lead(request, hazard, form=form)


@operation(ADD, "hazards.caselead", obj={"pk": "hazards.hazard"})
@require_POST
def lead_refer(request, pk: int):
    """Refer the hazard as a case lead (移送), with the facts a case would be opened on."""
    hazard = _hazard_for_leads(request, pk, ADD)
    form = ReferForm(request.POST)
    if form.is_valid():
        try:
            services.case_lead_raise(
                actor=request.user, hazard=hazard, reason=LeadReason.REFERRAL, detail=form.cleaned_data["detail"]
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Case lead raised."))
            return redirect("hazards:lead", pk=pk)
    return _render_lead(request, hazard, refer_form=form)


# --- food-safety incidents (食品安全事故) ------------------------------------------------------------
@operation(VIEW, "hazards.incident")
def incident_list(request):
    q = (request.GET.get("q") or "").strip()[:100] or None
    page = listing.paginate(request, selectors.incident_list(request.user, q=q))
    return render(request, "hazards/incident_list.html", {"page": page, "q": q or ""})


@operation(ADD, "hazards.incident", obj={"business_pk": "registry.business"})
def incident_create(request, business_pk: int):
    business = get_object_for_user(Business, request.user, VIEW, pk=business_pk)
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_create(actor=request.user, business=business, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Food-safety incident recorded."))
            return redirect(reverse("registry:business_detail", args=[business.pk]) + "?tab=hazards")
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Record a food-safety incident at %(name)s") % {"name": business.name},
            "cancel": reverse("registry:business_detail", args=[business.pk]),
        },
    )
