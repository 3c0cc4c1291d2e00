"""The hazard tiles against a hand count: open, overdue, closed on time (with the median days to close),
unread notices."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from shian.core.tests.factories import UserFactory
from shian.hazards import kpis
from shian.hazards.choices import HazardState as S
from shian.hazards.models import CaseLead, Hazard, Notification
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
    13 closed              −420   −405         closed −400   on time, but its loop ended over 365 days ago
    14 escalated           −420   −405 esc −380              ended over 365 days ago: outside the rate too
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
        (shop, S.CLOSED, -420, -405, None, -400),
        (shop, S.ESCALATED, -420, -405, -380, None),
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
    # ended in the last 365 days: closed 6 7 8 9 11 and still escalated 10 = 6 (13 and 14 ended earlier);
    # on time: 6 7 11 = 3 → 50.0; days to close: 14 15 20 50 3 → median 15 (13's 20 days not counted)
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
    assert {t.key for t in tiles} == {
        "hazards_open",
        "hazards_overdue",
        "hazards_on_time",
        "case_leads_open",
        "case_leads_12m",
        "cases_12m",
        "notifications",
    }
    for tile in tiles:
        assert tile.definition.strip() and tile.definition != tile.label, tile.key


@pytest.fixture
def leads(city, users):
    """Case leads as (district, state, raised, decided), in days from today:

    1  Haishu    open       −3                          open; raised in 12 months
    2  Haishu    open       −400                        open; raised before the 12 months
    3  Haishu    accepted   −30   approved −20          a case in 12 months; raised in 12 months
    4  Haishu    accepted   −400  approved −380         a case, but before the 12 months
    5  Haishu    accepted   −370  approved −360         raised before, approved within: a case in 12 months
    6  Haishu    declined   −10   decided today         declined in 12 months; raised in 12 months
    7  Jiangbei  open       −1                          another district's
    """
    shop = BusinessFactory(region=city["haishu_grid"])
    other = BusinessFactory(region=city["jiangbei_grid"])
    rows = [
        (shop, "open", -3, None),
        (shop, "open", -400, None),
        (shop, "accepted", -30, -20),
        (shop, "accepted", -400, -380),
        (shop, "accepted", -370, -360),
        (shop, "declined", -10, 0),
        (other, "open", -1, None),
    ]
    for business, state, raised, decided in rows:
        hazard = Hazard.objects.create(business=business, title="线索", found_on=day(raised))
        CaseLead.objects.create(
            hazard=hazard,
            reason="overdue",
            state=state,
            raised_on=day(raised),
            approved_on=day(decided) if state == "accepted" else None,
            approver="王局长" if state == "accepted" else "",
            decided_at=timezone.now() + dt.timedelta(days=decided) if decided is not None else None,
        )


def test_leads_and_cases_are_counted_apart(users, leads):
    tiles = tiles_of(users["haishu"])
    assert tiles["case_leads_open"].value == 2  # 1 and 2
    assert tiles["case_leads_12m"].value == 3  # 1, 3 and 6
    assert tiles["cases_12m"].value == 2  # 3 and 5 (by approval date)
    with translation.override("en"):
        assert tiles_of(users["haishu"])["case_leads_12m"].hint.startswith("1 ")  # 6
    assert tiles_of(users["admin"])["case_leads_open"].value == 3  # and 7
    assert "case_leads_open" not in tiles_of(UserFactory(role="business_staff"))  # a business sees no leads
