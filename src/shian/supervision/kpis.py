"""Supervision's dashboard tiles and chart, and the grade page's distribution, read from the KPI
snapshots (core.snapshots) for officials and computed live for a business's own staff."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shian.core import snapshots
from shian.core.kpis import Bar, Chart, Tile
from shian.core.policy import VIEW, may
from shian.core.rollup import RegionTally, child_level
from shian.registry.models import Business

from . import selectors
from .models import BusinessGrade, GradeBand

KEY = "supervision"


def data(user):
    """Computed once per dashboard, shared by the tiles and the charts (None: nothing to show)."""
    return grade_distribution(user) if may(user, VIEW, BusinessGrade) else None


def grade_distribution(user) -> dict:
    """``selectors.grade_distribution`` from the snapshot (officials) or live (a business, or no snapshot
    of the rule set in force). The grade page reads this too."""
    snap = snapshots.read(user, KEY)
    if snap is not None:
        d = from_snapshot(user, snap)
        if d is not None:
            return d
        snapshots.scope(user).live.add(KEY)  # the snapshot is of another rule set: live, and say so
    return selectors.grade_distribution(user)


# --- snapshot: per leaf region {"rule_sets": {id: 1}, "grades": {grade: n}, "key": n} ------------------
def _rule_set_key(rule_set) -> str:
    return str(rule_set.pk) if rule_set else "none"


def compute(prefix: str, today: dt.date) -> dict[str, dict]:
    """Counts per grade under the rule set in force; ``rule_sets`` counts the leaves computed under each
    rule set (it sums like the rest), so a snapshot of another rule set is never read as this one's."""
    rule_set = selectors.active_rule_set()
    rs = _rule_set_key(rule_set)
    out: dict[str, dict] = {
        path: {"rule_sets": {rs: 1}, "grades": {}, "key": 0}
        for path in Business.objects.filter(region_path__startswith=prefix)
        .values_list("region_path", flat=True)
        .distinct()
    }
    rows = (
        BusinessGrade.objects.filter(business__region_path__startswith=prefix, rule_set=rule_set)
        .values(path=F("business__region_path"), g=F("grade"))
        .annotate(n=Count("id"), key=Count("id", filter=Q(key_supervision=True)))
    )
    for r in rows:
        leaf = out[r["path"]]
        leaf["grades"][r["g"]] = r["n"]
        leaf["key"] += r["key"]
    return out


def from_snapshot(user, snap: snapshots.Snapshot) -> dict | None:
    """The same dict as ``selectors.grade_distribution``, summed from the leaf rows; None when the rows
    were computed under another rule set than the one in force."""
    rule_set = selectors.active_rule_set()
    rs = _rule_set_key(rule_set)
    if any(set(counts.get("rule_sets", {"?": 1})) != {rs} for _path, counts in snap.rows):
        return None
    bands = list(GradeBand.objects.filter(rule_set=rule_set).order_by("min_score")) if rule_set else []
    position = {b.grade: i for i, b in enumerate(bands)}
    totals: Counter = Counter()
    key = 0
    by_region = RegionTally(level=child_level(user), width=len(bands))
    for path, counts in snap.rows:
        key += counts.get("key", 0)
        for g, n in counts.get("grades", {}).items():
            totals[g] += n
            if g in position:
                values = [0] * len(bands)
                values[position[g]] = n
                by_region.add(path, *values)
    required_min = sum(float(b.inspections_min) * totals.get(b.grade, 0) for b in bands)
    required_max = sum(float(b.inspections_max) * totals.get(b.grade, 0) for b in bands)
    return {
        "rule_set": rule_set,
        "bands": bands,
        "totals": [(b.grade, totals.get(b.grade, 0)) for b in bands],
        "graded": sum(totals.values()),
        "key_supervision": key,
        "inspections_min": round(required_min),
        "inspections_max": round(required_max),
        "by_region": [{"code": r["code"], "name": r["name"], "counts": r["values"]} for r in by_region.rows()],
    }


snapshots.register(KEY, compute)
snapshots.watch(BusinessGrade, lambda g: g.business.region_path)


def tiles(user, d) -> list[Tile]:
    if d is None:
        return []
    if not d["rule_set"]:
        return []
    # the highest-risk grade is the band the rule set marks "high" (data), with the highest score
    totals = dict(d["totals"])
    high_bands = [b for b in d["bands"] if b.risk == "high"] or d["bands"][-1:]
    top = max(high_bands, key=lambda b: b.min_score) if high_bands else None
    high = (top.grade, totals.get(top.grade, 0)) if top else ("", 0)
    return [
        Tile(
            "grade_high",
            _("Highest-risk grade (%(g)s)") % {"g": high[0]},
            high[1],
            url=reverse("supervision:grades") + f"?grade={high[0]}",
            tone="warn" if high[1] else "good",
            definition=_(
                "Businesses in your scope whose current risk grade, under the rule set in force, “%(rules)s”, is "
                "its highest-risk grade, %(g)s. Only operating businesses have a current grade; the grade is "
                "the one last computed (nightly, and after each closed inspection)."
            )
            % {"rules": d["rule_set"].name, "g": high[0]},
        ),
        Tile(
            "inspections_required",
            _("Inspections required per year"),
            f"{d['inspections_min']:,}–{d['inspections_max']:,}",
            url=reverse("supervision:grades"),
            definition=_(
                "The routine inspections a year that the current grades of the businesses in your scope require: "
                "the sum, over every graded (operating) business, of the lowest and of the highest number of "
                "inspections a year its grade band sets (%(bands)s)."
            )
            % {"bands": _frequencies(d["bands"])},
        ),
    ]


def _frequencies(bands) -> str:
    """Each band's inspections a year, from the rule set's data, e.g. "A 1, B 1–2, C 2–3, D 3–4"."""

    def n(x) -> str:
        return f"{float(x):g}"

    return pgettext("list separator", ", ").join(
        f"{b.grade} {n(b.inspections_min)}"
        + ("" if b.inspections_min == b.inspections_max else f"–{n(b.inspections_max)}")
        for b in bands
    )


def charts(user, d) -> list[Chart]:
    if d is None:
        return []
    return (
        [Chart("grades", _("Businesses by risk grade"), bars=[Bar(g, n) for g, n in d["totals"]])]
        if d["graded"]
        else []
    )
