"""Registry pages. Thin: parse the request, call a selector or a service, render."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shian.core import listing, tabs
from shian.core.exports import XLSX_CONTENT_TYPE
from shian.core.fields import masked
from shian.core.policy import ADD, CHANGE, DELETE, VIEW, get_object_for_user, may, operation
from shian.core.reveal import REVEAL, reveal

from . import exports, imports, selectors, services
from .choices import BusinessStatus, BusinessType, Scale
from .filters import SORTS, BusinessFilter
from .forms import BusinessForm, ImportForm, LicenceForm, StaffForm, StaffingRuleForm
from .licensing import licence_warnings
from .models import Business, ImportRun, Licence, Staff, StaffingRule

PAGE_SIZE = 50


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _form_errors_from(exc: ValidationError, form) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


# --- businesses -------------------------------------------------------------------------------
@operation(VIEW, "registry.business")
def business_list(request):
    f, problems = BusinessFilter.from_query(request.GET)
    for p in problems:
        messages.warning(request, _("Ignored an invalid filter value for %(field)s.") % {"field": p})
    page = listing.paginate(request, selectors.business_list(request.user, f), PAGE_SIZE)
    ids = [b.pk for b in page.object_list]
    summaries = selectors.licence_summaries(ids)
    columns = listing.columns_for("registry.business", request.user)
    extra = listing.cells(columns, request.user, ids)
    rows = [(b, summaries.get(b.pk), extra[b.pk]) for b in page.object_list]
    context = {
        "page": page,
        "columns": columns,
        "rows": rows,
        "filter": f,
        "active": f.active(),
        "types": BusinessType.choices,
        "statuses": BusinessStatus.choices,
        "scales": Scale.choices,
        "attributes": [(name, Business._meta.get_field(name).verbose_name) for name in selectors.ATTRIBUTE_FIELDS],
        "regions": selectors.region_filter_choices(request.user),
        "sort": f.sort,
        "sorts": SORTS,
        "can_add": may(request.user, ADD, Business),
    }
    template = (
        "registry/_business_table.html" if request.htmx and not request.htmx.boosted else "registry/business_list.html"
    )
    return render(request, template, context)


@operation(VIEW, "registry.business")
def business_export(request):
    f, _problems = BusinessFilter.from_query(request.GET)
    content = exports.businesses_xlsx(selectors.business_list(request.user, f))
    return _xlsx_response(content, f"businesses-{timezone.localdate():%Y%m%d}.xlsx")


@operation(ADD, "registry.business")
def business_create(request):
    form = BusinessForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            business = services.business_create(actor=request.user, **form.service_data())
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Business %(name)s created.") % {"name": business.name})
            return redirect("registry:business_detail", pk=business.pk)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("New business"), "cancel": reverse("registry:business_list")},
    )


@operation(VIEW, "registry.business", obj="pk")
def business_detail(request, pk: int, tab: str = "profile"):
    business = get_object_for_user(Business.objects.select_related("region"), request.user, VIEW, pk=pk)
    available = tabs.tabs_for("registry.business", request.user, business)
    current = tabs.get("registry.business", request.GET.get("tab", tab)) or available[0]
    if current not in available:
        raise Http404
    tab_html = current.render(request, business).content.decode()
    return render(
        request,
        "registry/business_detail.html",
        {
            "business": business,
            "tabs": available,
            "current": current,
            "tab_html": tab_html,
            "actions": listing.actions_for("registry.business", request.user, business),
            "can_change": may(request.user, CHANGE, Business),
            "can_delete": may(request.user, DELETE, Business),
        },
    )


@operation(VIEW, "registry.business", obj="pk")
def business_tab(request, pk: int, key: str):
    business = get_object_for_user(Business.objects.select_related("region"), request.user, VIEW, pk=pk)
    tab = tabs.get("registry.business", key)
    if tab is None or tab not in tabs.tabs_for("registry.business", request.user, business):
        raise Http404
    return tab.render(request, business)


@operation(CHANGE, "registry.business", obj="pk")
def business_edit(request, pk: int):
    business = get_object_for_user(Business, request.user, CHANGE, pk=pk)
    form = BusinessForm(request.POST or None, instance=business, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.business_update(
                actor=request.user,
                business=business,
                expected_version=form.cleaned_data.get("version"),
                **form.service_data(),
            )
        except services.ConflictError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:business_detail", pk=business.pk)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": business.name},
            "cancel": reverse("registry:business_detail", args=[pk]),
        },
        status=409 if form.non_field_errors() else 200,
    )


@operation(DELETE, "registry.business", obj="pk")
@require_POST
def business_delete(request, pk: int):
    business = get_object_for_user(Business, request.user, DELETE, pk=pk)
    try:
        services.business_delete(actor=request.user, business=business)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registry:business_detail", pk=pk)
    messages.success(request, _("Business %(name)s deleted.") % {"name": business.name})
    return redirect("registry:business_list")


# --- tabs -------------------------------------------------------------------------------------
def render_profile_tab(request, business):
    return render(
        request,
        "registry/_tab_profile.html",
        {
            "business": business,
            "attributes": selectors.business_attributes(business),
            "contact_phone": masked(business, "contact_phone"),
            "can_reveal": may(request.user, REVEAL, Business),
        },
    )


def render_licences_tab(request, business):
    return render(
        request,
        "registry/_tab_licences.html",
        {
            "business": business,
            "licences": [(lic, licence_warnings(lic, business)) for lic in business.licences.order_by("-valid_until")],
            "can_change": may(request.user, CHANGE, Licence),
            "can_add": may(request.user, ADD, Licence),
            "today": timezone.localdate(),
        },
    )


def render_staff_tab(request, business):
    return render(
        request,
        "registry/_tab_staff.html",
        {
            "business": business,
            "staff": [(s, masked(s, "phone"), masked(s, "id_number")) for s in selectors.staff_for_business(business)],
            "can_reveal": may(request.user, REVEAL, Staff),
            "can_change": may(request.user, CHANGE, Staff),
            "can_add": may(request.user, ADD, Staff),
        },
    )


# --- licences and staff (children of a business) ----------------------------------------------
def _child_form(request, *, form_class, business, instance, create, update, title, tab):
    # the form gets a copy: a valid ModelForm writes its values into its instance, and the service must
    # see the object as stored to tell what changed (else it finds no change and saves nothing)
    form = form_class(request.POST or None, instance=copy.copy(instance) if instance is not None else None)
    form.instance.business = business
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None or instance.pk is None:
                create(actor=request.user, business=business, **form.cleaned_data)
            else:
                update(request.user, instance, form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("registry:business_detail", args=[business.pk]) + f"?tab={tab}")
    return render(
        request,
        "core/form.html",
        {"form": form, "title": title, "cancel": reverse("registry:business_detail", args=[business.pk])},
    )


@operation(ADD, "registry.licence", obj={"pk": "registry.business"})
def licence_create(request, pk: int):
    business = get_object_for_user(Business, request.user, VIEW, pk=pk)
    return _child_form(
        request,
        form_class=LicenceForm,
        business=business,
        instance=None,
        create=services.licence_create,
        update=None,
        tab="licences",
        title=_("New licence for %(name)s") % {"name": business.name},
    )


@operation(CHANGE, "registry.licence", obj="pk")
def licence_edit(request, pk: int):
    licence = get_object_for_user(Licence.objects.select_related("business"), request.user, CHANGE, pk=pk)
    return _child_form(
        request,
        form_class=LicenceForm,
        business=licence.business,
        instance=licence,
        create=None,
        tab="licences",
        title=_("Edit licence %(n)s") % {"n": licence.number},
        update=lambda actor, obj, data: services.licence_update(actor=actor, licence=obj, **data),
    )


@operation(DELETE, "registry.licence", obj="pk")
@require_POST
def licence_delete(request, pk: int):
    licence = get_object_for_user(Licence.objects.select_related("business"), request.user, DELETE, pk=pk)
    services.licence_delete(actor=request.user, licence=licence)
    messages.success(request, _("Licence %(n)s deleted.") % {"n": licence.number})
    return redirect(reverse("registry:business_detail", args=[licence.business_id]) + "?tab=licences")


@operation(ADD, "registry.staff", obj={"pk": "registry.business"})
def staff_create(request, pk: int):
    business = get_object_for_user(Business, request.user, VIEW, pk=pk)
    return _child_form(
        request,
        form_class=StaffForm,
        business=business,
        instance=None,
        create=services.staff_create,
        update=None,
        tab="staff",
        title=_("New staff member for %(name)s") % {"name": business.name},
    )


@operation(CHANGE, "registry.staff", obj="pk")
def staff_edit(request, pk: int):
    staff = get_object_for_user(Staff.objects.select_related("business"), request.user, CHANGE, pk=pk)
    return _child_form(
        request,
        form_class=StaffForm,
        business=staff.business,
        instance=staff,
        create=None,
        tab="staff",
        title=_("Edit %(name)s") % {"name": staff.name},
        update=lambda actor, obj, data: services.staff_update(actor=actor, staff=obj, **data),
    )


@operation(DELETE, "registry.staff", obj="pk")
@require_POST
def staff_delete(request, pk: int):
    staff = get_object_for_user(Staff.objects.select_related("business"), request.user, DELETE, pk=pk)
    services.staff_delete(actor=request.user, staff=staff)
    messages.success(request, _("%(name)s removed.") % {"name": staff.name})
    return redirect(reverse("registry:business_detail", args=[staff.business_id]) + "?tab=staff")


# --- personal data shown in full, one value at a time (audited) ---------------------------------
def _revealed(request, obj) -> HttpResponse:
    field = request.POST.get("field", "")
    try:
        value = reveal(actor=request.user, obj=obj, field=field)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    return render(request, "registry/_revealed.html", {"value": value})


@operation(REVEAL, "registry.staff", obj="pk", write=True)
@never_cache
@require_POST
def staff_reveal(request, pk: int):
    """HTMX: a staff member's phone or identity number in full, in place of the masked one."""
    return _revealed(request, get_object_for_user(Staff, request.user, REVEAL, pk=pk))


@operation(REVEAL, "registry.business", obj="pk", write=True)
@never_cache
@require_POST
def business_reveal(request, pk: int):
    """HTMX: a business's contact phone in full."""
    return _revealed(request, get_object_for_user(Business, request.user, REVEAL, pk=pk))


# --- licence list (expiring within 30 days) ---------------------------------------------------
@operation(VIEW, "registry.licence")
def licence_list(request):
    state = request.GET.get("state") if request.GET.get("state") in {"expiring", "expired"} else None
    q = (request.GET.get("q") or "").strip()[:100] or None
    qs = selectors.licence_list(request.user, state=state, q=q)
    if request.GET.get("format") == "xlsx":
        return _xlsx_response(exports.licences_xlsx(qs), f"licences-{timezone.localdate():%Y%m%d}.xlsx")
    page = listing.paginate(request, qs, PAGE_SIZE)
    return render(
        request,
        "registry/licence_list.html",
        {"page": page, "state": state or "", "q": q or "", "today": timezone.localdate()},
    )


# --- 两员 staffing ------------------------------------------------------------------------------
@operation(VIEW, "registry.business")
def staffing(request):
    from shian.core import snapshots

    from . import kpis  # the rate from the KPI snapshot (officials), live for a business

    kpi = kpis.staffing(request.user)
    return render(
        request,
        "registry/staffing.html",
        {
            "kpi": kpi,
            "fresh": snapshots.freshness(request.user, keys=["registry"]),
            "today": timezone.localdate(),
            "gaps": selectors.staffing_gaps(request.user),
            "rules": selectors.staffing_rules(),
            "can_edit_rules": may(request.user, CHANGE, StaffingRule),
        },
    )


@operation(CHANGE, "registry.staffingrule", obj="pk")
def staffing_rule_edit(request, pk: int | None = None):
    rule = get_object_for_user(StaffingRule, request.user, CHANGE, pk=pk) if pk else None  # city-wide data
    form = StaffingRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        services.staffing_rule_save(actor=request.user, rule=rule, **form.cleaned_data)
        messages.success(request, _("Rule saved; staffing recomputed."))
        return redirect("registry:staffing")
    return render(
        request, "core/form.html", {"form": form, "title": _("Staffing rule"), "cancel": reverse("registry:staffing")}
    )


# --- import -----------------------------------------------------------------------------------
@operation(ADD, "registry.importrun")
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        from .tasks import runs_in_background, start_import

        rows = runs_in_background(data, upload.name)
        if rows:  # a big file: a background job, followed on its page
            return redirect(start_import(data=data, filename=upload.name, actor=request.user, rows=rows))
        result = imports.import_businesses(data=data, filename=upload.name, actor=request.user)
        if result.ok:
            messages.success(request, _("Imported %(name)s.") % {"name": upload.name})
        else:
            messages.error(
                request,
                _("Nothing was imported: the file has errors. Download the report, fix the rows and upload it again."),
            )
        return redirect("registry:import_detail", pk=result.run.pk)
    runs = selectors.import_runs(request.user)[:20]
    return render(request, "registry/import.html", {"form": form, "runs": runs, "columns": imports.COLUMNS})


@operation(VIEW, "registry.importrun", obj="pk")
def import_detail(request, pk: int):
    run = get_object_for_user(ImportRun, request.user, VIEW, pk=pk)
    return render(request, "registry/import_detail.html", {"run": run, "errors": run.errors[:500]})


@operation(VIEW, "registry.importrun", obj="pk")
def import_errors(request, pk: int):
    run = get_object_for_user(ImportRun, request.user, VIEW, pk=pk)
    return _xlsx_response(imports.error_report_xlsx(run), f"import-errors-{run.pk}.xlsx")


@operation(ADD, "registry.importrun")
def import_template(request):
    return _xlsx_response(imports.template_xlsx(), "shian-business-import-template.xlsx")
