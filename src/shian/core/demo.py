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


def insert_rows(model, fields: list[str], rows: list[tuple], *, prepared: tuple[str, ...] = ()) -> None:
    """Insert many plain rows of ``model`` in one ``executemany`` per batch: seeded history in the hundreds
    of thousands of rows (item results, self-checks), where a model instance per row costs more than the
    insert. ``fields`` are model field names (a foreign key takes the id); each value goes through its
    field's database preparation, except those of the ``prepared`` fields, which are given ready (a JSON
    checklist prepared once with ``field.get_db_prep_save`` and shared by thousands of rows)."""
    from django.db import connection

    if not rows:
        return
    model_fields = [model._meta.get_field(name) for name in fields]
    prepare = [None if f.name in prepared else f.get_db_prep_save for f in model_fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in model_fields)
    table, placeholders = quote(model._meta.db_table), ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    ready = all(p is None for p in prepare)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            batch = rows[start : start + 10_000]
            if not ready:
                batch = [
                    [value if p is None else p(value, connection) for p, value in zip(prepare, row, strict=True)]
                    for row in batch
                ]
            cursor.executemany(sql, batch)


def insert_rows_ids(model, fields: list[str], rows: list[tuple], *, prepared: tuple[str, ...] = ()) -> list[int]:
    """``insert_rows``, then the new rows' ids in the order of ``rows``: read back as the ids above the
    largest before (the demo generator writes alone, in one transaction, so they are these rows, in
    insertion order, on SQLite and PostgreSQL alike)."""
    from django.db.models import Max

    if not rows:
        return []
    before = model.objects.aggregate(last=Max("pk"))["last"] or 0
    insert_rows(model, fields, rows, prepared=prepared)
    ids = list(model.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    if len(ids) != len(rows):
        raise RuntimeError(f"{model._meta.label}: wrote {len(rows)} rows, read back {len(ids)} ids")
    return ids
