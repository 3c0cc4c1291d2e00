"""Per-business indicators that modules publish and others read (risk grading today, early warning
later). A provider takes a list of business ids (or None for all) and returns {business id: value};
businesses it does not mention have the value 0. Providers must answer in a bounded number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Provider = Callable[[list[int] | None], dict[int, float]]


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


def values(keys: list[str], business_ids: list[int] | None) -> dict[str, dict[int, float]]:
    return {k: _INDICATORS[k].provider(business_ids) for k in keys if k in _INDICATORS}
