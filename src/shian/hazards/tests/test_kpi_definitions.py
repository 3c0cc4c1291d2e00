"""The hazard tiles against a hand count: open, overdue, closed on time (with the median days to close),
unread notices."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from shian.core.tests.factories import UserFactory
from shian.hazards import kpis
from shian.hazards.choices import HazardState as S
from shian.hazards.models import Hazard, Notification
from shian.registry.tests.factories import BusinessFactory

TODAY = timezone.localdate


def day(n: int) -> dt.date | None:
    return None if n is None else TODAY() + dt.timedelta(days=n)


@pytest.fixture
def hazards(city):
    """Hazards as (state, found, deadline, escalated, closed), in days from today:

    1  found               −1     —                          open
    2  ordered             −20    −1                         open, overdue
    3  rectifying          −15    0 (today: not yet overdue) open
    4  evidence submitted  −20    −5                         open, overdue
    5  verified            −25    −10                        open (verified: not overdue)
    6  closed              −30    −15          closed −16    on time, 14 days
    7  closed              −30    −15          closed −15    on time (on the deadline), 15 days
    8  closed              −40    −25          closed −20    late, 20 days
    9  closed              −60    −45  esc −37 closed −10    escalated: not on time, 50 days
    10 escalated           −50    −35  esc −27               ended, not on time, not open
    11 closed              −5     —            closed −2     on time (no deadline), 3 days
    12 ordered (Jiangbei)  −20    −3                         open, overdue
    """
    shop = BusinessFactory(region=city["haishu_grid"])
    other = BusinessFactory(region=city["jiangbei_grid"])
    rows = [
        (shop, S.FOUND, -1, None, None, None),
        (shop, S.ORDERED, -20, -1, None, None),
        (shop, S.RECTIFYING, -15, 0, None, None),
        (shop, S.EVIDENCE_SUBMITTED, -20, -5, None, None),
        (shop, S.VERIFIED, -25, -10, None, None),
        (shop, S.CLOSED, -30, -15, None, -16),
        (shop, S.CLOSED, -30, -15, None, -15),
        (shop, S.CLOSED, -40, -25, None, -20),
        (shop, S.CLOSED, -60, -45, -37, -10),
        (shop, S.ESCALATED, -50, -35, -27, None),
        (shop, S.CLOSED, -5, None, None, -2),
        (other, S.ORDERED, -20, -3, None, None),
    ]
    for business, state, found, deadline, escalated, closed in rows:
        Hazard.objects.create(
            business=business,
            title="隐患",
            state=state,
            found_on=day(found),
            deadline=day(deadline),
            escalated_on=day(escalated),
            closed_on=day(closed),
        )


def tiles_of(user) -> dict:
    return {t.key: t for t in kpis.tiles(user, kpis.data(user))}


def test_open_hazards(users, hazards):
    assert tiles_of(users["haishu"])["hazards_open"].value == 5  # 1–5
    assert tiles_of(users["admin"])["hazards_open"].value == 6  # and 12


def test_overdue_hazards(users, hazards):
    assert tiles_of(users["haishu"])["hazards_overdue"].value == 2  # 2 and 4
    assert tiles_of(users["admin"])["hazards_overdue"].value == 3  # and 12


def test_closed_on_time_rate_and_median(users, hazards):
    # ended: closed 6 7 8 9 11 and still escalated 10 = 6; on time: 6 7 11 = 3 → 50.0
    # days to close: 14 15 20 50 3 → median 15
    with translation.override("en"):
        tile = tiles_of(users["haishu"])["hazards_on_time"]
    assert (tile.value, tile.unit) == ("50.0", "%")
    assert tile.hint.startswith("3 of 6 ") and tile.hint.endswith("median 15 days")


def test_unread_notices(users, hazards):
    haishu = users["haishu"]
    assert "notifications" not in tiles_of(haishu)  # none: no tile
    hazard = Hazard.objects.first()
    Notification.objects.create(user=haishu, hazard=hazard, text="转立案")
    Notification.objects.create(user=haishu, hazard=hazard, text="已读", read_at=timezone.now())
    Notification.objects.create(user=UserFactory(), hazard=hazard, text="别人的")
    assert tiles_of(haishu)["notifications"].value == 1  # unread and addressed to haishu


def test_every_tile_is_defined(users, hazards):
    Notification.objects.create(user=users["haishu"], hazard=Hazard.objects.first(), text="转立案")
    tiles = kpis.tiles(users["haishu"], kpis.data(users["haishu"]))
    assert {t.key for t in tiles} == {"hazards_open", "hazards_overdue", "hazards_on_time", "notifications"}
    for tile in tiles:
        assert tile.definition.strip() and tile.definition != tile.label, tile.key
