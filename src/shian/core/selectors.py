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
