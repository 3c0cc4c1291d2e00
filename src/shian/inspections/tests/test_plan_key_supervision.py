"""Plans and 重点监督检查 (SAMR Order 49 Art. 22), and plans only for businesses that operate: a key
business gets its rules' frequency (by default the upper end of its grade's range) and is in every year's
plan; a revoked or deregistered business keeps its grade history but gets no planned visit."""

from decimal import Decimal

import pytest
from django.utils import timezone

from shian.inspections.planning import plan_generate
from shian.registry.choices import BusinessStatus, BusinessType
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, StaffFactory
from shian.supervision.models import BusinessGrade, GradeChange, KeySupervisionRule, RiskRuleSet
from shian.supervision.services import grades_recompute

YEAR = timezone.localdate().year


def _licensed(**kwargs):
    """A business with a licence and an officer on record: only its static points count."""
    from shian.registry.services import staffing_refresh

    business = BusinessFactory(**kwargs)
    LicenceFactory(business=business)
    StaffFactory(business=business)
    staffing_refresh()
    return business


def visits(plan, business) -> int:
    return plan.visits.filter(business=business, kind="routine").count()


@pytest.fixture
def district(users, city):
    grid = city["haishu_grid"]
    kitchen = _licensed(name="中央厨房", region=grid, type=BusinessType.CENTRAL_KITCHEN)  # 35: B, key
    meals = _licensed(name="集体配餐", region=grid, type=BusinessType.GROUP_MEAL)  # 35: B, key
    canteen = _licensed(name="幼儿园食堂", region=grid, type=BusinessType.KINDERGARTEN_CANTEEN)  # 35: B
    grades_recompute()
    return {"region": city["haishu"], "kitchen": kitchen, "meals": meals, "canteen": canteen}


def test_key_businesses_get_the_upper_end_of_their_grades_range(users, district):
    assert [BusinessGrade.objects.get(business=district[k]).grade for k in ("kitchen", "meals", "canteen")] == [
        "B",
        "B",
        "B",
    ]
    plan = plan_generate(actor=users["haishu"], region=district["region"], year=YEAR, random_share=0, seed=1)
    # B: 1–2 a year. Before, a central kitchen and a group-meal distributor were planned like any B (once).
    assert visits(plan, district["kitchen"]) == 2
    assert visits(plan, district["meals"]) == 2
    assert visits(plan, district["canteen"]) == 1


def test_a_rules_own_frequency_is_data(users, district):
    KeySupervisionRule.objects.filter(rule_set__active=True, label="中央厨房").update(inspections_min=Decimal("3"))
    plan = plan_generate(actor=users["haishu"], region=district["region"], year=YEAR, random_share=0, seed=1)
    assert visits(plan, district["kitchen"]) == 3
    assert visits(plan, district["meals"]) == 2


def test_key_businesses_are_in_every_years_plan_even_under_a_sparse_band(users, district, city):
    """Under the UK bands a low-risk business is inspected every 18–36 months (alternate years here); a
    central kitchen under key supervision is planned every year all the same."""
    uk = RiskRuleSet.objects.get(code="uk-fsa-flcop")
    RiskRuleSet.objects.update(active=False)
    RiskRuleSet.objects.filter(pk=uk.pk).update(active=True)
    shop = _licensed(name="小卖部", region=city["haishu_grid"], type=BusinessType.FOOD_SALES)
    grades_recompute()
    kitchen = BusinessGrade.objects.get(business=district["kitchen"])
    assert kitchen.key_supervision and float(uk.bands.get(grade=kitchen.grade).inspections_max) < 1
    assert not BusinessGrade.objects.get(business=shop).key_supervision
    years = [
        plan_generate(actor=None, region=district["region"], year=y, random_share=0, seed=1)
        for y in (YEAR, YEAR + 1, YEAR + 2)
    ]
    assert [visits(p, district["kitchen"]) for p in years] == [1, 1, 1]
    assert sum(visits(p, shop) for p in years) < 3  # not key: only in the years its band picks


@pytest.mark.parametrize("status", [BusinessStatus.REVOKED, BusinessStatus.CLOSED])
def test_a_revoked_or_deregistered_business_gets_no_planned_visit(users, district, status):
    kitchen = district["kitchen"]
    kitchen.status = status
    kitchen.save()
    grades_recompute()  # the nightly regrade: its current grade goes, its history stays
    assert not BusinessGrade.objects.filter(business=kitchen).exists()
    assert GradeChange.objects.filter(business=kitchen).count() == 2
    plan = plan_generate(actor=users["haishu"], region=district["region"], year=YEAR, random_share=1.0, seed=3)
    assert not plan.visits.filter(business=kitchen).exists()  # neither routine nor 双随机
    assert plan.visits.filter(business=district["meals"]).exists()


def test_a_business_revoked_since_the_last_regrade_is_not_planned_either(users, district):
    """The plan asks the register, not only the grades: a licence revoked today, before tonight's regrade,
    already takes the business out of the plan."""
    kitchen = district["kitchen"]
    kitchen.status = BusinessStatus.REVOKED
    kitchen.save()
    assert BusinessGrade.objects.filter(business=kitchen).exists()  # not regraded yet
    plan = plan_generate(actor=users["haishu"], region=district["region"], year=YEAR, random_share=1.0, seed=3)
    assert not plan.visits.filter(business=kitchen).exists()
