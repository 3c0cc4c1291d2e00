"""Risk-grading pages: distribution and list, the rule sets, a business's grade tab."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import TextField
from django.forms import modelform_factory
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shian.core import listing, snapshots
from shian.core.limits import TEXT_MAX_LENGTH
from shian.core.policy import CHANGE, VIEW, get_object_for_user, may, operation
from shian.core.selectors import regions_for_user

from . import kpis, selectors, services
from .models import BusinessGrade, DynamicFactor, GradeBand, KeySupervisionRule, RiskRuleSet, StaticFactor

RULE_TABLES = {
    "ruleset": RiskRuleSet,
    "static": StaticFactor,
    "dynamic": DynamicFactor,
    "band": GradeBand,
    "key": KeySupervisionRule,
}
RULE_FIELDS = {
    "ruleset": ["name", "version", "static_max", "dynamic_max", "source"],
    "static": ["business_type", "attribute", "min_scale", "points", "note", "source"],
    "dynamic": ["indicator", "points_per_unit", "max_points", "note"],
    "band": ["grade", "min_score", "inspections_min", "inspections_max", "label", "risk"],
    "key": ["label", "sector", "business_type", "attribute", "grades", "inspections_min", "source"],
}


def _may_edit_rules(user) -> bool:
    return may(user, CHANGE, RiskRuleSet)


@operation(VIEW, "supervision.businessgrade")
def grades(request):
    grade = (request.GET.get("grade") or "").strip()[:2] or None
    region = request.GET.get("region")
    region_path = None
    if region and region.isdigit():
        region_path = regions_for_user(request.user).filter(pk=int(region)).values_list("path", flat=True).first()
    q = (request.GET.get("q") or "").strip()[:100] or None
    key = request.GET.get("key") == "1"
    grades_qs = selectors.grade_list(
        request.user, grade=grade, region_path=region_path, q=q, key_supervision=True if key else None
    )
    page = listing.paginate(request, grades_qs)
    dist = kpis.grade_distribution(request.user)
    return render(
        request,
        "supervision/grades.html",
        {
            "dist": dist,
            "fresh": snapshots.freshness(request.user, keys=[kpis.KEY]),
            "today": timezone.localdate(),
            "tones": {b.grade: b.tone for b in dist["bands"]},
            "page": page,
            "grade": grade or "",
            "key": key,
            "q": q or "",
            "region": region or "",
            "regions": regions_for_user(request.user).filter(level__lte=3),
            "can_edit": _may_edit_rules(request.user),
        },
    )


@operation(VIEW, "supervision.riskruleset")
def rules(request):
    return render(
        request,
        "supervision/rules.html",
        {
            "rule_sets": RiskRuleSet.objects.prefetch_related(
                "static_factors", "dynamic_factors", "bands", "key_rules"
            ),
            "can_edit": _may_edit_rules(request.user),
        },
    )


@operation(VIEW, "supervision.businessgrade")
def grade_years(request):
    """The grade distribution at each of the last three year ends (and today), from the grade history."""
    days = selectors.year_end_days(3)
    return render(
        request, "supervision/grade_years.html", {"dist": selectors.grade_distribution_on(request.user, days)}
    )


@require_POST
@operation(CHANGE, "supervision.riskruleset", obj="pk")
def rule_set_activate(request, pk: int):
    rule_set = get_object_for_user(RiskRuleSet, request.user, CHANGE, pk=pk)
    from .tasks import start_rule_set_switch  # put in force and regrade everyone: one background job

    try:  # a rule set that contradicts itself is refused here, before any job is queued
        services.rule_set_check(rule_set)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("supervision:rules")
    return redirect(start_rule_set_switch(actor=request.user, rule_set=rule_set))


@require_POST
@operation(CHANGE, "supervision.riskruleset")
def recompute(request):
    raw = request.POST.get("as_of", "").strip()
    try:
        as_of = parse_date(raw) if raw else None
    except ValueError:  # well formed but impossible, e.g. month 13
        as_of = None
    if raw and as_of is None:
        messages.error(request, _("“%(v)s” is not a date (YYYY-MM-DD).") % {"v": raw})
        return redirect("supervision:grades")
    from .tasks import start_regrade

    try:  # an impossible date is refused here; the regrade itself is a background job
        job = start_regrade(actor=request.user, as_of=as_of, trigger="manual")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("supervision:grades")
    return redirect(job)


@operation(CHANGE, "supervision.riskruleset", obj={"pk": "supervision.staticfactor"})
def rule_row_edit(request, table: str, pk: int):
    if table not in RULE_TABLES:
        raise Http404
    row = get_object_for_user(RULE_TABLES[table], request.user, CHANGE, pk=pk)
    form_class = modelform_factory(RULE_TABLES[table], fields=RULE_FIELDS[table], formfield_callback=_formfield)
    # the form validates a copy: the service compares the stored row with the new values for the audit entry
    form = form_class(request.POST or None, instance=type(row).objects.get(pk=row.pk))
    if request.method == "POST" and form.is_valid():
        try:  # the service checks the row against the rest of its rule set (caps, bands): a form error
            services.rule_row_save(actor=request.user, row=row, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved. Recompute the grades to apply the change."))
            return redirect("supervision:rules")
    title = str(row) if isinstance(row, RiskRuleSet) else str(row.rule_set)
    return render(request, "core/form.html", {"form": form, "title": title, "cancel": reverse("supervision:rules")})


def _formfield(field, **kwargs):
    """Free text (a row's source) is limited like every free text (core.limits)."""
    if isinstance(field, TextField):
        kwargs["max_length"] = TEXT_MAX_LENGTH
    return field.formfield(**kwargs)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def render_business_tab(request, business):
    grade = BusinessGrade.objects.filter(business=business).select_related("rule_set").first()
    band = GradeBand.objects.filter(rule_set=grade.rule_set, grade=grade.grade).first() if grade else None
    reasons = (
        [dict(r, label=selectors.reason_label(r), note=selectors.reason_note(r)) for r in grade.reasons]
        if grade
        else []
    )
    key_rules = {r.pk: r for r in selectors.key_rules(grade.rule_set)} if grade and grade.key_supervision else {}
    key_reasons = [(r["label"], key_rules.get(r.get("rule"))) for r in grade.key_reasons] if key_rules else []
    history = [(c, selectors.trigger_label(c.trigger)) for c in selectors.grade_history(business.pk)[:50]]
    return render(
        request,
        "supervision/_business_tab.html",
        {"grade": grade, "band": band, "reasons": reasons, "history": history, "key_reasons": key_reasons},
    )
