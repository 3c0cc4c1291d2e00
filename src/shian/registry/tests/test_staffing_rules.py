"""The full 两员 rule set (issue 9 item 4): each corrected category, the strict/inclusive diners
threshold, rules that need a business attribute, contradictions refused, and the migration's
recomputation of existing businesses."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from shian.registry import services
from shian.registry.choices import BusinessType, Scale, StaffRole
from shian.registry.models import Business, StaffingRule
from shian.registry.staffing import ATTRIBUTES, RuleBook, attributes_of, true_attributes
from shian.registry.tests.factories import BusinessFactory, StaffFactory

MIGRATION = importlib.import_module("shian.registry.migrations.0006_staffing_rules_2022")
BOTH = ["director", "officer"]
# an outsourced canteen at its threshold: a director of the unit itself and one of the contractor (双食品安全总监)
DUAL = ["director", "director_own", "director_contractor", "officer"]
OFFICER = ["officer"]
NONE: list[str] = []


@pytest.fixture
def book(db):
    return RuleBook.load()


# Each case failed before the 2022/2025 rule set was loaded (the old value in the comment).
@pytest.mark.parametrize(
    ("btype", "scale", "diners", "attributes", "expected"),
    [
        # kindergarten canteens: 300人以上 (were covered by no rule at all: nothing required)
        pytest.param(BusinessType.KINDERGARTEN_CANTEEN, Scale.SMALL, 350, set(), BOTH, id="kindergarten-350"),
        pytest.param(BusinessType.KINDERGARTEN_CANTEEN, Scale.SMALL, 300, set(), BOTH, id="kindergarten-300"),
        pytest.param(BusinessType.KINDERGARTEN_CANTEEN, Scale.SMALL, 299, set(), OFFICER, id="kindergarten-299"),
        # other unit canteens: 1000人以上 (were: nothing)
        pytest.param(BusinessType.OTHER_CANTEEN, Scale.SMALL, 1000, set(), BOTH, id="other-canteen-1000"),
        pytest.param(BusinessType.OTHER_CANTEEN, Scale.LARGE, 999, set(), OFFICER, id="other-canteen-999"),
        # group-meal distributors: 供餐 1000人以上, and large/medium caterers (were: nothing)
        pytest.param(BusinessType.GROUP_MEAL, Scale.SMALL, 1000, set(), BOTH, id="group-meal-1000"),
        pytest.param(BusinessType.GROUP_MEAL, Scale.SMALL, 999, set(), OFFICER, id="group-meal-999"),
        pytest.param(BusinessType.GROUP_MEAL, Scale.MEDIUM, 200, set(), BOTH, id="group-meal-medium"),
        # central kitchens: 超过1000人 (were: director at exactly 1000)
        pytest.param(BusinessType.CENTRAL_KITCHEN, Scale.SMALL, 1000, set(), OFFICER, id="central-kitchen-1000"),
        pytest.param(BusinessType.CENTRAL_KITCHEN, Scale.SMALL, 1001, set(), BOTH, id="central-kitchen-1001"),
        # special-food producers, whatever their scale (were: officer only when small)
        pytest.param(BusinessType.FOOD_PRODUCTION, Scale.SMALL, None, {"special_food"}, BOTH, id="special-food"),
        pytest.param(BusinessType.FOOD_PRODUCTION, Scale.SMALL, None, set(), OFFICER, id="ordinary-producer"),
        # chain headquarters, whatever their scale (were: officer only when small)
        pytest.param(BusinessType.CATERING, Scale.SMALL, None, {"chain_headquarters"}, BOTH, id="chain-hq-catering"),
        pytest.param(BusinessType.FOOD_SALES, Scale.SMALL, None, {"chain_headquarters"}, BOTH, id="chain-hq-sales"),
        pytest.param(BusinessType.TAKEOUT, Scale.SMALL, None, {"chain_headquarters"}, BOTH, id="chain-hq-takeout"),
        # a special-food flag on a caterer is no 特殊食品生产企业
        pytest.param(BusinessType.CATERING, Scale.SMALL, None, {"special_food"}, OFFICER, id="special-food-caterer"),
        # schools and kindergartens that outsource their canteen keep their own director (双食品安全总监);
        # before the employer was recorded the row added nothing (was: BOTH)
        pytest.param(
            BusinessType.SCHOOL_CANTEEN, Scale.SMALL, 500, {"canteen_outsourced"}, DUAL, id="outsourced-school-500"
        ),
        pytest.param(
            BusinessType.SCHOOL_CANTEEN, Scale.SMALL, 499, {"canteen_outsourced"}, OFFICER, id="outsourced-school-499"
        ),
        pytest.param(
            BusinessType.KINDERGARTEN_CANTEEN,
            Scale.SMALL,
            300,
            {"canteen_outsourced"},
            DUAL,
            id="outsourced-kindergarten-300",
        ),
    ],
)
def test_required_roles(book, btype, scale, diners, attributes, expected):
    assert book.required(btype, scale, diners, attributes) == expected


def test_unchanged_rows_still_hold(book):
    assert book.required(BusinessType.SCHOOL_CANTEEN, Scale.SMALL, 500) == BOTH
    assert book.required(BusinessType.SCHOOL_CANTEEN, Scale.SMALL, 499) == OFFICER
    assert book.required(BusinessType.ELDERLY_CANTEEN, Scale.SMALL, 300) == BOTH
    assert book.required(BusinessType.ELDERLY_CANTEEN, Scale.SMALL, 299) == OFFICER
    assert book.required(BusinessType.FOOD_SALES, Scale.MEDIUM, None) == BOTH
    assert book.required(BusinessType.CENTRAL_KITCHEN, Scale.MEDIUM, 10) == BOTH


def test_every_type_needs_an_officer_and_every_rule_has_a_source(book):
    for btype in BusinessType.values:
        assert "officer" in book.required(btype, Scale.SMALL, None), btype
    assert all(rule.source.strip() for rule in StaffingRule.objects.all())


def test_the_outsourced_row_stands_on_its_own(book):
    """The 双总监 row is a rule of its own: deactivating the general school row does not drop it."""
    StaffingRule.objects.filter(business_type="school_canteen", role="director", required_attribute="").update(
        active=False
    )
    book = RuleBook.load()
    assert book.required(BusinessType.SCHOOL_CANTEEN, Scale.SMALL, 800, {"canteen_outsourced"}) == [
        "director_own",
        "director_contractor",
        "officer",
    ]
    assert book.required(BusinessType.SCHOOL_CANTEEN, Scale.SMALL, 800) == OFFICER


def test_refresh_reads_the_business_attributes(city):
    """services.staffing_refresh passes the attribute columns to the rules (not only type/scale/diners)."""
    special = BusinessFactory(region=city["haishu_grid"], type=BusinessType.FOOD_PRODUCTION, special_food=True)
    chain = BusinessFactory(region=city["haishu_grid"], type=BusinessType.CATERING, chain_headquarters=True)
    kindergarten = BusinessFactory(
        region=city["haishu_grid"], type=BusinessType.KINDERGARTEN_CANTEEN, diners_per_meal=350
    )
    kitchen = BusinessFactory(region=city["haishu_grid"], type=BusinessType.CENTRAL_KITCHEN, diners_per_meal=1000)
    for business in (special, chain, kindergarten, kitchen):
        StaffFactory(business=business)  # an officer each
    services.staffing_refresh()
    state = {b.pk: (b.staffing_complete, b.staffing_missing) for b in Business.objects.all()}
    assert state[special.pk] == (False, "director")
    assert state[chain.pk] == (False, "director")
    assert state[kindergarten.pk] == (False, "director")
    assert state[kitchen.pk] == (True, "")
    StaffFactory(business=special, role=StaffRole.DIRECTOR, name="总监")
    services.staffing_refresh(business_ids=[special.pk])
    special.refresh_from_db()
    assert special.staffing_complete


def test_evaluate_for_a_business_object(book):
    business = Business(type=BusinessType.CATERING, scale=Scale.SMALL, chain_headquarters=True)
    assert attributes_of(business) == {"chain_headquarters"}
    assert book.required_for(business) == BOTH
    assert book.evaluate_for(business, {"officer"}) == (False, "director")
    assert true_attributes([True, False, True]) == {ATTRIBUTES[0], ATTRIBUTES[2]}


# --- contradictions are refused ----------------------------------------------------------------
def _seeded() -> StaffingRule:
    return StaffingRule.objects.get(business_type="central_kitchen", role="director", min_diners=1000)


def _rule(**overrides) -> StaffingRule:
    data = {"business_type": "central_kitchen", "role": "director", "min_diners": 1000, "source": "local rule"}
    data.update(overrides)
    return StaffingRule(**data)


def test_same_threshold_inclusive_and_exclusive_is_refused(users):
    # the seeded central-kitchen row counts > 1000; an "at least 1000" row for the same type and role
    with pytest.raises(ValidationError) as exc:
        services.staffing_rule_save(
            actor=users["admin"],
            business_type="central_kitchen",
            role="director",
            min_diners=1000,
            diners_comparison="gte",
            source="local rule",
        )
    assert f"#{_seeded().pk}" in exc.value.message_dict["min_diners"][0]  # names the clashing rule
    assert not StaffingRule.objects.filter(business_type="central_kitchen", min_diners=1000, diners_comparison="gte")


def test_contradictions_refused_by_clean(db):
    with pytest.raises(ValidationError) as exc:
        _rule(diners_comparison="gte").full_clean()
    assert f"#{_seeded().pk}" in exc.value.message_dict["min_diners"][0]
    with pytest.raises(ValidationError) as exc:
        _rule(min_diners=-1).full_clean()
    assert "min_diners" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _rule(min_diners=None, diners_comparison="gt").full_clean()
    assert list(exc.value.message_dict) == ["min_diners"]
    with pytest.raises(ValidationError) as exc:
        _rule(diners_comparison="gt").full_clean()  # the seeded row again
    assert f"#{_seeded().pk}" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        _rule(diners_comparison="ge").full_clean()
    assert "diners_comparison" in exc.value.message_dict
    _rule(diners_comparison="gte", active=False).full_clean()  # an inactive draft contradicts nothing
    _rule(diners_comparison="gte", required_attribute="chain_headquarters").full_clean()  # another condition
    _rule(diners_comparison="gte", min_diners=1500).full_clean()  # another threshold


def test_editing_a_row_does_not_clash_with_itself(db):
    row = StaffingRule.objects.get(business_type="central_kitchen", role="director", min_diners=1000)
    row.source += " (checked)"
    row.full_clean()


def test_contradiction_through_the_page(users, web, city):
    """The rule page refuses the row with a form error and saves nothing."""
    before = StaffingRule.objects.count()
    response = web(users["admin"]).post(
        "/registry/staffing/rules/new/",
        {"business_type": "central_kitchen", "role": "director", "min_diners": 1000, "source": "x", "active": "on"},
    )
    assert response.status_code == 200
    seeded = StaffingRule.objects.get(business_type="central_kitchen", role="director", min_diners=1000)
    assert f"#{seeded.pk}" in response.content.decode()  # the error names the clashing rule
    response = web(users["admin"]).post(
        "/registry/staffing/rules/new/",
        {"business_type": "school_canteen", "role": "director", "min_diners": -5, "source": "x", "active": "on"},
    )
    assert response.status_code == 200
    assert StaffingRule.objects.count() == before


# --- the migration ------------------------------------------------------------------------------
def test_migration_recomputes_existing_businesses(city):
    kindergarten = BusinessFactory(
        region=city["haishu_grid"], type=BusinessType.KINDERGARTEN_CANTEEN, diners_per_meal=350
    )
    kitchen = BusinessFactory(region=city["haishu_grid"], type=BusinessType.CENTRAL_KITCHEN, diners_per_meal=1000)
    StaffFactory(business=kindergarten)
    StaffFactory(business=kitchen)
    # the state the old rules left: kindergarten complete (no rule), kitchen lacking a director
    Business.objects.filter(pk=kindergarten.pk).update(staffing_complete=True, staffing_missing="")
    Business.objects.filter(pk=kitchen.pk).update(staffing_complete=False, staffing_missing="director")
    MIGRATION.recompute(django_apps)
    kindergarten.refresh_from_db()
    kitchen.refresh_from_db()
    assert (kindergarten.staffing_complete, kindergarten.staffing_missing) == (False, "director")
    assert (kitchen.staffing_complete, kitchen.staffing_missing) == (True, "")


def test_migration_logic_matches_the_model(book):
    """The frozen copy in the migration decides like StaffingRule.applies_to on the seeded rows."""
    rules = list(StaffingRule.objects.all())
    for btype in BusinessType.values:
        for scale in Scale.values:
            for diners in (None, 299, 300, 499, 500, 999, 1000, 1001):
                for attrs in (set(), {"special_food"}, {"chain_headquarters"}, {"canteen_outsourced"}):
                    for rule in rules:
                        assert MIGRATION._applies(rule, btype, scale, diners, attrs) == rule.applies_to(
                            btype, scale, diners, attrs
                        ), (rule, btype, scale, diners, attrs)
    assert MIGRATION.ATTRIBUTES == ATTRIBUTES


def test_condition_in_words(db):
    kitchen = StaffingRule.objects.get(business_type="central_kitchen", role="director", min_diners=1000)
    assert "> 1000" in kitchen.condition
    kindergarten = StaffingRule.objects.get(
        business_type="kindergarten_canteen", role="director", required_attribute="", min_diners=300
    )
    assert "≥ 300" in kindergarten.condition
    chain = StaffingRule.objects.get(business_type="sales", required_attribute="chain_headquarters")
    assert str(chain.get_required_attribute_display()) in chain.condition
    assert StaffingRule.objects.get(business_type="sales", role="officer").condition  # "every business of the type"
