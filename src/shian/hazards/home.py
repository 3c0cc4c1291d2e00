"""What the hazard loop puts on people's home pages (core.home): the regulator's queue of evidence to
verify, overdue hazards, hazards waiting for an order and open cases; a business's open hazards."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import policy
from shian.core.home import Card, Need, NeedItem

from .choices import HazardState, LeadState
from .selectors import ACTIVE, case_lead_list, hazard_list

SHOWN = 5
# 15 working days to check a lead and decide (市场监督管理行政处罚程序规定 Art. 18): about 21 calendar days
LEAD_AGE_WARN_DAYS = 21


def _items(qs, today: dt.date) -> list[NeedItem]:
    out = []
    for h in qs[:SHOWN]:
        if h.deadline and h.deadline < today and h.state in ACTIVE:
            note, tone = _("%(d)s days overdue") % {"d": (today - h.deadline).days}, "bad"
        elif h.deadline:
            note, tone = _("deadline %(d)s") % {"d": h.deadline.isoformat()}, ""
        else:
            note, tone = _("found %(d)s") % {"d": h.found_on.isoformat()}, ""
        out.append(NeedItem(f"{h.business.name} · {h.title}", reverse("hazards:detail", args=[h.pk]), note, tone))
    return out


def _need(user, today, *, key, label, definition, step, qs, query, tone="warn") -> Need | None:
    if not policy.is_regional(user) or not policy.may(user, step, "hazards.hazard"):
        return None
    count = qs.count()
    return Need(
        key=key,
        label=label,
        count=count,
        url=reverse("hazards:list") + query,
        tone=tone,
        definition=definition,
        items=_items(qs, today) if count else [],
    )


def evidence_to_verify(user, today: dt.date) -> Need | None:
    qs = hazard_list(user, state=HazardState.EVIDENCE_SUBMITTED).order_by("deadline", "id")
    return _need(
        user,
        today,
        key="hazards_to_verify",
        label=_("Rectification evidence to verify"),
        definition=_(
            "Hazards in your area whose business has submitted evidence, waiting for a regulator to verify it"
        ),
        step="verify",
        qs=qs,
        query=f"?state={HazardState.EVIDENCE_SUBMITTED}",
    )


def overdue(user, today: dt.date) -> Need | None:
    return _need(
        user,
        today,
        key="hazards_overdue",
        label=_("Hazards past their deadline"),
        definition=_(
            "Hazards not yet rectified (found, ordered, rectifying or evidence submitted) whose deadline has passed"
        ),
        step="escalate",
        qs=hazard_list(user, overdue=True),
        query="?overdue=1",
        tone="bad",
    )


def to_order(user, today: dt.date) -> Need | None:
    return _need(
        user,
        today,
        key="hazards_to_order",
        label=_("Hazards waiting for a rectification order"),
        definition=_("Hazards recorded but not yet given a rectification order and deadline"),
        step="order",
        qs=hazard_list(user, state=HazardState.FOUND).order_by("found_on", "id"),
        query=f"?state={HazardState.FOUND}",
    )


def open_cases(user, today: dt.date) -> Need | None:
    return _need(
        user,
        today,
        key="hazards_escalated",
        label=_("Cases opened on hazards, still open"),
        definition=_("Hazards on which a case was opened (立案, an accepted case lead) that have not been closed"),
        step="close",
        qs=hazard_list(user, state=HazardState.ESCALATED).order_by("escalated_on", "id"),
        query=f"?state={HazardState.ESCALATED}",
    )


def open_leads(user, today: dt.date) -> Need | None:
    """Case leads waiting for this user's decision (立案 or 不予立案): to those who may decide them."""
    if not policy.is_regional(user) or not policy.may(user, "accept", "hazards.caselead"):
        return None
    qs = case_lead_list(user, state=LeadState.OPEN)
    count = qs.count()
    items = [
        NeedItem(
            f"{lead.hazard.business.name} · {lead.hazard.title}",
            reverse("hazards:lead", args=[lead.hazard_id]),
            f"{lead.get_reason_display()} · {lead.raised_on.isoformat()}",
            "bad" if (today - lead.raised_on).days > LEAD_AGE_WARN_DAYS else "warn",
        )
        for lead in qs[:SHOWN]
    ]
    return Need(
        key="hazards_leads",
        label=_("Case leads awaiting a decision"),
        count=count,
        url=reverse("hazards:leads") + f"?state={LeadState.OPEN}",
        tone="warn",
        definition=_(
            "Case leads (案件线索) about hazards in your area — serious hazards, hazards overdue past the "
            "grace days, referrals — that no one has yet opened a case on (立案) or declined (不予立案). "
            "Shown red when older than 21 days (15 working days to check a lead, 市场监督管理行政处罚程序规定 "
            "Art. 18)."
        ),
        items=items if count else [],
    )


def business_hazards(user, today: dt.date) -> Card | None:
    if not policy.is_business_scoped(user):
        return None
    qs = hazard_list(user, state="open").order_by("deadline", "id")
    return Card(
        key="hazards",
        title=_("Open hazards"),
        template="hazards/_home_card.html",
        context={"hazards": list(qs[:10]), "total": qs.count(), "today": today, "url": reverse("hazards:list")},
    )
