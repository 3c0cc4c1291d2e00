"""The demo-city generator's registration point. Each app registers a step; ``shian demo`` runs them
in order with one seeded random generator, so the same size always gives the same city."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SIZES = {"tiny": 300, "small": 5_000, "city": 60_000, "province": 500_000}


@dataclass
class DemoContext:
    size: str
    businesses: int
    seed: int = 20261129
    rng: random.Random = field(init=False)
    data: dict[str, Any] = field(default_factory=dict)  # steps share what they made here
    progress: Callable[[str, int, int], None] = lambda label, done, total: None

    def __post_init__(self):
        self.rng = random.Random(self.seed)


@dataclass(frozen=True)
class Step:
    key: str
    order: int
    run: Callable[[DemoContext], None]


_STEPS: dict[str, Step] = {}


def register(key: str, run: Callable[[DemoContext], None], order: int = 100) -> None:
    _STEPS[key] = Step(key=key, order=order, run=run)


def steps() -> list[Step]:
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.key))
