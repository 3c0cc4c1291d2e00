"""The daily check (日管控) asks each business type its own items (issue 9), through the same interface
(``services.daily_items`` and the "selfchecks.daily" checklist other modules read)."""

import pytest
from django.core.exceptions import ValidationError

from shian.core import checklists
from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.registry.choices import BusinessType
from shian.registry.tests.factories import BusinessFactory
from shian.selfchecks import services
from shian.selfchecks.models import DailyItem, Kind


def texts(btype: str) -> str:
    return " ".join(i.text for i in services.daily_items_for_type(btype))


@pytest.mark.parametrize("btype", ["production", "sales"])
def test_producers_and_sellers_are_not_asked_catering_items(db, btype):
    items = texts(btype)
    assert "生熟分开" not in items and "餐用具" not in items and "留样" not in items
    assert "冷藏冷冻" in items  # the common items stay


def test_each_type_gets_its_own_items(db):
    assert "出厂检验" in texts("production") and "出厂检验" not in texts("sales")
    assert "保质期" in texts("sales")
    for btype in ("school_canteen", "kindergarten_canteen"):
        assert "陪餐" in texts(btype) and "农药残留" in texts(btype) and "留样" in texts(btype)
    assert "封签" in texts("takeout") and "留样" not in texts("takeout")
    for btype in ("central_kitchen", "group_meal"):
        assert "配送食品温度" in texts(btype) and "留样" in texts(btype)
    assert "留样" in texts("elderly_canteen") and "陪餐" not in texts("elderly_canteen")
    # 2018 规范: other workplace canteens are advised (宜), not required, to keep samples
    assert "留样" not in texts("other_canteen") and "陪餐" not in texts("other_canteen")
    for btype in BusinessType.values:
        assert len(services.daily_items_for_type(btype)) >= 5, btype


def test_every_active_item_has_a_source_and_known_types(db):
    for item in DailyItem.objects.filter(active=True):
        assert item.source.strip(), item.text
        assert set(item.business_types) <= set(BusinessType.values), item.text
        item.full_clean()
    with pytest.raises(ValidationError):
        DailyItem(order=99, text="x", business_types=["importer"]).full_clean()


def test_the_published_checklist_and_a_filed_check_follow_the_type(city):
    factory = BusinessFactory(region=city["haishu_grid"], type="production", name="甬江豆制品厂")
    staff = UserFactory(role=Role.BUSINESS_STAFF, business=factory)
    published = checklists.items("selfchecks.daily", business=factory)
    assert [i.text for i in published] == [i.text for i in services.daily_items(factory)]
    record = services.selfcheck_file(actor=staff, business=factory, kind=Kind.DAILY, all_ok=True, answers={})
    assert not any("生熟分开" in row["text"] for row in record.items)
    assert any("出厂检验" in row["text"] for row in record.items)


def test_a_long_note_or_report_is_refused_by_name_not_cut(city):
    shop = BusinessFactory(region=city["haishu_grid"])
    staff = UserFactory(role=Role.BUSINESS_STAFF, business=shop)
    item = services.daily_items(shop)[0]
    with pytest.raises(ValidationError) as refused:
        services.selfcheck_file(
            actor=staff,
            business=shop,
            kind=Kind.DAILY,
            answers={item.pk: "no"},
            notes={item.pk: "记" * 256},
            all_ok=True,
        )
    assert f"notes.{item.pk}" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.selfcheck_file(actor=staff, business=shop, kind=Kind.WEEKLY, problems=1, report="报" * 20_001)
    assert "report" in refused.value.message_dict
    assert not shop.self_checks.exists()


def test_the_api_refuses_a_long_report_naming_it(city, api):
    shop = BusinessFactory(region=city["haishu_grid"])
    staff = UserFactory(role=Role.BUSINESS_STAFF, business=shop)
    body = {"business_id": shop.pk, "kind": "weekly", "problems": 1, "report": "报" * 20_001}
    response = api(staff).post("/api/selfchecks", body)
    assert response.status_code in (400, 422) and "report" in response.content.decode()
