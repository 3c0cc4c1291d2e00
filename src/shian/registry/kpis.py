"""The registry's dashboard tiles and charts (registered with core.kpis)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import kpis
from shian.core.kpis import Bar, Chart, Tile
from shian.core.policy import VIEW, may

from . import selectors
from .models import Business


def data(user):
    """Computed once per dashboard, shared by the tiles and the charts (None: nothing to show)."""
    return selectors.staffing_rate(user) if may(user, VIEW, Business) else None


def tiles(user, staffing) -> list[Tile]:
    if staffing is None:
        return []
    lic = selectors.licence_counts(user)
    rate = staffing["rate"]
    business_url = reverse("registry:business_list")
    return [
        Tile("businesses", _("Operating businesses"), f"{staffing['total']:,}", url=business_url + "?status=operating"),
        Tile(
            "staffing_rate",
            _("Two-staff (两员) staffing rate"),
            "—" if rate is None else f"{rate:.1f}",
            unit="%",
            hint=_("%(c)s of %(t)s complete") % {"c": f"{staffing['complete']:,}", "t": f"{staffing['total']:,}"},
            url=reverse("registry:staffing"),
            tone=kpis.tone("staffing_rate", rate),
        ),
        Tile(
            "licences_expiring",
            _("Licences expiring within 30 days"),
            f"{lic['expiring']:,}",
            url=reverse("registry:licence_list") + "?state=expiring",
            tone="warn" if lic["expiring"] else "good",
        ),
        Tile(
            "licences_expired",
            _("Operating businesses with expired licences"),
            f"{lic['expired_businesses']:,}",
            url=business_url + "?status=operating&licence=expired",
            tone="bad" if lic["expired_businesses"] else "good",
        ),
    ]


def charts(user, staffing) -> list[Chart]:
    if staffing is None:
        return []
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
        bars=[Bar(label, n) for label, n in selectors.business_counts_by_type(user)],
    )
    return [c for c in (by_region, by_type) if c.bars]
