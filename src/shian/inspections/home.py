"""What inspections put on home pages (core.home): an inspector's visits for today as phone cards; the
regulator's planned visits behind schedule; a business's last inspection and dynamic rating."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import policy, scoping
from shian.core.choices import Role
from shian.core.home import Card, Need, NeedItem

from .models import Inspection, InspectionState, PlannedVisit
from .planning import visit_status


def overdue_visits(user, today: dt.date):
    """Planned visits whose window has ended without a closed inspection of the business."""
    return (
        PlannedVisit.objects.restrict(user, scoping.VIEW)
        .filter(due_on__lt=today, due_on__year=today.year, plan__superseded_at__isnull=True, done_on__isnull=True)
    )


def visits_behind(user, today: dt.date) -> Need | None:
    if not policy.is_regional(user) or not policy.may(user, scoping.VIEW, "inspections.plannedvisit"):
        return None
    qs = overdue_visits(user, today)
    mine = user.role == Role.INSPECTOR
    if mine:
        qs = qs.filter(inspector=user)
    qs = qs.select_related("business").order_by("due_on", "id")
    count = qs.count()
    items = [
        NeedItem(
            v.business.name,
            reverse("registry:business_detail", args=[v.business_id]) + "?tab=inspections",
            _("due %(d)s") % {"d": v.due_on.isoformat()},
            "bad",
        )
        for v in qs[:5]
    ]
    return Need(
        key="visits_behind",
        label=_("My planned visits behind schedule") if mine else _("Planned visits behind schedule"),
        count=count,
        url=reverse("inspections:plans"),
        tone="bad",
        definition=_(
            "Visits of this year's inspection plans whose due date has passed with no closed inspection of the "
            "business between the window start and the due date"
        ),
        items=items,
    )


def todays_visits(user, today: dt.date) -> Card | None:
    if user.role != Role.INSPECTOR:
        return None
    visits = list(
        PlannedVisit.objects.restrict(user, scoping.VIEW)
        .filter(inspector=user, planned_on=today, plan__superseded_at__isnull=True)
        .select_related("business")
        .order_by("business__longitude", "id")
    )
    status = visit_status(visits, today)
    return Card(
        key="my_day",
        title=_("Today's visits"),
        template="inspections/_home_visits.html",
        context={"visits": [(v, status[v.pk]) for v in visits], "url": reverse("inspections:my_day")},
        order=5,
    )


def last_inspection(user, today: dt.date) -> Card | None:
    business = scoping.business_of(user)
    if business is None:
        return None
    from .rating import rating_for

    latest = (
        Inspection.objects.filter(business=business, state=InspectionState.CLOSED)
        .select_related("inspector")
        .order_by("-inspected_on", "-id")
        .first()
    )
    return Card(
        key="inspection",
        title=_("Last inspection and rating"),
        template="inspections/_home_inspection.html",
        context={"inspection": latest, "rating": rating_for(business, today)},
    )
