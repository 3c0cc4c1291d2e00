from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shian.core import kpis
from shian.core.kpis import Tile
from shian.core.policy import VIEW, may

from . import selectors
from .models import Assignment, FrequencyRule


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
