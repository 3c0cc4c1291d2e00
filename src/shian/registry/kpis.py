"""The registry's dashboard tiles and charts (registered with core.kpis), read from the KPI snapshots
(core.snapshots) for officials and computed live for a business's own staff."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import kpis, snapshots
from shian.core.kpis import Bar, Chart, Tile
from shian.core.policy import VIEW, may
from shian.core.rollup import RegionTally, child_level

from . import selectors
from .choices import BusinessStatus, BusinessType
from .filters import EXPIRY_WARNING_DAYS, licence_state_q
from .models import Business, Licence, Staff

KEY = "registry"


def data(user):
    """Computed once per dashboard, shared by the tiles and the charts (None: nothing to show)."""
    if not may(user, VIEW, Business):
        return None
    snap = snapshots.read(user, KEY)
    if snap is None:
        return live(user)
    return from_snapshot(user, snap)


def live(user) -> dict:
    return {
        "staffing": selectors.staffing_rate(user),
        "licences": selectors.licence_counts(user),
        "by_type": selectors.business_counts_by_type(user),
    }


# --- snapshot: per leaf region {"types": {type: [complete, total]}, "expiring", "expired"} ----------
def compute(prefix: str, today: dt.date) -> dict[str, dict]:
    out: dict[str, dict] = {
        path: {"types": {}, "expiring": 0, "expired": 0}
        for path in Business.objects.filter(region_path__startswith=prefix)
        .values_list("region_path", flat=True)
        .distinct()
    }
    operating = Business.objects.filter(region_path__startswith=prefix, status=BusinessStatus.OPERATING)
    rows = operating.values("region_path", "type").annotate(
        total=Count("id"), complete=Count("id", filter=Q(staffing_complete=True))
    )
    for r in rows:
        out[r["region_path"]]["types"][r["type"]] = [r["complete"], r["total"]]
    expiring = (
        Licence.objects.filter(
            business__region_path__startswith=prefix,
            business__status=BusinessStatus.OPERATING,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS),
        )
        .values(path=F("business__region_path"))
        .annotate(n=Count("id"))
    )
    for r in expiring:
        out[r["path"]]["expiring"] = r["n"]
    expired = operating.filter(licence_state_q("expired", today)).values("region_path").annotate(n=Count("id"))
    for r in expired:
        out[r["region_path"]]["expired"] = r["n"]
    return out


def from_snapshot(user, snap: snapshots.Snapshot) -> dict:
    """The same figures as :func:`live`, summed from the leaf rows of the user's scope."""
    by_region = RegionTally(level=child_level(user), width=2)
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    expiring = expired = 0
    for path, counts in snap.rows:
        for t, (c, n) in counts.get("types", {}).items():
            by_region.add(path, c, n)
            by_type[t][0] += c
            by_type[t][1] += n
        expiring += counts.get("expiring", 0)
        expired += counts.get("expired", 0)
    staffing = selectors.staffing_figures(by_region, by_type)
    labels = dict(BusinessType.choices)
    counts_by_type = sorted(((k, v[1]) for k, v in by_type.items() if v[1]), key=lambda kv: (-kv[1], kv[0]))
    return {
        "staffing": staffing,
        "licences": {"expiring": expiring, "expired_businesses": expired},
        "by_type": [(str(labels.get(k, k)), n) for k, n in counts_by_type],
    }


def staffing(user) -> dict:
    """两员配备率 for the staffing page: from the snapshot for officials, live for a business."""
    snap = snapshots.read(user, KEY)
    return selectors.staffing_rate(user) if snap is None else from_snapshot(user, snap)["staffing"]


snapshots.register(KEY, compute)
snapshots.watch(Business, lambda b: b.region_path)
snapshots.watch(Licence, lambda lic: lic.business.region_path)
snapshots.watch(Staff, lambda s: s.business.region_path)


def tiles(user, d) -> list[Tile]:
    if d is None:
        return []
    staffing, lic = d["staffing"], d["licences"]
    rate = staffing["rate"]
    business_url = reverse("registry:business_list")
    return [
        Tile(
            "businesses",
            _("Operating businesses"),
            f"{staffing['total']:,}",
            url=business_url + "?status=operating",
            definition=_(
                "Businesses in your scope whose status on the register is operating (在营), counted today. "
                "Suspended and deregistered businesses are not counted."
            ),
        ),
        Tile(
            "staffing_rate",
            _("Two-staff (两员) staffing rate"),
            "—" if rate is None else f"{rate:.1f}",
            unit="%",
            hint=_("%(c)s of %(t)s complete") % {"c": f"{staffing['complete']:,}", "t": f"{staffing['total']:,}"},
            url=reverse("registry:staffing"),
            tone=kpis.tone("staffing_rate", rate),
            definition=_(
                "两员配备率 = operating businesses that have, among their active staff, every role the staffing "
                "rule table requires of their type, scale and diners per meal (a food-safety director 食品安全总监, "
                "an officer 食品安全员, or both) ÷ all operating businesses, × 100. Counted today, in your scope."
            ),
        ),
        Tile(
            "licences_expiring",
            _("Licences expiring within 30 days"),
            f"{lic['expiring']:,}",
            url=reverse("registry:licence_list") + "?state=expiring",
            tone="warn" if lic["expiring"] else "good",
            definition=_(
                "Licences (food business and food production licences) of operating businesses in your scope "
                "whose validity ends between today and %(n)d days from today, both days included. It counts "
                "licences, not businesses; filings (备案) have no expiry and are never counted."
            )
            % {"n": EXPIRY_WARNING_DAYS},
        ),
        Tile(
            "licences_expired",
            _("Operating businesses with expired licences"),
            f"{lic['expired_businesses']:,}",
            url=business_url + "?status=operating&licence=expired",
            tone="bad" if lic["expired_businesses"] else "good",
            definition=_(
                "Operating businesses in your scope that have at least one licence on record but none valid "
                "today: the validity of every licence they hold ended before today (a filing, 备案, counts as "
                "valid). Businesses with no licence on record at all are not counted here."
            ),
        ),
    ]


def charts(user, d) -> list[Chart]:
    if d is None:
        return []
    staffing = d["staffing"]
    list_url = reverse("registry:business_list")
    by_region = Chart(
        "staffing_by_region",
        _("Two-staff staffing rate by region"),
        unit="%",
        max_value=100,
        bars=[
            Bar(r["name"], r["rate"] or 0.0, f"{list_url}?region={r['region_id']}&staffing=incomplete")
            for r in staffing["by_region"]
        ],
    )
    by_type = Chart(
        "businesses_by_type",
        _("Operating businesses by type"),
        bars=[Bar(label, n) for label, n in d["by_type"]],
    )
    return [c for c in (by_region, by_type) if c.bars]
