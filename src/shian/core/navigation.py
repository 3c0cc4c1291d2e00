"""Top navigation: apps register their entries once; the header shows those the user may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any
    url_name: str
    order: int = 100
    visible: Callable[[Any], bool] | None = None
    requires: tuple[str, str] | None = None  # (action, "app.model"): shown to those the policy allows
    regional: bool = False  # officials only (not a business's own staff)

    def shown_to(self, user) -> bool:
        from . import policy

        if self.requires and not policy.may(user, *self.requires):
            return False
        if self.regional and not policy.is_regional(user):
            return False
        return self.visible is None or self.visible(user)


_ITEMS: dict[str, NavItem] = {}


def register(
    key: str,
    label: Any,
    url_name: str,
    *,
    order: int = 100,
    requires: tuple[str, str] | None = None,
    regional: bool = False,
    visible: Callable[[Any], bool] | None = None,
) -> None:
    _ITEMS[key] = NavItem(
        key=key, label=label, url_name=url_name, order=order, visible=visible, requires=requires, regional=regional
    )


def items_for(user) -> list[NavItem]:
    items = sorted(_ITEMS.values(), key=lambda i: (i.order, i.key))
    return [i for i in items if i.shown_to(user)]
