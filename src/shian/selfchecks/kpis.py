"""Self-checks' dashboard tile, read from the KPI snapshot (core.snapshots) for officials."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F
from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import kpis, snapshots
from shian.core.kpis import Tile
from shian.core.policy import VIEW, is_regional, may
from shian.core.rollup import RegionTally, child_level
from shian.registry.choices import BusinessStatus
from shian.registry.models import Business

from . import selectors
from .models import Kind, SelfCheck

KEY = "selfchecks"


# --- snapshot: per leaf region {"types": {type: [filed, operating businesses]}, "missing": n} ---------
def compute(prefix: str, today: dt.date) -> dict[str, dict]:
    """The daily (日管控) figures of ``selectors.compliance``: checks filed in the last complete days by
    the businesses operating today, those businesses, and those with no check for yesterday."""
    window = selectors.periods(Kind.DAILY, today)
    out: dict[str, dict] = {
        path: {"types": {}, "missing": 0}
        for path in Business.objects.filter(region_path__startswith=prefix)
        .values_list("region_path", flat=True)
        .distinct()
    }
    operating = Business.objects.filter(region_path__startswith=prefix, status=BusinessStatus.OPERATING)
    for r in operating.values("region_path", "type").annotate(n=Count("id")):
        out[r["region_path"]]["types"][r["type"]] = [0, r["n"]]
    filed = SelfCheck.objects.filter(
        business__region_path__startswith=prefix,
        kind=Kind.DAILY,
        period_start__in=window,
        business__status=BusinessStatus.OPERATING,
    )
    for r in filed.values(path=F("business__region_path"), t=F("business__type")).annotate(n=Count("id")):
        out[r["path"]]["types"].setdefault(r["t"], [0, 0])[0] = r["n"]
    missing = operating.exclude(
        pk__in=SelfCheck.objects.filter(kind=Kind.DAILY, period_start=window[0]).values("business_id")
    )
    for r in missing.values("region_path").annotate(n=Count("id")):
        out[r["region_path"]]["missing"] = r["n"]
    return out


def from_snapshot(user, snap: snapshots.Snapshot, today: dt.date | None = None) -> dict:
    """``selectors.compliance`` (daily) without the list of the businesses missing yesterday's check."""
    window = selectors.periods(Kind.DAILY, snap.as_of or today or dt.date.today())
    n = len(window)
    by_region = RegionTally(level=child_level(user), width=2)  # (filed, expected)
    filed_type: dict[str, int] = defaultdict(int)
    expected_type: dict[str, int] = defaultdict(int)
    missing = 0
    for path, counts in snap.rows:
        missing += counts.get("missing", 0)
        for t, (filed, businesses) in counts.get("types", {}).items():
            by_region.add(path, filed, businesses * n)
            filed_type[t] += filed
            if businesses:
                expected_type[t] += businesses * n
    return {
        **selectors.compliance_figures(Kind.DAILY, window, by_region, filed_type, expected_type),
        "missing_count": missing,
    }


def compliance(user) -> dict:
    """The daily compliance for ``user``'s scope: from the snapshot, or live."""
    snap = snapshots.read(user, KEY)
    return selectors.compliance(user) if snap is None else from_snapshot(user, snap)


def overview(user) -> dict:
    """The overview page's daily figures: from the snapshot with the first 100 businesses missing
    yesterday's check read live (a list, not a figure), or all live."""
    snap = snapshots.read(user, KEY)
    if snap is None:
        return selectors.compliance(user)
    c = from_snapshot(user, snap)
    businesses = Business.objects.restrict(user, VIEW).filter(status=BusinessStatus.OPERATING)
    done = SelfCheck.objects.filter(kind=Kind.DAILY, period_start=c["latest"]).values("business_id")
    c["missing"] = businesses.exclude(pk__in=done).order_by("name")[:100]
    return c


snapshots.register(KEY, compute)
snapshots.watch(SelfCheck, lambda c: c.business.region_path)


def tiles(user) -> list[Tile]:
    if not may(user, VIEW, SelfCheck) or not is_regional(user):
        return []
    c = compliance(user)
    rate = c["rate"]
    return [
        Tile(
            "selfcheck_daily",
            _("Daily self-check compliance (30 days)"),
            "—" if rate is None else f"{rate:.1f}",
            unit="%",
            url=reverse("selfchecks:overview"),
            hint=_("%(n)s businesses missed yesterday") % {"n": f"{c['missing_count']:,}"},
            tone=kpis.tone("selfcheck_daily", rate),
            definition=_(
                "日管控落实率 = daily self-checks (日管控) filed for the last %(n)d complete days — yesterday and "
                "the %(m)d days before it — by businesses in your scope operating today ÷ (those businesses × "
                "%(n)d), × 100. Today is not counted: its check may still come in. The hint counts the "
                "operating businesses with no daily check filed for yesterday."
            )
            % {"n": c["periods"], "m": c["periods"] - 1},
        )
    ]
