"""The hazard closed loop (隐患闭环) as one table: which action moves a hazard from which state to
which, and who may take it. ``services.hazard_transition`` is the only code that applies it.

    found ──order──▶ ordered ──start──▶ rectifying ──submit──▶ evidence_submitted ──verify──▶ verified ──close──▶ closed
                        │                    ▲                        │                         ▲
                        └──────submit────────┼────────────────────────┘ (reject: back to rectifying)
                        └─────────── verify on site (复查, the regulator's own photos) ──────────┘
    any state but escalated ──escalate──▶ escalated (立案) ──close──▶ closed
                                  (only by accepting a case lead: see LEAD_TRANSITIONS below)

Rectifying and submitting evidence are the business's own steps (its staff, in their own login);
ordering, checking, rejecting and closing are the regulator's. Opening a case (立案) is a person's
decision with the bureau head's approval (市场监督管理行政处罚程序规定 Arts. 18–19): the system raises a
case lead (案件线索), and a hazard is escalated only when a regulator with the grant accepts it. A business without an
account on the platform is checked on site: the regulator verifies with their own photos.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shian.core.choices import BUSINESS_ROLES, REGULATOR_ROLES, Role

from .choices import HazardState as S
from .choices import LeadState as L

REGULATORS = frozenset(REGULATOR_ROLES)
BUSINESS = frozenset(BUSINESS_ROLES)
# who decides on a case lead (立案 / 不予立案): the bureaus that hold the power to penalise (district and
# city); street offices and inspectors raise and refer leads but do not decide them
DECIDERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_REGULATOR})
SYSTEM = "system"  # the nightly job (it raises case leads; it takes no step of the table)


@dataclass(frozen=True)
class Transition:
    action: str
    source: S
    target: S
    roles: frozenset
    label: object
    needs_note: bool = False
    needs_evidence: bool = False
    sets_deadline: bool = False
    destructive: bool = False  # cannot be taken back by the one who takes it: shown apart, confirmed first
    by_lead_only: bool = False  # taken only by accepting a case lead (services.case_lead_decide), never offered


TRANSITIONS: list[Transition] = [
    Transition("order", S.FOUND, S.ORDERED, REGULATORS, _("Order rectification"), sets_deadline=True),
    Transition("start", S.ORDERED, S.RECTIFYING, BUSINESS, _("Start rectifying")),
    Transition("submit", S.ORDERED, S.EVIDENCE_SUBMITTED, BUSINESS, _("Submit evidence"), needs_evidence=True),
    Transition("submit", S.RECTIFYING, S.EVIDENCE_SUBMITTED, BUSINESS, _("Submit evidence"), needs_evidence=True),
    Transition(
        "reject",
        S.EVIDENCE_SUBMITTED,
        S.RECTIFYING,
        REGULATORS,
        _("Reject evidence"),
        needs_note=True,
        destructive=True,
    ),
    Transition("verify", S.EVIDENCE_SUBMITTED, S.VERIFIED, REGULATORS, _("Verify rectification")),
    *[
        Transition("verify", state, S.VERIFIED, REGULATORS, _("Verify on site"), needs_note=True, needs_evidence=True)
        for state in (S.ORDERED, S.RECTIFYING)
    ],
    Transition("close", S.VERIFIED, S.CLOSED, REGULATORS, _("Close")),
    Transition("close", S.ESCALATED, S.CLOSED, REGULATORS, _("Close the case"), needs_note=True),
    *[
        Transition(
            "escalate",
            state,
            S.ESCALATED,
            DECIDERS,
            _("Case opened (立案)"),
            needs_note=True,
            destructive=True,
            by_lead_only=True,
        )
        # a case may be opened on a hazard already rectified: rectifying does not undo the violation
        for state in (S.FOUND, S.ORDERED, S.RECTIFYING, S.EVIDENCE_SUBMITTED, S.VERIFIED, S.CLOSED)
    ],
]

_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}
ACTIONS = frozenset(t.action for t in TRANSITIONS)


def find(state: str, action: str) -> Transition | None:
    return _BY_KEY.get((state, action))


def grant_steps() -> None:
    """Each step is an action on hazards, granted to the roles the table names (core.policy decides)."""
    from shian.core import policy

    for t in TRANSITIONS:
        policy.grant([r for r in t.roles if r != SYSTEM], "hazards.hazard", {t.action})


def available(state: str, user) -> list[Transition]:
    """The steps this user may take from ``state`` (by the policy's grants)."""
    from shian.core import policy

    return [
        t
        for t in TRANSITIONS
        if t.source == state and not t.by_lead_only and policy.may(user, t.action, "hazards.hazard")
    ]


def label_of(action: str, source: str) -> object:
    """The label of a step taken from ``source`` (for the timeline); "create" is the hazard's recording."""
    if action == "create":
        return _("Recorded")
    if action in LEAD_EVENTS:
        return LEAD_EVENTS[action]
    move = find(source, action)
    return move.label if move is not None else action


@dataclass(frozen=True)
class Waiting:
    """Who is expected to act in a state, and the steps that are theirs: a user who may take none of
    ``actions`` is told whom the hazard waits for, and by when (``text_due``, when it has a deadline)."""

    actions: frozenset
    text: object
    text_due: object = None

    def describe(self, deadline) -> str:
        if deadline is not None and self.text_due is not None:
            return str(self.text_due) % {"date": deadline.isoformat()}
        return str(self.text)


WAITING: dict[S, Waiting] = {
    S.FOUND: Waiting(frozenset({"order"}), _("Waiting for a regulator to order rectification.")),
    S.ORDERED: Waiting(
        frozenset({"start", "submit"}),
        _("Waiting for the business to rectify and submit evidence."),
        _("Waiting for the business to rectify and submit evidence, due %(date)s."),
    ),
    S.RECTIFYING: Waiting(
        frozenset({"submit"}),
        _("Waiting for the business to submit rectification evidence."),
        _("Waiting for the business to submit rectification evidence, due %(date)s."),
    ),
    S.EVIDENCE_SUBMITTED: Waiting(frozenset({"verify", "reject"}), _("Waiting for a regulator to check the evidence.")),
    S.VERIFIED: Waiting(frozenset({"close"}), _("Verified: waiting for a regulator to close the hazard.")),
    S.ESCALATED: Waiting(frozenset({"close"}), _("A case is open (立案): waiting for the case to be closed.")),
}


# --- case leads (案件线索): raised → accepted (立案) or declined (不予立案) ------------------------------
@dataclass(frozen=True)
class LeadTransition:
    action: str
    source: L
    target: L
    roles: frozenset
    label: object
    needs_approval: bool = False  # approver and approval date (立案审批表, Art. 19)
    needs_reason: bool = False  # ground and reason (不予立案审批表, Art. 20)
    destructive: bool = False


LEAD_TRANSITIONS: list[LeadTransition] = [
    LeadTransition("accept", L.OPEN, L.ACCEPTED, DECIDERS, _("Open a case (立案)"), needs_approval=True),
    LeadTransition(
        "decline", L.OPEN, L.DECLINED, DECIDERS, _("Do not open a case (不予立案)"), needs_reason=True, destructive=True
    ),
]

_LEAD_BY_KEY = {(t.source, t.action): t for t in LEAD_TRANSITIONS}

# the hazard timeline's rows about its leads (HazardEvent.action; the hazard's state does not change)
LEAD_EVENTS = {
    "lead": _("Case lead raised"),
    "lead_declined": _("Case lead declined (不予立案)"),
}


def find_lead(state: str, action: str) -> LeadTransition | None:
    return _LEAD_BY_KEY.get((state, action))


def grant_lead_steps() -> None:
    from shian.core import policy

    for t in LEAD_TRANSITIONS:
        policy.grant(sorted(t.roles), "hazards.caselead", {t.action})


def available_lead_steps(state: str, user) -> list[LeadTransition]:
    from shian.core import policy

    return [t for t in LEAD_TRANSITIONS if t.source == state and policy.may(user, t.action, "hazards.caselead")]
