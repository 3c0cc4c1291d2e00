"""The hazard closed loop (隐患闭环) as one table: which action moves a hazard from which state to
which, and who may take it. ``services.hazard_transition`` is the only code that applies it.

    found ──order──▶ ordered ──start──▶ rectifying ──submit──▶ evidence_submitted ──verify──▶ verified ──close──▶ closed
                        │                    ▲                        │
                        └──────submit────────┼────────────────────────┘ (reject: back to rectifying)
    any open state ──escalate──▶ escalated (立案) ──close──▶ closed
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


TRANSITIONS: list[Transition] = [
    Transition("order", S.FOUND, S.ORDERED, REGULATORS, _("Order rectification"), sets_deadline=True),
    Transition("start", S.ORDERED, S.RECTIFYING, REGULATORS | BUSINESS, _("Start rectifying")),
    Transition(
        "submit", S.ORDERED, S.EVIDENCE_SUBMITTED, REGULATORS | BUSINESS, _("Submit evidence"), needs_evidence=True
    ),
    Transition(
        "submit", S.RECTIFYING, S.EVIDENCE_SUBMITTED, REGULATORS | BUSINESS, _("Submit evidence"), needs_evidence=True
    ),
    Transition("reject", S.EVIDENCE_SUBMITTED, S.RECTIFYING, REGULATORS, _("Reject evidence"), needs_note=True),
    Transition("verify", S.EVIDENCE_SUBMITTED, S.VERIFIED, REGULATORS, _("Verify rectification")),
    Transition("close", S.VERIFIED, S.CLOSED, REGULATORS, _("Close")),
    Transition("close", S.ESCALATED, S.CLOSED, REGULATORS, _("Close the case"), needs_note=True),
    *[
        Transition(
            "escalate", state, S.ESCALATED, REGULATORS | {SYSTEM}, _("Escalate to a case (立案)"), needs_note=True
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
