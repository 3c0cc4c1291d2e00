"""What 包保督导 puts on home pages (core.home): an official's own assigned businesses whose visit is
overdue or falls due within a week."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import policy
from shian.core.home import Need, NeedItem

from .models import FrequencyRule
from .selectors import active_assignments

AHEAD_DAYS = 7


def my_visits_due(user, today: dt.date) -> Need | None:
    if not policy.is_regional(user):
        return None
    periods = dict(FrequencyRule.objects.values_list("level", "every_days"))
    due = []
    for a in active_assignments(user, today).filter(official=user):
        next_due = (a.last_visit or a.starts_on) + dt.timedelta(days=periods.get(a.level, 90))
        if next_due <= today + dt.timedelta(days=AHEAD_DAYS):
            due.append((next_due, a))
    due.sort(key=lambda p: (p[0], p[1].pk))
    items = [
        NeedItem(
            a.business.name,
            reverse("registry:business_detail", args=[a.business_id]) + "?tab=oversight",
            (_("%(d)s days overdue") % {"d": (today - when).days})
            if when < today
            else (_("due %(d)s") % {"d": when.isoformat()}),
            "bad" if when < today else "",
        )
        for when, a in due[:5]
    ]
    return Need(
        key="oversight_due",
        label=_("My assigned-supervision visits due"),
        count=len(due),
        url=reverse("oversight:overview"),
        tone="bad" if any(when < today for when, _a in due) else "warn",
        definition=_(
            "Businesses assigned to you whose next visit (last visit, or the start of the assignment, plus the "
            "level's visit interval) is overdue or falls due within %(n)s days"
        )
        % {"n": AHEAD_DAYS},
        items=items,
    )
