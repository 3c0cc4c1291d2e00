"""Object-page tabs: one registration point. A later module adds a tab to the business page with
``register("registry.business", key=..., label=..., render=..., order=...)``; ``render(request, obj)``
returns the tab's HTML (an HttpResponse)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    render: Callable
    order: int = 100
    visible: Callable[[Any, Any], bool] | None = None  # (user, obj) -> bool
    requires: tuple[str, str] | None = None  # (action, "app.model"): shown to those the policy allows

    def shown_to(self, user: Any, obj: Any) -> bool:
        if self.requires:
            from . import policy

            if not policy.may(user, *self.requires):
                return False
        return self.visible is None or self.visible(user, obj)


_TABS: dict[str, dict[str, Tab]] = {}


def register(
    model_label: str,
    *,
    key: str,
    label: Any,
    render: Callable,
    order: int = 100,
    visible: Callable[[Any, Any], bool] | None = None,
    requires: tuple[str, str] | None = None,
) -> None:
    _TABS.setdefault(model_label, {})[key] = Tab(
        key=key, label=label, render=render, order=order, visible=visible, requires=requires
    )


def tabs_for(model_label: str, user: Any = None, obj: Any = None) -> list[Tab]:
    tabs = sorted(_TABS.get(model_label, {}).values(), key=lambda t: (t.order, t.key))
    return [t for t in tabs if t.shown_to(user, obj)]


def get(model_label: str, key: str) -> Tab | None:
    return _TABS.get(model_label, {}).get(key)
