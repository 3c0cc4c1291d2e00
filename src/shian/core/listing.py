"""Columns and header actions that other apps add to a model's list and page, registered once.

The business list shows each business's risk grade (supervision) beside the register's own columns;
the business page's header offers "start an inspection" (inspections) and "record a hazard" (hazards).
The register cannot import those apps (apps depend inward), so they register here:

    listing.register_column("registry.business", key="grade", label=_("Grade"), values=fn, order=50,
                            requires=("view", "supervision.businessgrade"))
    listing.register_action("registry.business", key="inspect", label=_("Start an inspection"),
                            url=lambda business: reverse(...), method="post",
                            requires=("add", "inspections.inspection"))

``values(user, ids) -> {id: Cell}`` is called once per page with the page's ids (one query, not one per row).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cell:
    text: Any
    tone: str = ""  # "", "good", "warn", "bad": shown as a badge when set
    title: Any = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    values: Callable[[Any, list[int]], dict[int, Cell]]
    order: int = 100
    requires: tuple[str, str] | None = None


@dataclass(frozen=True)
class Action:
    key: str
    label: Any
    url: Callable[[Any], str]
    method: str = "get"  # "post" for an action that creates something (sent with the CSRF token)
    order: int = 100
    requires: tuple[str, str] | None = None
    primary: bool = False


_COLUMNS: dict[str, dict[str, Column]] = {}
_ACTIONS: dict[str, dict[str, Action]] = {}


def register_column(model_label: str, **kwargs) -> None:
    column = Column(**kwargs)
    _COLUMNS.setdefault(model_label, {})[column.key] = column


def register_action(model_label: str, **kwargs) -> None:
    action = Action(**kwargs)
    _ACTIONS.setdefault(model_label, {})[action.key] = action


def _allowed(user, requires) -> bool:
    from . import policy

    return requires is None or policy.may(user, *requires)


def columns_for(model_label: str, user) -> list[Column]:
    columns = sorted(_COLUMNS.get(model_label, {}).values(), key=lambda c: (c.order, c.key))
    return [c for c in columns if _allowed(user, c.requires)]


def cells(columns: list[Column], user, ids: list[int]) -> dict[int, list[Cell | None]]:
    """For each id, its cell in each column (None where the column has no value for it)."""
    by_column = [c.values(user, ids) for c in columns]
    return {i: [values.get(i) for values in by_column] for i in ids}


def actions_for(model_label: str, user, obj) -> list[tuple[Action, str]]:
    actions = sorted(_ACTIONS.get(model_label, {}).values(), key=lambda a: (a.order, a.key))
    return [(a, a.url(obj)) for a in actions if _allowed(user, a.requires)]
