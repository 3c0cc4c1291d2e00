"""The home page per role. Apps register two kinds of things once, in their AppConfig.ready():

- a **need**: one line of the regulator's "needs me" queue (待我处理): evidence to verify, overdue
  hazards, escalations, planned visits behind… `fn(user, today) -> Need | None`;
- a **card**: a panel of a person's own day: an inspector's visits, a business's daily check, its
  open hazards, licence, last inspection and grade… `fn(user, today) -> Card | None`.

A function returns None when it has nothing for this user (wrong role, nothing to do). The home view
shows the needs, then the cards, then the KPI tiles; roles whose modules have not landed yet get a page
saying what will come (`PENDING_ROLES`), never a dashboard of nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from .choices import Role


@dataclass
class NeedItem:
    text: str
    url: str
    note: str = ""
    tone: str = ""


@dataclass
class Need:
    key: str
    label: Any
    count: int
    url: str
    tone: str = "warn"  # "warn" or "bad"
    definition: Any = ""
    items: list[NeedItem] = field(default_factory=list)  # the first few, most urgent first


@dataclass
class Card:
    key: str
    title: Any
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


_NEEDS: dict[str, tuple[int, Callable[[Any, dt.date], Need | None]]] = {}
_CARDS: dict[str, tuple[int, Callable[[Any, dt.date], Card | None]]] = {}

# What each role without its own module yet will find here, said plainly.
PENDING_ROLES: dict[str, Any] = {
    Role.LABORATORY: _(
        "Laboratory accounts will receive sampling tasks and enter test results here when the sampling and "
        "testing module is in service. Nothing is assigned to you yet."
    ),
    Role.INSURER: _(
        "Insurer accounts will see the food-safety liability policies they underwrite and the claims that "
        "concern them when the co-governance module is in service. Nothing is shared with you yet."
    ),
    Role.PUBLIC: _(
        "Public accounts will be able to look up businesses' ratings, file complaints and join citizen "
        "spot-check events when the co-governance module is in service."
    ),
}


def register_need(key: str, fn: Callable[[Any, dt.date], Need | None], *, order: int = 100) -> None:
    _NEEDS[key] = (order, fn)


def register_card(key: str, fn: Callable[[Any, dt.date], Card | None], *, order: int = 100) -> None:
    _CARDS[key] = (order, fn)


def needs_for(user, today: dt.date) -> list[Need]:
    out = []
    for _order, fn in sorted(_NEEDS.values(), key=lambda p: p[0]):
        need = fn(user, today)
        if need is not None and need.count:
            out.append(need)
    return out


def cards_for(user, today: dt.date) -> list[Card]:
    out = []
    for order, fn in sorted(_CARDS.values(), key=lambda p: p[0]):
        card = fn(user, today)
        if card is not None:
            card.order = order
            out.append(card)
    return out


def pending_message(user) -> Any:
    return PENDING_ROLES.get(user.role, "")
