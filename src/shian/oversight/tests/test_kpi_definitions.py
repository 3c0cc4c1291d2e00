"""The 包保督导率 tile against a hand count."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from shian.oversight import kpis, services
from shian.oversight.models import Assignment, Level
from shian.registry.tests.factories import BusinessFactory


def ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def assignments(users, city):
    """Periods (the seeded frequency table): district 91 days, street 31. In Haishu:

    a1 district, from −200, last visit −30       due, on schedule
    a2 district, from −200, last visit −120      due, behind
    a3 district, from −10                        not due yet (its first period is running)
    a4 district, from −200, last visit −91       due, on schedule (the period's last day)
    a5 district, from −200, never visited        due, behind
    a6 district, from −200, ended −5             no longer in force: not counted
    s1 street,   from −40,  last visit −20       due, on schedule
    s2 street,   from −20                        not due yet
    """
    haishu, street = users["haishu"], users["street"]
    made = {}
    for name, official, level, starts, visits in [
        ("a1", haishu, Level.DISTRICT, 200, [150, 30]),
        ("a2", haishu, Level.DISTRICT, 200, [120]),
        ("a3", haishu, Level.DISTRICT, 10, []),
        ("a4", haishu, Level.DISTRICT, 200, [91]),
        ("a5", haishu, Level.DISTRICT, 200, []),
        ("a6", haishu, Level.DISTRICT, 200, [150]),
        ("s1", street, Level.STREET, 40, [20]),
        ("s2", street, Level.STREET, 20, []),
    ]:
        business = BusinessFactory(name=name, region=city["haishu_grid"])
        made[name] = services.assignment_create(
            actor=None, official=official, business=business, level=level, starts_on=ago(starts)
        )
        for n in visits:
            services.visit_record(actor=official, assignment=made[name], visited_on=ago(n))
    Assignment.objects.filter(pk=made["a6"].pk).update(ends_on=ago(5))
    return made


def test_assigned_supervision_rate(users, assignments):
    # due: a1 a2 a4 a5 s1 = 5; on schedule: a1 a4 s1 = 3 → 60.0, 2 behind
    with translation.override("en"):
        (tile,) = kpis.tiles(users["haishu"])
    assert (tile.key, tile.value, tile.unit) == ("oversight_rate", "60.0", "%")
    assert tile.hint == "2 assignments behind schedule"
    assert kpis.tiles(users["jiangbei"]) == []  # nothing due in Jiangbei: no tile


def test_the_definition_names_the_periods_in_force(users, assignments):
    with translation.override("en"):
        (tile,) = kpis.tiles(users["haishu"])
    assert "District level every 91 days" in tile.definition and "Street level every 31 days" in tile.definition


def test_the_overview_page_tiles_by_level(users, assignments):
    from shian.oversight import selectors

    with translation.override("en"):
        tiles = {t.key: t for t in kpis.overview_tiles(selectors.oversight_status(users["haishu"]))}
    # all: 3 of 5 (as above); district: a1 a4 of a1 a2 a4 a5 = 2 of 4 → 50.0; street: s1 of s1 → 100.0
    assert tiles["oversight_rate"].value == "60.0"
    assert tiles["oversight_rate"].hint == "3 of 5 assignments due were visited on schedule"
    assert (tiles["oversight_rate_district"].value, tiles["oversight_rate_district"].hint) == ("50.0", "2/4")
    assert (tiles["oversight_rate_street"].value, tiles["oversight_rate_street"].hint) == ("100.0", "1/1")
    assert "91 days" in tiles["oversight_rate_district"].definition
    assert all(t.definition for t in tiles.values())
