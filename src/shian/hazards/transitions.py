"""The hazard closed loop (隐患闭环) as one table: which action moves a hazard from which state to
which, and who may take it. ``services.hazard_transition`` is the only code that applies it.

    found ──order──▶ ordered ──start──▶ rectifying ──submit──▶ evidence_submitted ──verify──▶ verified ──close──▶ closed
                        │                    ▲                        │                         ▲
                        └──────submit────────┼────────────────────────┘ (reject: back to rectifying)
                        └─────────── verify on site (复查, the regulator's own photos) ──────────┘
    any open state ──escalate──▶ escalated (立案) ──close──▶ closed

Rectifying and submitting evidence are the business's own steps (its staff, in their own login);
ordering, checking, rejecting, closing and escalating are the regulator's. A business without an
account on the platform is checked on site: the regulator verifies with their own photos.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shian.core.choices import BUSINESS_ROLES, REGULATOR_ROLES

from .choices import HazardState as S

REGULATORS = frozenset(REGULATOR_ROLES)
BUSINESS = frozenset(BUSINESS_ROLES)
SYSTEM = "system"  # the nightly escalation job


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
            REGULATORS | {SYSTEM},
            _("Escalate to a case"),
            needs_note=True,
            destructive=True,
        )
        for state in (S.FOUND, S.ORDERED, S.RECTIFYING, S.EVIDENCE_SUBMITTED)
    ],
]

_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}


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

    return [t for t in TRANSITIONS if t.source == state and policy.may(user, t.action, "hazards.hazard")]


def label_of(action: str, source: str) -> object:
    """The label of a step taken from ``source`` (for the timeline); "create" is the hazard's recording."""
    if action == "create":
        return _("Recorded")
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
    S.ESCALATED: Waiting(frozenset({"close"}), _("Escalated to a case: waiting for the case to be closed.")),
}
