"""The dashboard's KPI registry. Each app registers providers; the dashboard asks each for its tiles
and charts for the current user's scope. Later modules extend the dashboard by registering here.

A provider's ``data(user)`` reads its figures from the KPI snapshots (:mod:`core.snapshots`: additive
counts per region computed by the worker, summed for the user's scope in one query) and falls back to
its live selector for a business's own staff or when no snapshot covers the scope; the page then shows
the figures' age (:func:`core.snapshots.freshness`). A provider with figures on the dashboard registers
its ``compute`` with ``snapshots.register`` and the models whose writes change them with
``snapshots.watch``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tile:
    """One figure on the dashboard. ``definition`` says exactly how it is counted — numerator,
    denominator, period and scope, as a bureau's annual report would word it — and is shown as the
    tile's help (a ``title`` and an ⓘ that opens it, on a phone too). Every tile must have one."""

    key: str
    label: str
    value: Any
    unit: str = ""
    hint: str = ""
    url: str = ""
    tone: str = ""  # "", "good", "warn", "bad"
    definition: str = ""


@dataclass(frozen=True)
class Thresholds:
    """When a rate (%) is shown good, warn or bad: at or above ``good``, at or above ``warn``, below.
    Data on the KPI provider, so a bureau's targets change in one place."""

    good: float
    warn: float

    def tone(self, value: float | None) -> str:
        if value is None:
            return ""
        return "good" if value >= self.good else "warn" if value >= self.warn else "bad"


_THRESHOLDS: dict[str, Thresholds] = {}


def tone(kpi_key: str, value: float | None) -> str:
    """The colour of a rate for the KPI ``kpi_key`` (its provider's thresholds); "" when it has none."""
    thresholds = _THRESHOLDS.get(kpi_key)
    return thresholds.tone(value) if thresholds else ""


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
    thresholds: dict[str, Thresholds] | None = None,
) -> None:
    """``tiles(user)`` and ``charts(user)``; or, when both need the same figures, ``data(user)`` computes
    them once per dashboard and ``tiles(user, data)`` / ``charts(user, data)`` receive the result."""
    _PROVIDERS[key] = Provider(key=key, order=order, tiles=tiles, charts=charts, data=data)
    _THRESHOLDS.update(thresholds or {})


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
