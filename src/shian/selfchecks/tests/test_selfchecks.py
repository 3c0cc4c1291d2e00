import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.hazards.models import Hazard
from shian.registry.tests.factories import BusinessFactory
from shian.selfchecks import selectors, services
from shian.selfchecks.models import Kind, SelfCheck

TODAY = timezone.localdate


@pytest.fixture
def shop(city):
    return BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])


@pytest.fixture
def officer(shop):
    return UserFactory(username="officer", role=Role.BUSINESS_STAFF, business=shop)


def test_daily_weekly_monthly_periods(officer, shop):
    monday = TODAY() - dt.timedelta(days=TODAY().weekday())
    assert services.period_start(Kind.WEEKLY, TODAY()) == monday
    assert services.period_start(Kind.MONTHLY, TODAY()) == TODAY().replace(day=1)
    zero = services.selfcheck_file(actor=officer, business=shop, kind=Kind.DAILY)
    assert zero.problems == 0 and all(i["ok"] for i in zero.items)  # a zero-risk day is still filed
    with pytest.raises(ValidationError):  # once per period
        services.selfcheck_file(actor=officer, business=shop, kind=Kind.DAILY)
    with pytest.raises(ValidationError):
        services.selfcheck_file(actor=officer, business=shop, kind=Kind.DAILY, day=TODAY() + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.selfcheck_file(actor=officer, business=shop, kind=Kind.WEEKLY, problems=2)  # needs a report
    weekly = services.selfcheck_file(
        actor=officer, business=shop, kind=Kind.WEEKLY, problems=1, report="冷库门封条老化"
    )
    assert weekly.period_start == monday


def test_failed_items_raise_hazards(officer, shop):
    item = services.daily_items(shop)[2]
    record = services.selfcheck_file(
        actor=officer,
        business=shop,
        kind=Kind.DAILY,
        day=TODAY() - dt.timedelta(days=1),
        failed_item_ids=[item.pk],
        raise_hazards=True,
    )
    assert record.problems == 1
    hazard = Hazard.objects.get(business=shop)
    assert hazard.source == "self_check" and hazard.found_by == officer
    assert hazard.title == f"不符合：{item.text}"  # named as a defect, not by the requirement alone
    assert hazard.origin == f"selfchecks.selfcheck:{record.pk}"
    with pytest.raises(ValidationError):
        services.selfcheck_file(actor=officer, business=shop, kind=Kind.DAILY, failed_item_ids=[999999])


def test_canteens_get_the_meal_sample_item(city):
    canteen = BusinessFactory(region=city["haishu_grid"], type="school_canteen")
    shop = BusinessFactory(region=city["haishu_grid"], type="catering")
    assert any("留样" in i.text for i in services.daily_items(canteen))
    assert not any("留样" in i.text for i in services.daily_items(shop))


def test_compliance_rate_and_missing(users, officer, shop, city):
    lazy = BusinessFactory(name="江北懒店", region=city["jiangbei_grid"])
    for i in range(1, 31):
        services.selfcheck_file(actor=officer, business=shop, kind=Kind.DAILY, day=TODAY() - dt.timedelta(days=i))
    c = selectors.compliance(users["admin"], Kind.DAILY)
    assert (c["filed"], c["expected"], c["rate"]) == (30, 60, 50.0)
    assert [b.name for b in c["missing"]] == ["江北懒店"]
    assert {r["name"]: r["rate"] for r in c["by_region"]} == {"海曙区": 100.0, "江北区": 0.0}
    assert selectors.compliance(users["jiangbei"])["rate"] == 0.0
    assert lazy.pk != shop.pk


def test_pages_and_api(users, officer, shop, web, api):
    page = web(officer).get("/selfchecks/")
    assert page.status_code == 200 and page.context["checklist"].total == len(services.daily_items(shop))
    response = web(officer).post("/selfchecks/", {"kind": "daily", "all_ok": "1"})
    assert response.status_code == 302 and SelfCheck.objects.filter(business=shop).count() == 1
    assert web(officer).get("/selfchecks/").context["daily"]["record"] is not None
    regulator = web(users["haishu"]).get("/selfchecks/?kind=daily")
    assert regulator.context["c"]["expected"] == 30
    assert web(users["haishu"]).post("/selfchecks/", {"kind": "daily"}).status_code == 200  # regulators do not file
    created = api(officer).post("/api/selfchecks", {"business_id": shop.pk, "kind": "monthly", "report": "月度调度"})
    assert created.status_code == 201
    assert api(users["haishu"]).post("/api/selfchecks", {"business_id": shop.pk, "kind": "weekly"}).status_code == 403
    assert api(users["haishu"]).get("/api/selfchecks/compliance").json()["expected"] == 30
    assert api(users["jiangbei"]).get("/api/selfchecks", {"business_id": shop.pk}).json()["count"] == 0
