"""包保's dashboard tile and overview tiles; the dashboard reads the KPI snapshot (core.snapshots) for
officials and computes live for a business's own staff."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shian.core import kpis, snapshots
from shian.core.kpis import Tile
from shian.core.policy import VIEW, may
from shian.core.rollup import RegionTally, child_level
from shian.registry.models import Business

from . import selectors
from .models import Assignment, FrequencyRule, Visit

KEY = "oversight"


# --- snapshot: per leaf region {"levels": {level: [on time, due]}} -----------------------------------
def compute(prefix: str, today: dt.date) -> dict[str, dict]:
    """The same rule as ``selectors.oversight_status``: due once a full period has run, on schedule when
    the latest visit is within the last period, over the assignments in force today."""
    periods = dict(FrequencyRule.objects.values_list("level", "every_days"))
    out: dict[str, dict] = {
        path: {"levels": {}}
        for path in Business.objects.filter(region_path__startswith=prefix)
        .values_list("region_path", flat=True)
        .distinct()
    }
    rows = (
        Assignment.objects.filter(business__region_path__startswith=prefix, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .annotate(last_visit=Max("visits__visited_on"))
        .values_list("business__region_path", "level", "starts_on", "last_visit")
    )
    for path, level, starts_on, last_visit in rows:
        period = periods.get(level, 90)
        if starts_on > today - dt.timedelta(days=period):
            continue
        ok = last_visit is not None and last_visit >= today - dt.timedelta(days=period)
        acc = out[path]["levels"].setdefault(level, [0, 0])
        acc[0] += int(ok)
        acc[1] += 1
    return out


def from_snapshot(user, snap: snapshots.Snapshot) -> dict:
    """``selectors.oversight_status`` without its list of assignments behind schedule (a list of rows,
    not a figure: the overview page reads that live)."""
    by_region = RegionTally(level=child_level(user), width=2)
    by_level: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path, counts in snap.rows:
        for level, (on_time, due) in counts.get("levels", {}).items():
            by_region.add(path, on_time, due)
            by_level[level][0] += on_time
            by_level[level][1] += due
    return selectors.oversight_figures(by_region, by_level)


def status(user) -> dict:
    """The 包保 figures for ``user``'s scope: from the snapshot, or live (with the behind list)."""
    snap = snapshots.read(user, KEY)
    return selectors.oversight_status(user) if snap is None else from_snapshot(user, snap)


snapshots.register(KEY, compute)
snapshots.watch(Assignment, lambda a: a.business.region_path)
snapshots.watch(Visit, lambda v: v.assignment.business.region_path)


def definition() -> str:
    """包保督导率 in words, with the visit frequencies in force (data: the frequency table)."""
    periods = pgettext("list separator", "; ").join(
        _("%(level)s every %(d)d days") % {"level": r.get_level_display(), "d": r.every_days}
        for r in FrequencyRule.objects.order_by("-every_days")
    )
    return _(
        "包保督导率 = assignments supervised on schedule ÷ assignments due, × 100, over the 包保 assignments "
        "of businesses in your scope in force today. An assignment is due once it has run for one full "
        "period of its level (%(periods)s); it is on schedule when its latest visit falls within the last "
        "period, counted back from today."
    ) % {"periods": periods}


def tiles(user) -> list[Tile]:
    if not may(user, VIEW, Assignment):
        return []
    s = status(user)
    if not s["due"]:
        return []
    rate = s["rate"]
    return [
        Tile(
            "oversight_rate",
            _("Assigned-supervision rate (包保督导率)"),
            f"{rate:.1f}",
            unit="%",
            url=reverse("oversight:overview"),
            hint=_("%(n)d assignments behind schedule") % {"n": s["due"] - s["on_time"]},
            tone=kpis.tone("oversight_rate", rate),
            definition=definition(),
        )
    ]


def overview_tiles(status: dict) -> list[Tile]:
    """The 包保 overview page's tiles, each with its definition, for ``core/_tiles.html``: the rate over
    every assignment (``status`` is ``selectors.oversight_status``), then the rate at each level."""
    rules = {r.level: r for r in FrequencyRule.objects.all()}
    out = [
        Tile(
            "oversight_rate",
            _("Assigned-supervision rate (包保督导率)"),
            "—" if status["rate"] is None else f"{status['rate']:.1f}",
            unit="%",
            hint=_("%(c)s of %(t)s assignments due were visited on schedule")
            % {"c": status["on_time"], "t": status["due"]},
            tone=kpis.tone("oversight_rate", status["rate"]),
            definition=definition(),
        )
    ]
    for level, v in status["by_level"].items():
        rule = rules.get(level)
        name = rule.get_level_display() if rule else level
        out.append(
            Tile(
                f"oversight_rate_{level}",
                name,
                "—" if v["rate"] is None else f"{v['rate']:.1f}",
                unit="%",
                hint=f"{v['on_time']}/{v['due']}",
                tone=kpis.tone("oversight_rate", v["rate"]),
                definition=_(
                    "包保督导率 at %(level)s: the %(level)s assignments supervised on schedule ÷ those due, × 100, "
                    "over the assignments of businesses in your scope in force today. Due once it has run for one "
                    "full period (%(d)s days); on schedule when its latest visit falls within the last %(d)s days."
                )
                % {"level": name, "d": rule.every_days if rule else "—"},
            )
        )
    return out
