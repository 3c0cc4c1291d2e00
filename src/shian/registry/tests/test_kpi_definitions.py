"""The register's dashboard tiles against a hand count: operating businesses, the 两员 staffing rate,
licences expiring within 30 days, operating businesses with expired licences."""

import datetime as dt

import pytest
from django.utils import timezone

from shian.registry import kpis, services
from shian.registry.choices import BusinessStatus, BusinessType, LicenceKind, Scale, StaffRole
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, StaffFactory

TODAY = timezone.localdate


def days(n: int) -> dt.date:
    return TODAY() + dt.timedelta(days=n)


@pytest.fixture
def register(city):
    """Haishu (8 operating, 1 deregistered) and Jiangbei (1 operating):

    name  status       type/scale        staff    licences (valid until)          counted as
    A     operating    catering small    officer  +1400                           complete
    B     operating    catering medium   officer  +30 (the 30th day: expiring)    incomplete (no director)
    C     operating    catering small    —        yesterday                       incomplete; expired
    D     operating    catering small    officer  −100 (old) and +900 (renewed)   complete; not expired
    E     operating    sales small       officer  a filing (no expiry)            complete; not expiring
    F     operating    catering small    officer  none on record                  complete; not "expired"
    I     operating    catering small    officer  today (its last day: expiring)  complete; not expired
    J     operating    catering small    officer  +31 (beyond the window)         complete
    G     closed       catering small    —        +5                              not counted at all
    H     operating    catering small    officer  +3 (Jiangbei)                   complete; expiring
    """
    grid, other = city["haishu_grid"], city["jiangbei_grid"]
    made = {}
    rows = [
        ("A", grid, BusinessType.CATERING, Scale.SMALL, True, [(-400, 1400)]),
        ("B", grid, BusinessType.CATERING, Scale.MEDIUM, True, [(-400, 30)]),
        ("C", grid, BusinessType.CATERING, Scale.SMALL, False, [(-1826, -1)]),
        ("D", grid, BusinessType.CATERING, Scale.SMALL, True, [(-1926, -100), (-900, 900)]),
        ("E", grid, BusinessType.FOOD_SALES, Scale.SMALL, True, ["filing"]),
        ("F", grid, BusinessType.CATERING, Scale.SMALL, True, []),
        ("I", grid, BusinessType.CATERING, Scale.SMALL, True, [(-1825, 0)]),
        ("J", grid, BusinessType.CATERING, Scale.SMALL, True, [(-1794, 31)]),
        ("G", grid, BusinessType.CATERING, Scale.SMALL, False, [(-1820, 5)]),
        ("H", other, BusinessType.CATERING, Scale.SMALL, True, [(-1822, 3)]),
    ]
    for name, region, btype, scale, officer, licences in rows:
        business = BusinessFactory(name=name, region=region, type=btype, scale=scale)
        if name == "G":
            business.status = BusinessStatus.CLOSED
            business.save()
        if officer:
            StaffFactory(business=business, role=StaffRole.OFFICER)
        for licence in licences:
            if licence == "filing":
                LicenceFactory(business=business, kind=LicenceKind.FILING, number=f"备案{name}", valid_until=None)
            else:
                LicenceFactory(business=business, issued_on=days(licence[0]), valid_until=days(licence[1]))
        made[name] = business
    services.staffing_refresh()
    return made


def tiles_of(user) -> dict:
    return {t.key: t for t in kpis.tiles(user, kpis.data(user))}


def test_operating_businesses(users, register):
    # Haishu: A B C D E F I J = 8 (G is deregistered); the city adds H = 9
    assert tiles_of(users["haishu"])["businesses"].value == "8"
    assert tiles_of(users["admin"])["businesses"].value == "9"


def test_staffing_rate(users, register):
    # Haishu: complete A D E F I J = 6 of 8 (B lacks the director a medium caterer needs, C has nobody) → 75.0
    tile = tiles_of(users["haishu"])["staffing_rate"]
    assert (tile.value, tile.unit) == ("75.0", "%")
    assert "6" in tile.hint and "8" in tile.hint
    # the city: 7 of 9 (H is complete) → 77.8
    assert tiles_of(users["admin"])["staffing_rate"].value == "77.8"


def test_licences_expiring_within_30_days(users, register):
    # Haishu: B (the 30th day) and I (today) = 2; not J (31 days), not D's lapsed old one, not the filing,
    # not G (deregistered); the city adds H = 3
    assert tiles_of(users["haishu"])["licences_expiring"].value == "2"
    assert tiles_of(users["admin"])["licences_expiring"].value == "3"


def test_operating_businesses_with_expired_licences(users, register):
    # only C: D was renewed, I is valid through today, F has no licence at all, G is deregistered
    assert tiles_of(users["haishu"])["licences_expired"].value == "1"
    assert tiles_of(users["admin"])["licences_expired"].value == "1"


def test_every_tile_is_defined(users, register):
    for tile in kpis.tiles(users["haishu"], kpis.data(users["haishu"])):
        assert tile.definition.strip() and tile.definition != tile.label, tile.key
    assert "30" in tiles_of(users["haishu"])["licences_expiring"].definition  # the window, from the selector's data
