import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shian.hazards.models import Hazard, Incident
from shian.inspections import services
from shian.inspections.models import Conclusion, Inspection, Outcome, RatedLevel, RatingBand, RatingPolicy
from shian.inspections.rating import inspection_score, rated_score, rating_for
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
    # an escalated serious hazard is not a food-safety incident: the level stands (it used to be withheld)
    Hazard.objects.create(
        business=shop,
        title="冷库温度失控",
        severity="serious",
        state="escalated",
        escalated_on=TODAY() - dt.timedelta(days=20),
    )
    assert rating_for(shop).dynamic_level == "excellent"
    # a recorded incident (食品安全事故, Food Safety Law Art. 150) more than 6 months ago: the level stands
    Incident.objects.create(business=shop, occurred_on=TODAY() - dt.timedelta(days=200), title="食物中毒")
    assert rating_for(shop).dynamic_level == "excellent"
    # one within 6 months: no dynamic level, and the reason names it
    Incident.objects.create(business=shop, occurred_on=TODAY() - dt.timedelta(days=20), title="食物中毒")
    r = rating_for(shop)
    assert r.dynamic_level is None and (TODAY() - dt.timedelta(days=20)).isoformat() in r.dynamic_reason


def test_a_nonconforming_inspection_gives_at_most_fair(users, shop):
    """One failed key item scores 90, which the bands call 优秀, but the inspection concludes 不符合: the
    level follows the conclusion (RatingPolicy.best_level_nonconform = 一般), and so does the annual level."""
    closed = inspect(users, shop, key_fail=1, days_ago=2)
    assert (closed.conclusion, closed.score) == (Conclusion.NONCONFORM, Decimal("90.0"))
    r = rating_for(shop)
    assert (r.dynamic_level, r.dynamic_label, r.face) == ("fair", "一般", "😐")
    assert r.last_score == Decimal("90.0") and r.dynamic_reason  # the score shown, the cap explained
    assert (r.annual_average, r.annual_level) == (Decimal("74.9"), "C")


def test_the_best_level_per_conclusion_is_editable_data(users, shop):
    policy = RatingPolicy.objects.get()
    assert "不符合" in policy.source and policy.best_level_nonconform == RatedLevel.FAIR
    policy.best_level_nonconform = RatedLevel.NONE
    policy.save()
    inspect(users, shop, key_fail=1, days_ago=2)
    r = rating_for(shop)
    assert r.dynamic_level is None and r.annual_level is None  # held below the lowest band: 59.9
    policy.best_level_basically = RatedLevel.GOOD
    policy.save()
    inspect(users, shop, general_fail=1, days_ago=1)  # 96, 基本符合: at most 良好
    assert rating_for(shop).dynamic_level == "good"
    policy.best_level_basically, policy.best_level_nonconform = RatedLevel.FAIR, RatedLevel.GOOD
    with pytest.raises(ValidationError):  # a 不符合 inspection rated above a 基本符合 one: refused
        policy.full_clean()
    policy.best_level_basically, policy.best_level_nonconform = RatedLevel.EXCELLENT, RatedLevel.EXCELLENT
    with pytest.raises(ValidationError, match="优秀|Excellent|excellent|does not conform"):  # never 优秀/良好
        policy.full_clean()
    policy.best_level_nonconform = RatedLevel.GOOD
    with pytest.raises(ValidationError):
        policy.full_clean()


def test_a_conforming_inspection_is_rated_by_its_score(db):
    policy = RatingPolicy.objects.get()
    bands = list(RatingBand.objects.filter(kind="dynamic").order_by("-min_score"))
    assert rated_score(Decimal("96"), Conclusion.CONFORM, policy, bands) == Decimal("96")
    assert rated_score(Decimal("96"), Conclusion.BASICALLY, policy, bands) == Decimal("96")
    assert rated_score(Decimal("96"), Conclusion.NONCONFORM, policy, bands) == Decimal("74.9")
    assert rated_score(Decimal("50"), Conclusion.NONCONFORM, policy, bands) == Decimal("50")


def test_only_catering_types_are_rated(users, city, web, api, shop):
    seller = BusinessFactory(region=city["haishu_grid"], type="sales")
    assert rating_for(seller).rated is False
    keys = [t.key for t in web(users["haishu"]).get(f"/registry/businesses/{seller.pk}/").context["tabs"]]
    assert "rating" not in keys
    inspect(users, shop)
    page = web(users["haishu"]).get(f"/registry/businesses/{shop.pk}/?tab=rating").content.decode()
    assert 'data-level="excellent"' in page
    assert api(users["haishu"]).get(f"/api/businesses/{shop.pk}/rating").json()["annual_level"] == "A"


@pytest.mark.parametrize("btype", ["kindergarten_canteen", "other_canteen", "group_meal"])
def test_the_new_catering_types_are_rated(city, btype):
    assert rating_for(BusinessFactory(region=city["haishu_grid"], type=btype)).rated is True
