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
    tiles: Callable[[Any], list[Tile]]
    charts: Callable[[Any], list[Chart]] | None = None


_PROVIDERS: dict[str, Provider] = {}


def register(
    key: str,
    *,
    tiles: Callable[[Any], list[Tile]],
    charts: Callable[[Any], list[Chart]] | None = None,
    order: int = 100,
) -> None:
    _PROVIDERS[key] = Provider(key=key, order=order, tiles=tiles, charts=charts)


def providers() -> list[Provider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.key))


def collect(user) -> tuple[list[Tile], list[Chart]]:
    tiles: list[Tile] = []
    charts: list[Chart] = []
    for provider in providers():
        tiles.extend(provider.tiles(user))
        if provider.charts:
            charts.extend(provider.charts(user))
    return tiles, charts
