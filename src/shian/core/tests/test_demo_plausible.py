"""The tiny demo city looks like a healthy city with realistic problems: its indicators add up."""

import datetime as dt
from collections import Counter, defaultdict

from django.core.management import call_command
from django.utils import timezone

from shian.core.choices import Role
from shian.core.models import User
from shian.hazards.choices import HazardState
from shian.hazards.models import Hazard
from shian.hazards.selectors import hazard_kpis
from shian.inspections.models import Inspection, InspectionPlan, PlannedVisit
from shian.inspections.planning import visit_status
from shian.oversight.models import Assignment, Visit
from shian.oversight.selectors import oversight_status
from shian.registry.choices import BusinessStatus
from shian.registry.models import Business
from shian.registry.selectors import licence_counts, staffing_rate
from shian.selfchecks.models import SelfCheck
from shian.selfchecks.selectors import compliance
from shian.supervision.models import BusinessGrade


def test_the_tiny_demo_city_adds_up(db):
    call_command("demo", size="tiny", no_progress=True)
    today = timezone.localdate()
    admin = User.objects.get(username="admin")

    # most businesses file their daily checks, some miss days
    assert 85 <= compliance(admin)["rate"] <= 95
    # nearly every 包保 assignment is visited on schedule, not all
    oversight = oversight_status(admin)
    assert 90 <= oversight["rate"] < 100
    # hazards are mostly rectified by their deadline; a few are late or became cases
    hazards = hazard_kpis(admin)
    assert 80 <= hazards["on_time_rate"] < 100
    # a few operating businesses hold an expired licence, not one in ten
    operating = staffing_rate(admin)["total"]
    assert 0 < licence_counts(admin)["expired_businesses"] <= 0.03 * operating

    # plans: for operating businesses only, that were on the register when the plan was made; past windows
    # mostly done, a few overdue; each district's visits spread evenly over its inspectors
    assert not PlannedVisit.objects.exclude(business__status=BusinessStatus.OPERATING).exists()
    for plan in InspectionPlan.objects.select_related("region"):
        start = timezone.make_aware(dt.datetime(plan.year, 1, 1))
        assert not plan.visits.filter(business__created_at__gte=start).exists(), plan
    past = list(PlannedVisit.objects.filter(due_on__lt=today))
    status = Counter(visit_status(past, today).values())
    assert status["done"] >= 0.9 * len(past)
    assert 0 < status["overdue"] <= 0.08 * len(past)
    loads: dict[int, Counter] = defaultdict(Counter)
    for plan_id, inspector_id in PlannedVisit.objects.filter(inspector__role=Role.INSPECTOR).values_list(
        "plan_id", "inspector_id"
    ):
        loads[plan_id][inspector_id] += 1
    for plan_id, load in loads.items():
        assert len(load) >= 2 and max(load.values()) <= 1.6 * min(load.values()), (plan_id, load)

    # the demo logins' businesses have a whole history to show
    for login in ("shop", "canteen"):
        business = Business.objects.get(accounts__user__username=login)
        assert business.status == BusinessStatus.OPERATING
        assert business.licences.filter(valid_until__gt=today).exists(), login
        assert BusinessGrade.objects.filter(business=business).exists(), login
        assert Inspection.objects.filter(business=business, state="closed").count() >= 3, login
        assert Assignment.objects.filter(business=business).exists(), login
        assert Visit.objects.filter(assignment__business=business).exists(), login
        last_month = SelfCheck.objects.filter(
            business=business, kind="daily", period_start__gte=today - dt.timedelta(days=30)
        )
        assert last_month.count() >= 25, login
        assert not last_month.filter(period_start=today).exists(), login  # today's is theirs to file
    shop = Business.objects.get(accounts__user__username="shop")
    in_loop = Hazard.objects.filter(business=shop, source="inspection", deadline__gte=today)
    assert in_loop.filter(state__in=[HazardState.ORDERED, HazardState.RECTIFYING]).exists()
    assert Hazard.objects.filter(business=shop, state=HazardState.CLOSED).exists()  # and an earlier loop, closed
