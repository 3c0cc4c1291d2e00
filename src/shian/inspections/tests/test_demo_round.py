"""The demo `inspector` always has visits planned for today (the browser test of the inspector's day
skipped on weekends and on days the plan left empty)."""

import datetime as dt

from shian.inspections.demo import TODAY_VISITS, plan_todays_round
from shian.inspections.models import InspectionPlan, PlannedVisit
from shian.registry.tests.factories import BusinessFactory
from shian.supervision.models import RiskRuleSet

SATURDAY = dt.date(2026, 11, 28)


def test_a_round_is_planned_for_today_even_on_a_weekend(users, city):
    plan = InspectionPlan.objects.create(
        region=city["haishu"], year=SATURDAY.year, seed=1, rule_set=RiskRuleSet.objects.first()
    )
    visits = [
        PlannedVisit.objects.create(
            plan=plan,
            business=BusinessFactory(region=city["haishu_grid"]),
            inspector=users["inspector"],
            kind="routine",
            window_start=dt.date(2026, 11, 1),
            due_on=dt.date(2026, 11, 30),
            planned_on=dt.date(2026, 11, 27),  # the Friday before
        )
        for _ in range(TODAY_VISITS + 2)
    ]
    assert not PlannedVisit.objects.filter(planned_on=SATURDAY).exists()
    round_ = plan_todays_round(SATURDAY)
    assert len(round_) == TODAY_VISITS
    assert PlannedVisit.objects.filter(inspector=users["inspector"], planned_on=SATURDAY).count() == TODAY_VISITS
    assert {v.pk for v in plan_todays_round(SATURDAY)} == {v.pk for v in round_}  # idempotent
    assert len(visits) - TODAY_VISITS == PlannedVisit.objects.exclude(planned_on=SATURDAY).count()
