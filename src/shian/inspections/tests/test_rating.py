import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shian.hazards.models import Hazard
from shian.inspections import services
from shian.inspections.models import Inspection, Outcome
from shian.inspections.rating import inspection_score, rating_for
from shian.registry.tests.factories import BusinessFactory, LicenceFactory

TODAY = timezone.localdate


@pytest.fixture
def shop(city):
    business = BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])
    LicenceFactory(business=business, issued_on=TODAY() - dt.timedelta(days=400))
    return business


def inspect(users, business, key_fail=0, general_fail=0, days_ago=10):
    inspection = services.inspection_start(actor=users["inspector"], business=business)
    Inspection.objects.filter(pk=inspection.pk).update(inspected_on=TODAY() - dt.timedelta(days=days_ago))
    inspection.refresh_from_db()
    keys = list(inspection.results.filter(item__is_key=True).values_list("item_id", flat=True))
    generals = list(inspection.results.filter(item__is_key=False).values_list("item_id", flat=True))
    failed = set(keys[:key_fail]) | set(generals[:general_fail])
    results = {
        r.item_id: {"outcome": Outcome.FAIL if r.item_id in failed else Outcome.PASS} for r in inspection.results.all()
    }
    services.inspection_record(actor=users["inspector"], inspection=inspection, results=results)
    return services.inspection_close(actor=users["inspector"], inspection=inspection)


def test_score_by_deductions(db):
    assert inspection_score(0, 0) == 100
    assert inspection_score(1, 1) == Decimal("86")
    assert inspection_score(5, 20) == 0


def test_levels(users, shop):
    assert rating_for(shop).dynamic_level is None  # not inspected yet
    inspect(users, shop, days_ago=100)
    r = rating_for(shop)
    assert (r.dynamic_level, r.dynamic_label, r.face, r.annual_level) == ("excellent", "优秀", "😀", "A")
    inspect(users, shop, general_fail=4, days_ago=5)  # 84
    r = rating_for(shop)
    assert (r.dynamic_level, r.last_score, r.annual_level, r.annual_average) == (
        "good",
        Decimal("84.0"),
        "A",
        Decimal("92.0"),
    )
    inspect(users, shop, key_fail=2, days_ago=1)
    r = rating_for(shop)
    assert r.dynamic_level is None and "2" in r.dynamic_reason  # two key items failed: no level


def test_no_level_after_new_licence_or_incident(users, city, shop):
    fresh = BusinessFactory(region=city["haishu_grid"])
    LicenceFactory(business=fresh, issued_on=TODAY() - dt.timedelta(days=30))
    inspect(users, fresh)
    assert rating_for(fresh).dynamic_level is None
    inspect(users, shop)
    Hazard.objects.create(
        business=shop,
        title="食物中毒",
        severity="serious",
        state="escalated",
        escalated_on=TODAY() - dt.timedelta(days=20),
    )
    assert rating_for(shop).dynamic_level is None


def test_only_catering_types_are_rated(users, city, web, api, shop):
    seller = BusinessFactory(region=city["haishu_grid"], type="sales")
    assert rating_for(seller).rated is False
    keys = [t.key for t in web(users["haishu"]).get(f"/registry/businesses/{seller.pk}/").context["tabs"]]
    assert "rating" not in keys
    inspect(users, shop)
    page = web(users["haishu"]).get(f"/registry/businesses/{shop.pk}/?tab=rating").content.decode()
    assert 'data-level="excellent"' in page
    assert api(users["haishu"]).get(f"/api/businesses/{shop.pk}/rating").json()["annual_level"] == "A"
