"""Which businesses a yearly plan takes: operating ones only, and for a plan dated back (``as_of``) only
those on the register by then — counted by hand."""

import datetime as dt

import pytest
from django.utils import timezone

from shian.inspections.planning import plan_generate
from shian.registry.choices import BusinessStatus
from shian.registry.tests.factories import BusinessFactory
from shian.supervision.services import grades_recompute

YEAR = timezone.localdate().year


@pytest.fixture
def district(users, city):
    """Haishu: 3 operating restaurants, one suspended, one deregistered, all registered two years ago
    (each planned at least once a year by its grade); and one restaurant registered on 1 March this year."""
    grid = city["haishu_grid"]
    opened = timezone.make_aware(dt.datetime(YEAR - 2, 5, 1, 9))
    for name in ("营业一", "营业二", "营业三"):
        BusinessFactory(name=name, region=grid, created_at=opened)
    for name, status in (("停业", BusinessStatus.SUSPENDED), ("注销", BusinessStatus.CLOSED)):
        business = BusinessFactory(name=name, region=grid, created_at=opened)
        business.status = status
        business.save()
    late = BusinessFactory(name="三月开业", region=grid)
    late.created_at = timezone.make_aware(dt.datetime(YEAR, 3, 1, 9))
    late.save()
    grades_recompute()
    return city["haishu"]


def planned(plan) -> set[str]:
    return set(plan.visits.values_list("business__name", flat=True))


def test_a_plan_leaves_out_suspended_and_deregistered_businesses(users, district):
    plan = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=1.0, seed=7)
    # routine: the 4 operating ones; the random draw (share 1.0: as many as there are) only among them too
    assert planned(plan) == {"营业一", "营业二", "营业三", "三月开业"}
    assert plan.visits.filter(kind="random").count() == 4


def test_a_plan_dated_back_takes_the_register_as_it_stood(users, district):
    plan = plan_generate(
        actor=users["haishu"], region=district, year=YEAR, random_share=0, seed=7, as_of=dt.date(YEAR - 1, 12, 31)
    )
    assert planned(plan) == {"营业一", "营业二", "营业三"}  # 三月开业 was not on the register on 31 December
