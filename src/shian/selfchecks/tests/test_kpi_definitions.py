"""The 日管控落实率 tile against a hand count."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from shian.registry.choices import BusinessStatus
from shian.registry.tests.factories import BusinessFactory
from shian.selfchecks import kpis
from shian.selfchecks.models import Kind, SelfCheck


def ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def filed(business, kind: str, days: list[int]) -> None:
    for n in days:
        SelfCheck.objects.create(business=business, kind=kind, period_start=ago(n))


@pytest.fixture
def checks(city):
    """In Haishu, daily checks filed for these days back (today = 0); the window is days 1–30:

    b1 operating  days 1–30, and 8 weekly reviews    30 in the window
    b2 operating  days 0–15 (today's too)            15 (today is not counted)
    b3 operating  days 2–11, and day 31               10 (not yesterday; day 31 is outside)
    b4 closed     days 1–30                           not counted: not operating
    b5 operating  in Jiangbei, days 1–30              only in the city's figure
    """
    grid = city["haishu_grid"]
    b1, b2, b3, b4 = (BusinessFactory(name=n, region=grid) for n in ("b1", "b2", "b3", "b4"))
    b4.status = BusinessStatus.CLOSED
    b4.save()
    b5 = BusinessFactory(name="b5", region=city["jiangbei_grid"])
    filed(b1, Kind.DAILY, range(1, 31))
    SelfCheck.objects.bulk_create(
        [SelfCheck(business=b1, kind=Kind.WEEKLY, period_start=ago(7 * w)) for w in range(1, 9)]
    )
    filed(b2, Kind.DAILY, range(0, 16))
    filed(b3, Kind.DAILY, [*range(2, 12), 31])
    filed(b4, Kind.DAILY, range(1, 31))
    filed(b5, Kind.DAILY, range(1, 31))


def test_daily_self_check_compliance(users, checks):
    # Haishu: filed 30 + 15 + 10 = 55 of 3 operating businesses × 30 days = 90 → 61.1; b3 missed yesterday
    with translation.override("en"):
        (tile,) = kpis.tiles(users["haishu"])
    assert (tile.key, tile.value, tile.unit) == ("selfcheck_daily", "61.1", "%")
    assert tile.hint == "1 businesses missed yesterday"
    # the city: 85 of 4 × 30 = 120 → 70.8
    assert kpis.tiles(users["admin"])[0].value == "70.8"


def test_the_definition_names_the_window(users, checks):
    with translation.override("en"):
        (tile,) = kpis.tiles(users["haishu"])
    assert "last 30 complete days" in tile.definition and "29 days before it" in tile.definition
