from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.kpis import Tile
from shian.core.scoping import BUSINESS_SCOPED_ROLES, VIEW, role_may

from . import selectors
from .models import SelfCheck


def tiles(user) -> list[Tile]:
    if not role_may(user, VIEW, SelfCheck) or user.role in BUSINESS_SCOPED_ROLES:
        return []
    c = selectors.compliance(user)
    rate = c["rate"]
    return [
        Tile(
            "selfcheck_daily",
            _("Daily self-check compliance (30 days)"),
            "—" if rate is None else f"{rate:.1f}",
            unit="%",
            url=reverse("selfchecks:overview"),
            hint=_("%(n)s businesses missed yesterday") % {"n": f"{c['missing_count']:,}"},
            tone="" if rate is None else "good" if rate >= 90 else "warn" if rate >= 60 else "bad",
        )
    ]
