from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import kpis
from shian.core.kpis import Tile
from shian.core.policy import VIEW, may

from . import selectors
from .models import Assignment


def tiles(user) -> list[Tile]:
    if not may(user, VIEW, Assignment):
        return []
    s = selectors.oversight_status(user)
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
        )
    ]
