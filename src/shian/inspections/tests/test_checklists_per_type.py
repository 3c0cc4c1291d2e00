"""Each business type is inspected against its own checklist (issue 9): the items a regulator expects of
that type are on it, and not on the others'."""

import pytest

from shian.inspections import services
from shian.inspections.models import ChecklistTemplate, ResultRule
from shian.registry.choices import BusinessType
from shian.registry.tests.factories import BusinessFactory


def texts(btype: str) -> str:
    template = ChecklistTemplate.objects.get(business_type=btype, active=True)
    return " ".join(template.items.values_list("text", flat=True))


def test_one_active_checklist_per_type_each_with_its_source(db):
    for btype in BusinessType.values:
        templates = ChecklistTemplate.objects.filter(business_type=btype, active=True)
        assert templates.count() == 1, btype
        assert templates.get().source.strip(), btype


@pytest.mark.parametrize("btype", ["school_canteen", "kindergarten_canteen"])
def test_school_and_kindergarten_canteens(db, btype):
    items = texts(btype)
    for word in ("晨检", "陪餐", "农药残留快速检测", "留样"):
        assert word in items, (btype, word)


def test_takeout_has_the_seal_and_the_platform_licence(db):
    items = texts("takeout")
    assert "封签" in items and "网络平台公示" in items
    assert "封签" not in texts("catering")


@pytest.mark.parametrize("btype", ["central_kitchen", "group_meal"])
def test_meal_delivery_has_temperature_and_time(db, btype):
    items = texts(btype)
    assert "配送食品温度" in items and "食用时限" in items and "留样" in items


def test_restaurants_are_not_asked_canteen_or_delivery_items(db):
    items = texts("catering")
    for word in ("陪餐", "晨检", "配送食品温度", "留样"):
        assert word not in items


def test_production_follows_the_2016_table_counts(db):
    template = ChecklistTemplate.objects.get(business_type="production", active=True)
    assert template.items.count() == 51 and template.items.filter(is_key=True).count() == 21
    assert "表1-1" in template.source and "21" in template.source and "51" in template.source


def test_the_importer_template_is_retired(db):
    assert not ChecklistTemplate.objects.filter(business_type="importer").exists()
    retired = ChecklistTemplate.objects.get(name="进口食品经营日常监督检查表")
    assert not retired.active and "进口食品" in retired.source
    assert "进口" in texts("sales")  # the sellers' list keeps the imported-food item


def test_the_general_failure_threshold_is_marked_local(db):
    assert all("本地规则" in rule.source for rule in ResultRule.objects.all())


def test_a_new_type_starts_on_its_own_list(users, city):
    for btype in ("kindergarten_canteen", "other_canteen", "group_meal"):
        business = BusinessFactory(region=city["haishu_grid"], type=btype)
        inspection = services.inspection_start(actor=users["inspector"], business=business)
        assert inspection.template.business_type == btype and inspection.results.count() >= 18


def test_samples_are_key_only_where_the_2018_rules_require_them(db):
    """留样 is required (应) of school, kindergarten, elderly-care canteens, central kitchens and group-meal
    distributors — a key item there; other workplace canteens are only advised (宜): a general item, so a
    missing sample alone does not make a 机关 canteen's inspection 不符合."""

    def sample_item(btype):
        template = ChecklistTemplate.objects.get(business_type=btype, active=True)
        return template.items.get(section="留样")

    for btype in ("school_canteen", "kindergarten_canteen", "elderly_canteen", "central_kitchen", "group_meal"):
        assert sample_item(btype).is_key, btype
    assert not sample_item("other_canteen").is_key
