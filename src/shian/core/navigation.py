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


_ITEMS: dict[str, NavItem] = {}


def register(
    key: str, label: Any, url_name: str, *, order: int = 100, visible: Callable[[Any], bool] | None = None
) -> None:
    _ITEMS[key] = NavItem(key=key, label=label, url_name=url_name, order=order, visible=visible)


def items_for(user) -> list[NavItem]:
    items = sorted(_ITEMS.values(), key=lambda i: (i.order, i.key))
    return [i for i in items if i.visible is None or i.visible(user)]
