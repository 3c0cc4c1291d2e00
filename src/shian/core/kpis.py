"""The dashboard's KPI registry. Each app registers providers; the dashboard asks each for its tiles
and charts for the current user's scope. Later modules extend the dashboard by registering here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tile:
    key: str
    label: str
    value: Any
    unit: str = ""
    hint: str = ""
    url: str = ""
    tone: str = ""  # "", "good", "warn", "bad"


@dataclass
class Bar:
    label: str
    value: float
    url: str = ""


@dataclass
class Chart:
    key: str
    title: str
    bars: list[Bar] = field(default_factory=list)
    unit: str = ""
    max_value: float | None = None


@dataclass
class Provider:
    key: str
    order: int
    tiles: Callable[..., list[Tile]]
    charts: Callable[..., list[Chart]] | None = None
    data: Callable[[Any], Any] | None = None


_PROVIDERS: dict[str, Provider] = {}


def register(
    key: str,
    *,
    tiles: Callable[..., list[Tile]],
    charts: Callable[..., list[Chart]] | None = None,
    data: Callable[[Any], Any] | None = None,
    order: int = 100,
) -> None:
    """``tiles(user)`` and ``charts(user)``; or, when both need the same figures, ``data(user)`` computes
    them once per dashboard and ``tiles(user, data)`` / ``charts(user, data)`` receive the result."""
    _PROVIDERS[key] = Provider(key=key, order=order, tiles=tiles, charts=charts, data=data)


def providers() -> list[Provider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.key))


def collect(user) -> tuple[list[Tile], list[Chart]]:
    tiles: list[Tile] = []
    charts: list[Chart] = []
    for provider in providers():
        args = (user, provider.data(user)) if provider.data else (user,)
        tiles.extend(provider.tiles(*args))
        if provider.charts:
            charts.extend(provider.charts(*args))
    return tiles, charts
