"""Hazard reads and KPIs, always within the user's scope."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shian.core import policy
from shian.core.audit import actor_in_scope  # the audit log's rule for naming actors: one rule for both
from shian.core.models import User
from shian.core.rollup import RegionTally, child_level, pct
from shian.core.scoping import BUSINESS_SCOPED_ROLES, CHANGE, VIEW, businesses_of
from shian.registry.search import businesses_named

from . import transitions
from .choices import STATE_TONE, HazardState, LeadState
from .models import CaseLead, Evidence, Hazard, HazardEvent, Incident, Notification

ACTIVE = [HazardState.FOUND, HazardState.ORDERED, HazardState.RECTIFYING, HazardState.EVIDENCE_SUBMITTED]


def hazard_list(
    user: User,
    *,
    state: str | None = None,
    severity: str | None = None,
    overdue: bool = False,
    business_id: int | None = None,
    q: str | None = None,
) -> QuerySet[Hazard]:
    qs = Hazard.objects.restrict(user, VIEW).select_related("business")
    if state == "open":
        qs = qs.filter(state__in=[*ACTIVE, HazardState.VERIFIED])
    elif state:
        qs = qs.filter(state=state)
    if severity:
        qs = qs.filter(severity=severity)
    if overdue:
        qs = qs.filter(state__in=ACTIVE, deadline__lt=timezone.localdate())
    if business_id:
        qs = qs.filter(business_id=business_id)
    if q:  # the business names from the register's search index (a subquery), not a LIKE on every join
        qs = qs.filter(Q(title__icontains=q) | Q(business__in=businesses_named(q).values("pk")))
    return qs.order_by("deadline", "-found_on", "id") if overdue else qs


LOOP_WINDOW_DAYS = 365  # the on-time closure rate counts the loops that ended in the last 365 days


def hazard_kpis(user: User) -> dict:
    """Open and overdue counts (overall and by sub-region), the on-time closure rate and the median days
    to close.

    整改按期闭环率 (on-time closure rate) = hazards closed by rectification on or before their deadline
    (never escalated) ÷ hazards whose loop has ended (closed, or escalated to a case and not yet closed),
    over the loops that ended in the last 365 days (closed on, or escalated on, that day or later): the
    rate a bureau reports for its year, not one diluted by every year since the register began.
    A hazard escalated for being overdue counts against the rate, closed later or not."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=LOOP_WINDOW_DAYS - 1)
    qs = Hazard.objects.restrict(user, VIEW)
    closed = qs.filter(state=HazardState.CLOSED, closed_on__gte=since)
    closed_rows = list(closed.values_list("found_on", "closed_on", "deadline", "escalated_on"))
    on_time = sum(1 for _f, c, d, e in closed_rows if e is None and (d is None or c <= d))
    still_escalated = qs.filter(state=HazardState.ESCALATED, escalated_on__gte=since).count()
    days = [(c - f).days for f, c, _d, _e in closed_rows]
    counts = qs.aggregate(
        open=Count("id", filter=Q(state__in=[*ACTIVE, HazardState.VERIFIED])),
        overdue=Count("id", filter=Q(state__in=ACTIVE, deadline__lt=today)),
        escalated=Count("id", filter=Q(state=HazardState.ESCALATED)),
    )
    level = child_level(user)
    per_path = (
        qs.filter(state__in=[*ACTIVE, HazardState.VERIFIED])
        .values(path=F("business__region_path"))
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(state__in=ACTIVE, deadline__lt=today)))
    )
    by_region = RegionTally(level=level, width=2)
    by_region.add_rows(per_path, "path", "open", "overdue")
    return {
        **counts,
        "closed": len(closed_rows),
        "ended": len(closed_rows) + still_escalated,
        "on_time": on_time,
        "on_time_rate": pct(on_time, len(closed_rows) + still_escalated),
        "median_days_to_close": statistics.median(days) if days else None,
        "by_region": sorted(
            (
                {"code": r["code"], "name": r["name"], "open": r["values"][0], "overdue": r["values"][1]}
                for r in by_region.rows()
            ),
            key=lambda r: -r["overdue"],
        ),
    }


def unread_notifications(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True).select_related("hazard")


# --- indicators for other modules (core.indicators) -------------------------------------------
def _count_by_business(qs, business_ids: list[int] | None) -> dict[int, float]:
    if business_ids is not None:
        qs = qs.filter(business_id__in=business_ids)
    return {r["business_id"]: float(r["n"]) for r in qs.values("business_id").annotate(n=Count("id"))}


def _open_at(day: dt.date) -> Q:
    """Open at the end of ``day``, from the hazard's dates: found by then, not yet closed or escalated."""
    return Q(found_on__lte=day) & ~Q(closed_on__lte=day) & ~Q(escalated_on__lte=day)


def _open(as_of: dt.date | None) -> Q:
    return _open_at(as_of) if as_of is not None else Q(state__in=[*ACTIVE, HazardState.VERIFIED])


def indicator_open(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    return _count_by_business(Hazard.objects.filter(_open(as_of)), business_ids)


def indicator_open_serious(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    return _count_by_business(Hazard.objects.filter(_open(as_of), severity="serious"), business_ids)


def indicator_overdue(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    if as_of is not None:  # open, past its deadline and not yet verified on that day
        verified = HazardEvent.objects.filter(hazard=OuterRef("pk"), action="verify", at__date__lte=as_of)
        qs = Hazard.objects.filter(_open_at(as_of), deadline__lt=as_of).exclude(Exists(verified))
        return _count_by_business(qs, business_ids)
    qs = Hazard.objects.filter(state__in=ACTIVE, deadline__lt=timezone.localdate())
    return _count_by_business(qs, business_ids)


def indicator_escalated_12m(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    day = as_of or timezone.localdate()
    qs = Hazard.objects.filter(escalated_on__gt=day - dt.timedelta(days=365), escalated_on__lte=day)
    return _count_by_business(qs, business_ids)


def hazards_raised_by(user: User, origin: str) -> QuerySet[Hazard]:
    """The hazards a record raised (its ``origin`` reference), as far as ``user`` may see them."""
    return Hazard.objects.restrict(user, VIEW).filter(origin=origin).order_by("-severity", "pk")


# --- the hazard page: who did what, the evidence, and what this user may do next --------------------
def person(viewer: User, actor: User | None, recorded: str = "") -> str:
    """How ``viewer`` sees the person who acted, by the audit log's rule (docs/security.md, "Who sees
    the audit log"), with people's names instead of login names: officials see the people of their
    own area by name and anyone else as "a user outside your area"; a business's staff see their
    colleagues by name and officials by their role. No actor: the system itself (the nightly job), or
    a step recorded without an account (seeded history keeps a description such as 企业食品安全员)."""
    if actor is None:
        return _("System") if recorded in ("", "system") else recorded
    if actor_in_scope(viewer, actor):
        return actor.display_name
    if viewer.role in BUSINESS_SCOPED_ROLES:
        return str(actor.get_role_display())
    return _("a user outside your area")


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    action: str
    label: str
    actor: str
    from_state: str
    state: str
    state_label: str
    state_tone: str
    note: str


def timeline(viewer: User, hazard: Hazard) -> list[TimelineEntry]:
    """The hazard's events, oldest first, each with the step's label and the actor as ``viewer`` may see them."""
    events = HazardEvent.objects.filter(hazard=hazard).select_related("actor__region")
    if not policy.may(viewer, VIEW, "hazards.caselead"):  # leads are the bureau's own (a case opened is not)
        events = events.exclude(action__in=list(transitions.LEAD_EVENTS))
    events = list(events)
    businesses_of([e.actor for e in events])  # the actors' businesses in one query
    return [
        TimelineEntry(
            at=e.at,
            action=e.action,
            label=str(transitions.label_of(e.action, e.from_state)),
            actor=person(viewer, e.actor, e.actor_name),
            from_state=e.from_state,
            state=e.to_state,
            state_label=e.get_to_state_display(),
            state_tone=STATE_TONE.get(e.to_state, ""),
            note=e.note,
        )
        for e in events
    ]


@dataclass(frozen=True)
class EvidenceItem:
    evidence: Evidence
    submitted_by: str


def evidence_items(viewer: User, hazard: Hazard) -> list[EvidenceItem]:
    rows = list(Evidence.objects.filter(hazard=hazard).select_related("submitted_by__region"))
    businesses_of([e.submitted_by for e in rows])
    return [
        EvidenceItem(e, person(viewer, e.submitted_by, "" if e.submitted_by_id else _("the business"))) for e in rows
    ]


@dataclass(frozen=True)
class Step:
    """A step offered on the hazard page: one button of the action panel."""

    action: str
    label: str
    needs_note: bool
    needs_evidence: bool
    sets_deadline: bool
    destructive: bool


@dataclass
class ActionPanel:
    steps: list[Step] = field(default_factory=list)
    waiting: str = ""  # whom the hazard waits for, when it is not this user

    def _labels(self, attr: str) -> str:
        return pgettext("between the items of a list", ", ").join(s.label for s in self.steps if getattr(s, attr))

    @property
    def main_steps(self) -> list[Step]:
        return [s for s in self.steps if not s.destructive]

    @property
    def destructive_steps(self) -> list[Step]:
        return [s for s in self.steps if s.destructive]

    @property
    def note_for(self) -> str:
        """The labels of the offered steps that need a note ("" if none)."""
        return self._labels("needs_note")

    @property
    def evidence_for(self) -> str:
        return self._labels("needs_evidence")

    @property
    def deadline_for(self) -> str:
        return self._labels("sets_deadline")

    def step(self, action: str) -> Step | None:
        return next((s for s in self.steps if s.action == action), None)


def action_panel(user: User, hazard: Hazard) -> ActionPanel:
    """The steps ``user`` may take on ``hazard`` now (the access policy decides: the step's grant, and
    change on this hazard), and, when none of them is the step the hazard waits for, whom it waits for."""
    moves = transitions.available(hazard.state, user) if policy.may(user, CHANGE, hazard) else []
    steps = [
        Step(
            action=m.action,
            label=str(m.label),
            needs_note=m.needs_note,
            needs_evidence=m.needs_evidence,
            sets_deadline=m.sets_deadline,
            destructive=m.destructive,
        )
        for m in moves
    ]
    waiting = transitions.WAITING.get(hazard.state)
    text = ""
    if waiting is not None and not any(s.action in waiting.actions for s in steps):
        text = waiting.describe(hazard.deadline)
    elif hazard.state == HazardState.CLOSED:
        text = _("Closed on %(date)s: the loop is complete.") % {
            "date": hazard.closed_on.isoformat() if hazard.closed_on else "—"
        }
    return ActionPanel(steps=steps, waiting=text)


# --- food-safety incidents (食品安全事故) ------------------------------------------------------------
def latest_incident_on(business) -> dt.date | None:
    """The day of the latest recorded food-safety incident at ``business`` (a Business or its id), or
    None. Not scoped: other modules' rules ask it about a business they already hold (e.g. the
    量化分级 rating: no dynamic level for six months after an incident)."""
    business_id = getattr(business, "pk", business)
    return (
        Incident.objects.filter(business_id=business_id)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )


def latest_incidents_on(business_ids: list[int] | None = None) -> dict[int, dt.date]:
    """``latest_incident_on`` for many businesses in one query: {business id: day}, businesses with none left out."""
    qs = Incident.objects.all()
    if business_ids is not None:
        qs = qs.filter(business_id__in=business_ids)
    return {r["business_id"]: r["day"] for r in qs.values("business_id").annotate(day=Max("occurred_on"))}


def incident_list(user: User, *, business_id: int | None = None, q: str | None = None) -> QuerySet[Incident]:
    qs = Incident.objects.restrict(user, VIEW).select_related("business", "reported_by")
    if business_id:
        qs = qs.filter(business_id=business_id)
    for word in (q or "").split():
        qs = qs.filter(Q(title__icontains=word) | Q(business__name__icontains=word))
    return qs


# --- case leads (案件线索) ----------------------------------------------------------------------------
def case_lead_list(
    user: User, *, state: str | None = None, reason: str | None = None, q: str | None = None
) -> QuerySet[CaseLead]:
    """The case leads of hazards in ``user``'s area (404-scoped like the hazards), open ones first by age."""
    qs = CaseLead.objects.restrict(user, VIEW).select_related("hazard__business", "decided_by", "raised_by")
    if state:
        qs = qs.filter(state=state)
    if reason:
        qs = qs.filter(reason=reason)
    for word in (q or "").split():
        qs = qs.filter(Q(hazard__title__icontains=word) | Q(hazard__business__name__icontains=word))
    return qs.order_by("raised_on", "id") if state == LeadState.OPEN else qs


def open_lead_of(hazard: Hazard) -> CaseLead | None:
    return CaseLead.objects.filter(hazard=hazard, state=LeadState.OPEN).first()


def leads_of(user: User, hazard: Hazard) -> list[CaseLead]:
    """The hazard's leads, newest first, if ``user`` may see leads at all (a business's staff may not)."""
    if not policy.may(user, VIEW, "hazards.caselead"):
        return []
    return list(CaseLead.objects.filter(hazard=hazard).select_related("decided_by").order_by("-raised_on", "-id"))


def lead_kpis(user: User, today: dt.date | None = None) -> dict | None:
    """Leads and cases counted apart, over the case leads of hazards in ``user``'s area:
    ``leads_12m`` raised in the last 12 months (today − 365 days < raised_on ≤ today), ``open`` awaiting a
    decision today, ``accepted_12m`` cases opened (立案) with an approval date in the last 12 months,
    ``declined_12m`` declined (不予立案) with the decision recorded in the last 12 months."""
    if not policy.may(user, VIEW, "hazards.caselead"):
        return None
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=365)
    qs = CaseLead.objects.restrict(user, VIEW)
    return qs.aggregate(
        leads_12m=Count("id", filter=Q(raised_on__gt=since, raised_on__lte=today)),
        open=Count("id", filter=Q(state=LeadState.OPEN)),
        accepted_12m=Count("id", filter=Q(state=LeadState.ACCEPTED, approved_on__gt=since, approved_on__lte=today)),
        declined_12m=Count(
            "id", filter=Q(state=LeadState.DECLINED, decided_at__date__gt=since, decided_at__date__lte=today)
        ),
    )
