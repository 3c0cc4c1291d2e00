"""Per-business indicators that modules publish and others read (risk grading today, early warning
later). A provider takes a list of business ids (or None for all) and a date (None for now) and returns
{business id: value} as it stood at the end of that date; businesses it does not mention have the value 0.
Providers must answer in a bounded number of queries. A past date lets grades be computed as they were then
(grade history); an indicator with no history of its own (e.g. staffing) answers with its current value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Provider = Callable[[list[int] | None, dt.date | None], dict[int, float]]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any
    provider: Provider


_INDICATORS: dict[str, Indicator] = {}


def register(key: str, label: Any, provider: Provider) -> None:
    _INDICATORS[key] = Indicator(key=key, label=label, provider=provider)


def all_indicators() -> list[Indicator]:
    return sorted(_INDICATORS.values(), key=lambda i: i.key)


def get(key: str) -> Indicator | None:
    return _INDICATORS.get(key)


def values(
    keys: list[str], business_ids: list[int] | None, as_of: dt.date | None = None
) -> dict[str, dict[int, float]]:
    return {k: _INDICATORS[k].provider(business_ids, as_of) for k in keys if k in _INDICATORS}
