"""The demo city has outsourced school canteens (issue 9, 双食品安全总监): their staff are the contractor's,
named; at the threshold most schools have appointed their own director too, some have not and show it."""

from shian.registry.choices import BusinessType, StaffEmployer, StaffRole
from shian.registry.models import Business, Staff
from shian.registry.staffing import RuleBook


def test_outsourced_canteens_with_and_without_the_schools_own_director(db):
    from shian.core.tests.test_demo import _register_only

    _register_only(3000)
    outsourced = Business.objects.filter(type=BusinessType.SCHOOL_CANTEEN, canteen_outsourced=True)
    at_threshold = outsourced.filter(diners_per_meal__gte=500)
    assert at_threshold.count() >= 5
    contractors = Staff.objects.filter(business__in=outsourced, employer=StaffEmployer.CONTRACTOR)
    assert contractors.exists() and not contractors.filter(contractor_name="").exists()
    own_directors = Staff.objects.filter(
        business__in=at_threshold, role=StaffRole.DIRECTOR, employer=StaffEmployer.OWN_UNIT
    ).values_list("business_id", flat=True)
    with_own = at_threshold.filter(pk__in=own_directors)
    without_own = at_threshold.exclude(pk__in=own_directors)
    assert with_own.exists() and without_own.exists()
    assert all("director_own" in b.staffing_missing.split(",") for b in without_own)
    assert not any("director_own" in b.staffing_missing for b in with_own)
    # the stored state is what the rules say of the staff on record
    rules = RuleBook.load()
    for business in outsourced:
        present = set()
        for person in business.staff.filter(active=True):
            present |= person.requirement_keys
        assert rules.evaluate_for(business, present) == (business.staffing_complete, business.staffing_missing)
    # elsewhere every person is the unit's own
    assert not Staff.objects.exclude(business__in=outsourced).exclude(employer=StaffEmployer.OWN_UNIT).exists()
