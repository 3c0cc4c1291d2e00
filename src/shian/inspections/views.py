"""Inspection pages: start from a business, fill the checklist (phone-friendly), close, PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shian.core import checklists
from shian.core.limits import max_length_of
from shian.core.policy import ADD, CHANGE, VIEW, check_kind, get_object_for_user, may, operation
from shian.registry.models import Business

from . import selectors, services
from .models import Conclusion, Inspection, InspectionState, Outcome
from .pdf import inspection_pdf


@operation(VIEW, "inspections.inspection")
def inspection_list(request):
    conclusion = request.GET.get("conclusion") if request.GET.get("conclusion") in Conclusion.values else None
    page = Paginator(selectors.inspection_list(request.user, conclusion=conclusion), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "inspections/list.html",
        {"page": page, "conclusions": Conclusion.choices, "conclusion": conclusion or ""},
    )


@operation(ADD, "inspections.inspection", obj={"business_pk": "registry.business"})
@require_POST
def inspection_start(request, business_pk: int):
    business = get_object_for_user(Business, request.user, VIEW, pk=business_pk)
    try:
        inspection = services.inspection_start(actor=request.user, business=business)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registry:business_detail", pk=business.pk)
    return redirect("inspections:detail", pk=inspection.pk)


@operation(VIEW, "inspections.inspection", obj="pk")
def inspection_detail(request, pk: int):
    inspection = get_object_for_user(
        Inspection.objects.select_related("business", "template", "inspector"), request.user, VIEW, pk=pk
    )
    if request.method == "POST":
        return _save(request, inspection)
    results = list(inspection.results.select_related("item").prefetch_related("photos"))
    editable = inspection.state == InspectionState.DRAFT and may(request.user, CHANGE, Inspection)
    raised = []
    if not editable:  # the record: failed items first, and the hazards they raised
        results.sort(key=lambda r: (r.outcome != Outcome.FAIL, not r.item.is_key, r.item.order))
        from shian.hazards.selectors import hazards_raised_by

        raised = list(hazards_raised_by(request.user, f"inspections.inspection:{inspection.pk}"))
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            "results": results,
            "checklist": _checklist(inspection, results),
            "editable": editable,
            "raised": raised,
            "limits": {f: max_length_of(Inspection, f) for f in ("summary", "representative")},
        },
    )


# the phone checklist (core/_checklist.html) answers 是 / 否 / 合理缺项; the form posts the outcomes
ANSWER_OF_OUTCOME = {Outcome.PASS: checklists.YES, Outcome.FAIL: checklists.NO, Outcome.NA: checklists.NA}


def _checklist(inspection: Inspection, results) -> checklists.Checklist:
    return checklists.Checklist(
        [
            checklists.Row(
                id=r.item_id,
                order=r.item.order,
                text=r.item.text,
                section=r.item.section,
                is_key=r.item.is_key,
                answer=ANSWER_OF_OUTCOME.get(r.outcome, ""),
                note=r.note,
                photos=[
                    checklists.Photo(reverse("inspections:file", args=[inspection.pk, "photo", p.pk]))
                    for p in r.photos.all()
                ],
            )
            for r in results
        ]
    )


def _save(request, inspection: Inspection):
    check_kind(request.user, CHANGE, Inspection)  # a POST records results: the page itself is VIEW
    inspection = get_object_for_user(Inspection, request.user, CHANGE, pk=inspection.pk)
    results = {}
    all_ok = bool(request.POST.get("all_ok"))  # 全部符合 without the script: items left unanswered pass
    for r in inspection.results.all():
        outcome = request.POST.get(f"outcome_{r.item_id}")
        if outcome is None and all_ok and r.outcome == Outcome.PENDING:
            outcome = Outcome.PASS
        if outcome is not None:
            results[r.item_id] = {"outcome": outcome, "note": request.POST.get(f"note_{r.item_id}", "")}
    photos = {
        r.item_id: request.FILES.getlist(f"photo_{r.item_id}")
        for r in inspection.results.all()
        if request.FILES.getlist(f"photo_{r.item_id}")
    }
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        messages.error(request, _("The form's version is not a number: reload the page."))
        return redirect("inspections:detail", pk=inspection.pk)
    try:
        inspection = services.inspection_record(
            actor=request.user, inspection=inspection, results=results, expected_version=version, photos=photos
        )
        if request.POST.get("close"):
            services.inspection_close(
                actor=request.user,
                inspection=inspection,
                summary=request.POST.get("summary", ""),
                representative=request.POST.get("representative", ""),
                expected_version=inspection.version,
                inspector_signature=request.POST.get("inspector_signature", ""),
                representative_signature=request.POST.get("representative_signature", ""),
            )
            messages.success(request, _("Inspection closed."))
        else:
            messages.success(request, _("Saved."))
    except services.ConflictError as exc:
        messages.error(request, str(exc))
        return render(request, "inspections/conflict.html", {"inspection": inspection, "message": str(exc)}, status=409)
    except ValidationError as exc:
        messages.error(request, _field_errors(exc))
    return redirect("inspections:detail", pk=inspection.pk)


def _field_errors(exc: ValidationError) -> str:
    """The errors of a refused save, each after the name of its field (“summary: At most …”)."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    labels = {
        "summary": Inspection._meta.get_field("summary").verbose_name,
        "representative": Inspection._meta.get_field("representative").verbose_name,
    }
    parts = []
    for name, errors in exc.message_dict.items():
        if name.startswith("note_"):
            label = _("note of item %(id)s") % {"id": name.removeprefix("note_")}
        else:
            label = labels.get(name, name)
        parts.append(f"{label}: {' '.join(errors)}")
    return " ".join(parts)


@operation(VIEW, "inspections.inspection", obj="pk")
def inspection_pdf_view(request, pk: int):
    inspection = get_object_for_user(
        Inspection.objects.select_related("business", "template", "inspector"), request.user, VIEW, pk=pk
    )
    response = HttpResponse(inspection_pdf(inspection), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="inspection-{inspection.pk}.pdf"'
    return response


def render_business_tab(request, business):
    return render(
        request,
        "inspections/_business_tab.html",
        {
            "business": business,
            "inspections": selectors.inspection_list(request.user, business_id=business.pk)[:50],
            "can_start": may(request.user, ADD, Inspection),
        },
    )


def render_rating_tab(request, business):
    from .rating import rating_for

    return render(request, "inspections/_rating_tab.html", {"rating": rating_for(business)})


# --- plans ------------------------------------------------------------------------------------
@operation(VIEW, "inspections.inspectionplan")
def plan_list(request):
    from shian.core.selectors import regions_for_user

    from .models import InspectionPlan
    from .tasks import start_plan

    if request.method == "POST":
        check_kind(request.user, ADD, InspectionPlan)
        region = regions_for_user(request.user).filter(pk=request.POST.get("region") or 0, level__lte=2).first()
        from .planning import PLAN_YEARS_AHEAD, PLAN_YEARS_BACK

        this_year = timezone.localdate().year
        try:
            year = int(request.POST.get("year", "")[:6])
            share = float(request.POST.get("random_share")[:20] if request.POST.get("random_share") else 0.2)
        except ValueError:
            messages.error(request, _("Year and share must be numbers."))
            return redirect("inspections:plans")
        years_ok = this_year - PLAN_YEARS_BACK <= year <= this_year + PLAN_YEARS_AHEAD
        if region is None or not years_ok or not (0 <= share <= 1):
            messages.error(
                request,
                _("Choose a district or city in your scope, a year from %(a)d to %(b)d, and a share between 0 and 1.")
                % {"a": this_year - PLAN_YEARS_BACK, "b": this_year + PLAN_YEARS_AHEAD},
            )
            return redirect("inspections:plans")
        # a background job (a city's plan takes seconds): its page follows it and then opens the plan; the
        # 双随机 seed is drawn by the server, never taken from the form
        return redirect(start_plan(actor=request.user, region=region, year=year, random_share=share))
    return render(
        request,
        "inspections/plans.html",
        {
            "plans": InspectionPlan.objects.restrict(request.user, VIEW).select_related("region", "created_by"),
            "regions": regions_for_user(request.user).filter(level__lte=2),
            "year": timezone.localdate().year,
            "can_generate": may(request.user, ADD, InspectionPlan),
        },
    )


@operation(VIEW, "inspections.inspectionplan", obj="pk")
def plan_detail(request, pk: int):
    from collections import Counter

    from shian.core.models import User

    from .models import InspectionPlan, PlannedVisit
    from .planning import visit_status

    plan = get_object_for_user(
        InspectionPlan.objects.select_related("region", "created_by", "superseded_by"), request.user, VIEW, pk=pk
    )
    visits = PlannedVisit.objects.restrict(request.user, VIEW).filter(plan=plan)
    month = request.GET.get("month")
    if month and month.isdigit() and 1 <= int(month) <= 12:
        visits = visits.filter(window_start__month=int(month))
    if request.GET.get("mine"):
        visits = visits.filter(inspector=request.user)
    # every visit's status (for the counts and the filter), then one page of them with names
    fields = ("pk", "business_id", "inspector_id", "window_start", "due_on", "done_on")
    slim = list(visits.only(*fields).order_by("due_on", "pk"))
    status = visit_status(slim)
    wanted = request.GET.get("status")
    wanted = wanted if wanted in {"done", "due", "overdue", "upcoming"} else ""
    ids = [v.pk for v in slim if not wanted or status[v.pk] == wanted]
    page = Paginator(ids, 100).get_page(request.GET.get("page"))
    shown = PlannedVisit.objects.filter(pk__in=list(page.object_list)).select_related("business", "inspector")
    by_pk = {v.pk: v for v in shown}
    rows = [(by_pk[pk], status[pk]) for pk in page.object_list]
    per_inspector = Counter(v.inspector_id for v in slim)
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=[i for i in per_inspector if i])}
    workload = Counter({names.get(i, _("unassigned")) if i else _("unassigned"): n for i, n in per_inspector.items()})
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "page": page,
            "counts": Counter(status.values()),
            "workload": sorted(workload.items()),
            "month": month or "",
            "wanted": wanted or "",
            "months": range(1, 13),
        },
    )


@operation(VIEW, "inspections.inspection", obj={"pk": "inspections.inspection", "file_pk": "inspections.itemphoto"})
def inspection_file(request, pk: int, kind: str, file_pk: int = 0):
    """A photo or signature of an inspection, for users who may see the inspection."""
    from django.http import Http404

    from shian.core.files import open_upload, serve_upload

    inspection = get_object_for_user(Inspection, request.user, VIEW, pk=pk)
    if kind == "photo":
        from .models import ItemPhoto

        photos = ItemPhoto.objects.filter(result__inspection=inspection)
        photo = get_object_for_user(photos, request.user, VIEW, pk=file_pk)
        return serve_upload(
            open_upload(photo.file), content_type=photo.content_type, filename=photo.file.name.rsplit("/", 1)[-1]
        )
    field = {"inspector": inspection.inspector_signature, "representative": inspection.representative_signature}.get(
        kind
    )
    if not field:
        raise Http404
    return serve_upload(open_upload(field), content_type="image/png", filename=f"signature-{kind}-{inspection.pk}.png")


@operation(VIEW, "inspections.plannedvisit")
def my_day(request):
    """An inspector's day: the month's calendar of planned visits, the day's list and a map."""
    import calendar
    import datetime as dt
    from collections import Counter

    from django.utils import timezone

    from shian.core.models import User

    from .models import PlannedVisit
    from .planning import visit_status

    try:
        day = dt.date.fromisoformat(request.GET.get("date") or timezone.localdate().isoformat())
    except ValueError:
        day = timezone.localdate()
    visible = PlannedVisit.objects.restrict(request.user, VIEW).filter(plan__superseded_at__isnull=True)
    inspector = request.user
    wanted = request.GET.get("inspector", "")
    if wanted.isdigit():  # another inspector's day: only one whose visits this user may see
        other = User.objects.filter(pk=int(wanted)).first()
        if other is not None and visible.filter(inspector=other).exists():
            inspector = other
    mine = visible.filter(inspector=inspector)
    month_counts = Counter(
        mine.filter(planned_on__year=day.year, planned_on__month=day.month).values_list("planned_on", flat=True)
    )
    weeks = calendar.Calendar().monthdatescalendar(day.year, day.month)
    todays = list(mine.filter(planned_on=day).select_related("business").order_by("business__longitude"))
    status = visit_status(todays)
    return render(
        request,
        "inspections/my_day.html",
        {
            "day": day,
            "inspector": inspector,
            "weeks": weeks,
            "counts": month_counts,
            "visits": [(v, status[v.pk]) for v in todays],
            "today": timezone.localdate(),
            "points": [(v.business.latitude, v.business.longitude, v.business.name) for v in todays],
            "prev": (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1),
            "next": (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1),
        },
    )
