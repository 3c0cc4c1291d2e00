"""包保 reads. 包保督导率 (working definition, regulatory notes): assignments supervised on schedule ÷
assignments due. An assignment is due once it has run for a full period of its level; it is on
schedule when its last visit is within that period."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from shian.core.models import User
from shian.core.rollup import RegionTally, child_level, pct
from shian.core.scoping import VIEW

from .models import Assignment, FrequencyRule


def active_assignments(user: User, today: dt.date | None = None) -> QuerySet[Assignment]:
    today = today or timezone.localdate()
    return (
        Assignment.objects.restrict(user, VIEW)
        .filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("official", "business")
        .annotate(last_visit=Max("visits__visited_on"))
    )


def oversight_figures(by_region: RegionTally, by_level: dict[str, list[int]]) -> dict:
    """The 包保督导率 figures from (on time, due) by region and by level: the live computation below and the
    KPI snapshot (oversight.kpis) shape them here, the same way."""
    due = sum(v[1] for v in by_level.values())
    on_time = sum(v[0] for v in by_level.values())
    return {
        "due": due,
        "on_time": on_time,
        "rate": pct(on_time, due),
        "by_region": [
            {"code": r["code"], "name": r["name"], "on_time": c, "due": t, "rate": pct(c, t)}
            for r in by_region.rows()
            for c, t in [r["values"]]
        ],
        "by_level": {k: {"on_time": v[0], "due": v[1], "rate": pct(*v)} for k, v in by_level.items()},
    }


def oversight_status(user: User, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    periods = dict(FrequencyRule.objects.values_list("level", "every_days"))
    behind = []
    by_region = RegionTally(level=child_level(user), width=2)  # (on time, due)
    by_level: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in active_assignments(user, today):
        period = periods.get(a.level, 90)
        if a.starts_on > today - dt.timedelta(days=period):
            continue  # not due yet: the first period is still running
        ok = a.last_visit is not None and a.last_visit >= today - dt.timedelta(days=period)
        by_region.add(a.business.region_path, int(ok), 1)
        by_level[a.level][0] += ok
        by_level[a.level][1] += 1
        if not ok:
            since = a.last_visit or a.starts_on
            behind.append(
                {
                    "assignment": a,
                    "official": a.official,
                    "business": a.business,
                    "level": a.level,
                    "last_visit": a.last_visit,
                    "days_overdue": (today - since).days - period,
                }
            )
    return {
        **oversight_figures(by_region, by_level),
        "behind": sorted(behind, key=lambda b: -b["days_overdue"]),
    }
