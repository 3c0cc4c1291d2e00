"""Static points for the business types the 2022/2025 rules added and for importers (an attribute now,
not a type), and 重点监督检查 (SAMR Order 49 Art. 22) as a flag computed from grade, type and attributes,
shown on the grade page, the business list, the business's tab and the API."""

from decimal import Decimal

import pytest

from shian.registry.choices import BusinessStatus, BusinessType, Scale
from shian.registry.tests.factories import BusinessFactory
from shian.supervision.grading import RuleBook
from shian.supervision.models import BusinessGrade, GradeChange, KeySupervisionRule, RiskRuleSet, StaticFactor
from shian.supervision.services import grades_recompute


@pytest.fixture
def book(db):
    return RuleBook.active()


def test_every_business_type_has_static_points_in_both_rule_sets(db):
    """Before: kindergarten canteens, other canteens and group-meal distributors scored 0 static points
    (graded A whatever they were), and the importer rows named a type that no longer exists."""
    for rule_set in RiskRuleSet.objects.all():
        types = set(rule_set.static_factors.values_list("business_type", flat=True))
        assert types == set(BusinessType.values), rule_set.code
    assert not StaticFactor.objects.filter(business_type="importer").exists()
    for row in StaticFactor.objects.filter(business_type__in=["kindergarten_canteen", "other_canteen", "group_meal"]):
        assert row.source, row  # the new rows say where their points come from


def test_static_points_for_the_new_types(book):
    assert book.grade(BusinessType.KINDERGARTEN_CANTEEN, Scale.SMALL, {}).static_points == 35  # as school canteens
    assert book.grade(BusinessType.GROUP_MEAL, Scale.SMALL, {}).static_points == 35  # as central kitchens
    assert book.grade(BusinessType.GROUP_MEAL, Scale.LARGE, {}).static_points == 40
    assert book.grade(BusinessType.OTHER_CANTEEN, Scale.SMALL, {}).static_points == 25
    assert book.grade(BusinessType.OTHER_CANTEEN, Scale.LARGE, {}).static_points == 30


def test_importers_keep_their_points_as_sellers_that_import(book):
    """The register moved importers to sales + imports_food; their static points follow (15/18/20), while
    sellers that do not import keep 10/13/16."""
    imports = frozenset({"imports_food"})
    assert [book.grade("sales", s, {}, imports).static_points for s in (1, 2, 3)] == [15, 18, 20]
    assert [book.grade("sales", s, {}).static_points for s in (1, 2, 3)] == [10, 13, 16]
    result = book.grade("sales", Scale.SMALL, {}, imports)
    assert result.reasons[0]["attribute"] == "imports_food"
    from shian.supervision.selectors import reason_label

    assert reason_label(result.reasons[0]) == "食品销售 · 进口食品" or "·" in reason_label(result.reasons[0])


def test_special_food_producers_weigh_more(book):
    plain = book.grade("production", Scale.SMALL, {})
    special = book.grade("production", Scale.SMALL, {}, frozenset({"special_food"}))
    assert (plain.static_points, special.static_points) == (20, 30)
    assert book.grade("production", Scale.LARGE, {}, frozenset({"special_food"})).static_points == 40


@pytest.mark.parametrize(
    ("business_type", "scale", "attributes", "indicators", "grade", "key"),
    [
        ("production", 1, {"special_food"}, {}, "A", True),  # special-food producer: always
        ("production", 1, set(), {}, "A", False),
        ("production", 1, set(), {"licence_missing": 1, "staffing_incomplete": 1}, "C", True),  # C producer
        ("sales", 1, set(), {"licence_missing": 1, "hazards_open_serious": 2}, "C", False),  # C seller: no
        ("catering", 1, set(), {"licence_missing": 1, "hazards_open_serious": 2}, "D", True),  # D caterer
        ("school_canteen", 1, set(), {"licence_missing": 1, "staffing_incomplete": 1}, "D", True),  # D canteen
        ("central_kitchen", 1, set(), {}, "B", True),  # central kitchen: whatever its grade
        ("group_meal", 1, set(), {}, "B", True),  # 集体用餐配送单位
        ("kindergarten_canteen", 1, set(), {}, "B", False),
    ],
)
def test_key_supervision_follows_order_49_art_22(book, business_type, scale, attributes, indicators, grade, key):
    result = book.grade(business_type, scale, indicators, frozenset(attributes))
    assert result.grade == grade
    assert result.key_supervision is key
    if key:
        rule = KeySupervisionRule.objects.get(pk=result.key_reasons[0]["rule"])
        assert "市场监管总局令第49号" in rule.source and "第二十二条" in rule.source


def test_the_flag_is_stored_shown_and_served(users, city, web, api):
    grid = city["haishu_grid"]
    kitchen = BusinessFactory(name="中央厨房甲", region=grid, type=BusinessType.CENTRAL_KITCHEN)
    special = BusinessFactory(name="保健食品厂", region=grid, type="production", special_food=True)
    plain = BusinessFactory(name="普通餐馆", region=grid)
    grades_recompute()
    assert set(BusinessGrade.objects.filter(key_supervision=True).values_list("business__name", flat=True)) == {
        kitchen.name,
        special.name,
    }
    # no licence, no staff on record: D, so under key supervision on two counts
    assert [r["label"] for r in BusinessGrade.objects.get(business=kitchen).key_reasons] == [
        "风险等级为D级的食品经营者",
        "中央厨房",
    ]
    # the grade page: a column, a tile and a filter
    page = web(users["haishu"]).get("/supervision/grades/?key=1")
    assert {g.business.name for g in page.context["page"]} == {kitchen.name, special.name}
    assert page.context["dist"]["key_supervision"] == 2
    assert page.content.decode().count("data-key-supervision") == 2
    # the business's tab: the flag with the rule and its source
    tab = web(users["haishu"]).get(f"/registry/businesses/{special.pk}/?tab=grade").content.decode()
    assert 'id="key-supervision"' in tab and "特殊食品生产者" in tab and "市场监管总局令第49号" in tab
    plain_tab = web(users["haishu"]).get(f"/registry/businesses/{plain.pk}/?tab=grade").content.decode()
    assert 'id="key-supervision"' not in plain_tab
    # the business list's grade column carries the mark
    listing = web(users["haishu"]).get("/registry/businesses/").content.decode()
    assert "D · 重点" in listing and listing.count("· 重点") == 2
    # the API: a field and a filter
    body = api(users["haishu"]).get("/api/grades?key_supervision=true").json()
    assert body["count"] == 2 and all(g["key_supervision"] for g in body["items"])
    one = api(users["haishu"]).get(f"/api/businesses/{plain.pk}/grade").json()
    assert one["current"]["key_supervision"] is False and one["current"]["key_reasons"] == []
    assert api(users["haishu"]).get("/api/grades/distribution").json()["key_supervision"] == 2


def test_an_attribute_change_updates_the_grade_row(users, city):
    shop = BusinessFactory(region=city["haishu_grid"], type="sales")
    grades_recompute()
    assert not BusinessGrade.objects.get(business=shop).key_supervision  # 10 + 26: A seller
    kitchen = BusinessFactory(region=city["haishu_grid"], type="production")
    grades_recompute()
    before = BusinessGrade.objects.get(business=kitchen)
    assert [r["label"] for r in before.key_reasons] == ["风险等级为C级、D级的食品生产者"]  # 20 + 26 = 46: C
    kitchen.special_food = True
    kitchen.save()
    grades_recompute()
    after = BusinessGrade.objects.get(business=kitchen)
    assert after.grade == "C" and [r["label"] for r in after.key_reasons] == [
        "特殊食品生产者",
        "风险等级为C级、D级的食品生产者",
    ]


@pytest.mark.parametrize("status", [BusinessStatus.REVOKED, BusinessStatus.CLOSED, BusinessStatus.SUSPENDED])
def test_businesses_that_do_not_operate_keep_history_but_no_current_grade(users, city, status):
    """Deregistered and revoked businesses (and, ShiAn's reading, suspended ones until they reopen) keep
    their grade history but hold no current grade, so they count in no distribution and no plan."""
    shop = BusinessFactory(region=city["haishu_grid"], type=BusinessType.CENTRAL_KITCHEN)
    grades_recompute()
    assert BusinessGrade.objects.get(business=shop).key_supervision
    shop.status = status
    shop.save()
    grades_recompute()
    assert not BusinessGrade.objects.filter(business=shop).exists()
    assert [c.new_grade for c in GradeChange.objects.filter(business=shop).order_by("at", "pk")] == ["D", ""]
    if status == BusinessStatus.SUSPENDED:  # reopening regrades it
        shop.status = BusinessStatus.OPERATING
        shop.save()
        grades_recompute()
        assert BusinessGrade.objects.get(business=shop).grade == "D"


def test_static_attribute_rows_only_apply_with_the_attribute(book):
    rows = StaticFactor.objects.filter(rule_set=book.rule_set, attribute="imports_food")
    assert rows.count() == 3 and all(r.business_type == "sales" for r in rows)
    assert sum(r.points for r in rows) == Decimal("53")
