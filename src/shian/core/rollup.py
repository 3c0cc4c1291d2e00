"""Figures by region: the one roll-up of per-path counts to a level of the region tree, and the one
percentage. Every KPI table "by region" (staffing, hazards, grades, 包保, self-checks) is built here.

A row's region path ("330200/330203/330203001/") is cut at ``level``: the code at that depth names
the sub-region it counts under. A row registered above that level (a business filed at district
level while the table is by street) counts under its own region, so the rows always add up to the
totals."""

from __future__ import annotations

from collections.abc import Iterable

from .choices import RegionLevel


def child_level(user) -> int:
    """The region level one below the user's own (districts for the city, streets for a district):
    the level a "by region" table breaks the user's scope into."""
    if user.region_id is None:
        return RegionLevel.DISTRICT
    return min(int(user.region.level) + 1, RegionLevel.GRID)


def pct(part: float, whole: float, digits: int = 1) -> float | None:
    """``part`` as a percentage of ``whole``, rounded; None when there is nothing to divide by."""
    return round(100.0 * part / whole, digits) if whole else None


def code_at(path: str, level: int) -> str:
    """The division code of the ancestor at ``level`` in a materialised path (or the path's own)."""
    parts = path.strip("/").split("/")
    return parts[level - 1] if len(parts) >= level else parts[-1]


class RegionTally:
    """Add rows of numbers by region path; read them back per sub-region with names.

    >>> t = RegionTally(level=RegionLevel.DISTRICT, width=2)
    >>> t.add("330200/330203/330203001/", 1, 2)
    """

    def __init__(self, level: int = RegionLevel.DISTRICT, width: int = 2):
        self.level = level
        self.width = width
        self._values: dict[str, list[float]] = {}

    def add(self, path: str, *values: float) -> None:
        if len(values) != self.width:
            raise ValueError(f"expected {self.width} values, got {len(values)}")
        acc = self._values.setdefault(code_at(path or "", self.level), [0] * self.width)
        for i, v in enumerate(values):
            acc[i] += v

    def add_rows(self, rows: Iterable[dict], path_key: str, *value_keys: str) -> None:
        for row in rows:
            self.add(row[path_key], *(row[k] for k in value_keys))

    def __len__(self) -> int:
        return len(self._values)

    def rows(self) -> list[dict]:
        """[{"code", "region_id", "name", "values"}] in name order; names in one query."""
        from .models import Region

        regions = {
            c: (pk, n) for c, pk, n in Region.objects.filter(code__in=self._values).values_list("code", "pk", "name")
        }
        out = [
            {
                "code": code,
                "region_id": regions.get(code, (None, code))[0],
                "name": regions.get(code, (None, code))[1],
                "values": values,
            }
            for code, values in self._values.items()
        ]
        return sorted(out, key=lambda r: r["name"])
