"""Core reads."""

from __future__ import annotations

from django.db.models import QuerySet

from .choices import RegionLevel
from .models import Region, User
from .scoping import VIEW


def regions_for_user(user: User, *, max_level: int = RegionLevel.GRID) -> QuerySet[Region]:
    return Region.objects.restrict(user, VIEW).filter(level__lte=max_level).order_by("path")


def region_choices(user: User, *, max_level: int = RegionLevel.GRID) -> list[tuple[int, str]]:
    """Indented region labels for a select box (the user's subtree only)."""
    rows = regions_for_user(user, max_level=max_level).values_list("pk", "name", "level")
    return [(pk, "\u3000" * (level - 1) + name) for pk, name, level in rows]


def districts_for_user(user: User) -> QuerySet[Region]:
    """The district-level regions a user can see (their own, or all when city-wide)."""
    return regions_for_user(user, max_level=RegionLevel.DISTRICT).filter(level=RegionLevel.DISTRICT)


def region_rollup(counts: dict[int, tuple[int, int]], level: int = RegionLevel.DISTRICT) -> dict[int, list[int]]:
    """Roll per-region (a, b) counts up to the ancestors at ``level``: {ancestor id: [a, b]}.
    Regions are few (hundreds), so one query for the tree beats a join per row."""
    by_code: dict[str, int] = {}
    paths: dict[int, str] = {}
    for pk, code, path, lvl in Region.objects.values_list("pk", "code", "path", "level"):
        paths[pk] = path
        if lvl == level:
            by_code[code] = pk
    out: dict[int, list[int]] = {}
    for region_id, (a, b) in counts.items():
        parts = paths.get(region_id, "").strip("/").split("/")
        if len(parts) < level:
            continue
        ancestor = by_code.get(parts[level - 1])
        if ancestor is None:
            continue
        acc = out.setdefault(ancestor, [0, 0])
        acc[0] += a
        acc[1] += b
    return out
