"""Hazards' dashboard tiles and chart, read from the KPI snapshots (core.snapshots) for officials and
computed live for a business's own staff. The unread notices are the user's own: always live."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import policy, snapshots
from shian.core.kpis import Bar, Chart, Tile
from shian.core.policy import VIEW, may
from shian.core.rollup import RegionTally, child_level, pct
from shian.registry.models import Business

from . import selectors
from .choices import HazardState, LeadState
from .models import CaseLead, Hazard

KEY = "hazards"
OPEN_STATES = [*selectors.ACTIVE, HazardState.VERIFIED]


def data(user):
    """Computed once per dashboard, shared by the tiles and the charts (None: nothing to show)."""
    if not may(user, VIEW, Hazard):
        return None
    snap = snapshots.read(user, KEY)
    if snap is None:
        return live(user)
    return from_snapshot(user, snap)


def live(user) -> dict:
    return {**selectors.hazard_kpis(user), "leads": selectors.lead_kpis(user)}


# --- snapshot: per leaf region, additive counts; the days to close as a histogram {days: n} ------------
LEAD_FIELDS = ("leads_12m", "open", "accepted_12m", "declined_12m")


def _zero() -> dict:
    return {
        "open": 0,
        "overdue": 0,
        "escalated": 0,
        "closed": 0,
        "still_escalated": 0,
        "on_time": 0,
        "days": {},
        "leads": dict.fromkeys(LEAD_FIELDS, 0),
    }


def compute(prefix: str, today: dt.date) -> dict[str, dict]:
    since = today - dt.timedelta(days=selectors.LOOP_WINDOW_DAYS - 1)
    out: dict[str, dict] = {
        path: _zero()
        for path in Business.objects.filter(region_path__startswith=prefix)
        .values_list("region_path", flat=True)
        .distinct()
    }
    qs = Hazard.objects.filter(business__region_path__startswith=prefix)
    counts = qs.values(path=F("business__region_path")).annotate(
        open=Count("id", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("id", filter=Q(state__in=selectors.ACTIVE, deadline__lt=today)),
        escalated=Count("id", filter=Q(state=HazardState.ESCALATED)),
        still_escalated=Count("id", filter=Q(state=HazardState.ESCALATED, escalated_on__gte=since)),
    )
    for r in counts:
        leaf = out[r["path"]]
        for k in ("open", "overdue", "escalated", "still_escalated"):
            leaf[k] = r[k]
    closed = qs.filter(state=HazardState.CLOSED, closed_on__gte=since).values_list(
        "business__region_path", "found_on", "closed_on", "deadline", "escalated_on"
    )
    days: dict[str, Counter] = {}
    for path, f, c, d, e in closed:
        leaf = out[path]
        leaf["closed"] += 1
        leaf["on_time"] += e is None and (d is None or c <= d)
        days.setdefault(path, Counter())[str((c - f).days)] += 1
    for path, hist in days.items():
        out[path]["days"] = dict(hist)
    lead_since = today - dt.timedelta(days=365)
    leads = (
        CaseLead.objects.filter(hazard__business__region_path__startswith=prefix)
        .values(path=F("hazard__business__region_path"))
        .annotate(
            leads_12m=Count("id", filter=Q(raised_on__gt=lead_since, raised_on__lte=today)),
            open=Count("id", filter=Q(state=LeadState.OPEN)),
            accepted_12m=Count(
                "id", filter=Q(state=LeadState.ACCEPTED, approved_on__gt=lead_since, approved_on__lte=today)
            ),
            declined_12m=Count(
                "id",
                filter=Q(state=LeadState.DECLINED, decided_at__date__gt=lead_since, decided_at__date__lte=today),
            ),
        )
    )
    for r in leads:
        out[r["path"]]["leads"] = {k: r[k] for k in LEAD_FIELDS}
    return out


def from_snapshot(user, snap: snapshots.Snapshot) -> dict:
    """The same dict as :func:`live`, summed from the leaf rows of the user's scope."""
    total = _zero()
    by_region = RegionTally(level=child_level(user), width=2)
    for path, counts in snap.rows:
        for k in ("open", "overdue", "escalated", "closed", "still_escalated", "on_time"):
            total[k] += counts.get(k, 0)
        for d, n in counts.get("days", {}).items():
            total["days"][d] = total["days"].get(d, 0) + n
        for k in LEAD_FIELDS:
            total["leads"][k] += counts.get("leads", {}).get(k, 0)
        if counts.get("open"):  # the live table lists the regions with open hazards
            by_region.add(path, counts["open"], counts.get("overdue", 0))
    ended = total["closed"] + total["still_escalated"]
    return {
        "open": total["open"],
        "overdue": total["overdue"],
        "escalated": total["escalated"],
        "closed": total["closed"],
        "ended": ended,
        "on_time": total["on_time"],
        "on_time_rate": pct(total["on_time"], ended),
        "median_days_to_close": snapshots.median_of(total["days"]),
        "by_region": sorted(
            (
                {"code": r["code"], "name": r["name"], "open": r["values"][0], "overdue": r["values"][1]}
                for r in by_region.rows()
            ),
            key=lambda r: -r["overdue"],
        ),
        "leads": total["leads"] if policy.may(user, VIEW, "hazards.caselead") else None,
    }


snapshots.register(KEY, compute)
snapshots.watch(Hazard, lambda h: h.business.region_path)
snapshots.watch(CaseLead, lambda lead: lead.hazard.business.region_path)


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
