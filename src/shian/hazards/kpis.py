from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.kpis import Bar, Chart, Tile
from shian.core.policy import VIEW, may

from . import selectors
from .models import Hazard


def data(user):
    """Computed once per dashboard, shared by the tiles and the charts (None: nothing to show)."""
    if not may(user, VIEW, Hazard):
        return None
    return {**selectors.hazard_kpis(user), "leads": selectors.lead_kpis(user)}


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
                "hazards on which a case was opened (立案) are not counted; a case lead awaiting a decision does "
                "not change a hazard's state."
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
                "hazards are not overdue; hazards with a case opened (立案) are counted as cases, not here."
            ),
        ),
        Tile(
            "hazards_on_time",
            _("Hazards closed on time"),
            "—" if rate is None else f"{rate:.1f}",
            unit="%",
            hint=_("%(on)s of %(ended)s ended loops closed by the deadline with no case opened; median %(d)s days")
            % {"on": k["on_time"], "ended": k["ended"], "d": k["median_days_to_close"] if k["closed"] else "—"},
            definition=_(
                "整改按期闭环率 = hazards closed after rectification on or before their deadline (or with no "
                "deadline set) and with no case opened (立案) ÷ hazards whose loop has ended (closed, or with a "
                "case opened and not yet closed), × 100, over the hazards of businesses in your scope whose loop "
                "ended in the last 365 days (closed, or the case opened, on that day or later). A hazard on which "
                "a case was opened counts against the rate, whether or not its case is closed since. Median days: "
                "from the day found to the day closed, over the hazards closed in those 365 days."
            ),
        ),
    ]
    leads = k.get("leads")
    if leads is not None:
        leads_url = reverse("hazards:leads")
        out += [
            Tile(
                "case_leads_open",
                _("Case leads awaiting a decision"),
                leads["open"],
                url=leads_url + "?state=open",
                tone="warn" if leads["open"] else "good",
                definition=_(
                    "Case leads (案件线索) about hazards of businesses in your scope on which no one has yet "
                    "decided, today: neither a case opened (立案) nor declined (不予立案). A lead is raised by the "
                    "nightly job for a serious hazard or a hazard overdue past its rule's grace days, or referred by "
                    "an official. Leads are not cases."
                ),
            ),
            Tile(
                "case_leads_12m",
                _("Case leads raised in 12 months"),
                leads["leads_12m"],
                url=leads_url + "?state=all",
                hint=_("%(d)s not opened (不予立案) in 12 months") % {"d": leads["declined_12m"]},
                definition=_(
                    "Case leads about hazards of businesses in your scope raised in the last 365 days (today "
                    "included), whatever their decision since: open, opened as a case or declined. The hint counts "
                    "the leads declined (不予立案) with the decision recorded in the same 365 days."
                ),
            ),
            Tile(
                "cases_12m",
                _("Cases opened in 12 months"),
                leads["accepted_12m"],
                url=leads_url + "?state=accepted",
                definition=_(
                    "Cases opened (立案) on hazards of businesses in your scope: case leads accepted by a regulator "
                    "with the approval of the bureau's head, whose approval date is in the last 365 days (today "
                    "included). Counted by approval date, not by the day the lead was raised "
                    "(市场监督管理行政处罚程序规定 Arts. 18-19)."
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
                    "Notices addressed to you about hazards (a case lead raised, a case opened, rejected evidence) "
                    "that you have not opened yet. Shown only when there is at least one."
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
