from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import kpis
from shian.core.kpis import Tile
from shian.core.policy import VIEW, is_regional, may

from . import selectors
from .models import SelfCheck


def tiles(user) -> list[Tile]:
    if not may(user, VIEW, SelfCheck) or not is_regional(user):
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
