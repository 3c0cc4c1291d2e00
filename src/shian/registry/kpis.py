"""The registry's dashboard tiles and charts (registered with core.kpis)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import kpis
from shian.core.kpis import Bar, Chart, Tile
from shian.core.policy import VIEW, may

from . import selectors
from .filters import EXPIRY_WARNING_DAYS
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
