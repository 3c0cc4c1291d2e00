from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.kpis import Bar, Chart, Tile
from shian.core.policy import VIEW, may

from . import selectors
from .models import Hazard


def data(user):
    """Computed once per dashboard, shared by the tiles and the charts (None: nothing to show)."""
    return selectors.hazard_kpis(user) if may(user, VIEW, Hazard) else None


def tiles(user, k) -> list[Tile]:
    if k is None:
        return []
    url = reverse("hazards:list")
    rate = k["on_time_rate"]
    out = [
        Tile(
            "hazards_open",
            _("Open hazards"),
            k["open"],
            url=url + "?state=open",
            definition=_(
                "Hazards of businesses in your scope whose loop is still open today: found, rectification "
                "ordered, rectifying, evidence submitted, or verified and awaiting closing. Closed hazards and "
                "hazards escalated to a case (立案) are not counted."
            ),
        ),
        Tile(
            "hazards_overdue",
            _("Overdue hazards"),
            k["overdue"],
            url=url + "?overdue=1",
            tone="bad" if k["overdue"] else "good",
            definition=_(
                "Open hazards of businesses in your scope still awaiting rectification (found, ordered, "
                "rectifying or evidence submitted) whose rectification deadline is before today. Verified "
                "hazards are not overdue; escalated ones are counted as cases, not here."
            ),
        ),
        Tile(
            "hazards_on_time",
            _("Hazards closed on time"),
            "—" if rate is None else f"{rate:.1f}",
            unit="%",
            hint=_("%(on)s of %(ended)s ended loops closed by the deadline without escalation; median %(d)s days")
            % {"on": k["on_time"], "ended": k["ended"], "d": k["median_days_to_close"] if k["closed"] else "—"},
            definition=_(
                "整改按期闭环率 = hazards closed after rectification on or before their deadline (or with no "
                "deadline set) and never escalated ÷ hazards whose loop has ended (closed, or escalated to a "
                "case and not yet closed), × 100, over every hazard recorded for businesses in your scope. A "
                "hazard escalated for being overdue counts against the rate, whether or not its case is closed "
                "since. Median days: from the day found to the day closed, over closed hazards."
            ),
        ),
    ]
    unread = selectors.unread_notifications(user).count()
    if unread:
        out.append(
            Tile(
                "notifications",
                _("Unread hazard notices"),
                unread,
                url=url + "?state=escalated",
                tone="warn",
                definition=_(
                    "Notices addressed to you about hazards (an escalation to a case, rejected evidence) that "
                    "you have not opened yet. Shown only when there is at least one."
                ),
            )
        )
    return out


def charts(user, k) -> list[Chart]:
    if k is None:
        return []
    rows = k["by_region"]
    return (
        [
            Chart(
                "hazards_overdue_by_region",
                _("Overdue hazards by region"),
                bars=[Bar(r["name"], r["overdue"]) for r in rows],
            )
        ]
        if rows
        else []
    )
