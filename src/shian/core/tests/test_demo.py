from django.core.management import call_command
from django.db import transaction

from shian.core.models import AuditEntry, Region, User
from shian.registry.choices import BusinessType
from shian.registry.models import Business, Licence, Staff
from shian.registry.selectors import licence_counts, staffing_rate


def _city():
    call_command("demo", businesses=400, no_progress=True)


def test_demo_city(db):
    _city()
    assert Region.objects.filter(level=2).count() == 10
    assert set(Region.objects.filter(level=2).values_list("name", flat=True)) >= {"海曙区", "象山县", "慈溪市"}
    assert Business.objects.count() == 400
    assert set(Business.objects.values_list("type", flat=True)) == set(BusinessType.values)
    roles = set(User.objects.values_list("role", flat=True))
    assert {
        "city_admin",
        "district_regulator",
        "street_officer",
        "inspector",
        "business_staff",
        "canteen_manager",
        "laboratory",
        "insurer",
        "public",
    } <= roles
    admin = User.objects.get(username="admin")
    kpi = staffing_rate(admin)
    assert 50 < kpi["rate"] < 100  # a few gaps on purpose
    assert licence_counts(admin)["expired_businesses"] > 0
    assert AuditEntry.objects.filter(object_type="registry.business").count() == 400


def test_demo_records_are_valid(db):
    _city()
    for business in Business.objects.all()[:150]:
        business.full_clean()
    for licence in Licence.objects.all()[:150]:
        licence.full_clean()
    for person in Staff.objects.all()[:150]:
        person.full_clean()


class _Rollback(Exception):
    pass


def _generate_and_capture() -> list:
    """Generate the city inside a savepoint, read it back, and roll it all away."""
    try:
        with transaction.atomic():
            _city()
            rows = list(Business.objects.order_by("pk").values_list("uscc", "name", "type", "region__code"))
            rows += list(Licence.objects.order_by("pk").values_list("number", "valid_until"))
            raise _Rollback
    except _Rollback:
        return rows


def test_demo_is_deterministic(db):
    first = _generate_and_capture()
    assert not Business.objects.exists()
    assert first == _generate_and_capture()


def test_demo_skips_when_city_exists(db, capsys):
    _city()
    call_command("demo", businesses=100, no_progress=True)
    assert Business.objects.count() == 400
    assert "already holds a city" in capsys.readouterr().out


def test_demo_has_three_years_of_history(db):
    """Grades, plans, inspections, hazards, 包保 visits and self-checks reach back three years."""
    import datetime as dt

    from django.utils import timezone

    from shian.hazards.models import Evidence, Hazard
    from shian.inspections.models import Inspection, InspectionPlan
    from shian.oversight.models import Visit
    from shian.selfchecks.models import SelfCheck
    from shian.supervision.models import BusinessGrade, GradeChange

    call_command("demo", businesses=1500, no_progress=True)
    today = timezone.localdate()
    two_years_ago = today - dt.timedelta(days=2 * 365)
    assert Inspection.objects.filter(inspected_on__lt=two_years_ago).exists()
    assert Visit.objects.filter(visited_on__lt=two_years_ago).exists()
    assert SelfCheck.objects.filter(kind="daily", period_start__lt=two_years_ago).exists()
    assert SelfCheck.objects.filter(kind="monthly", period_start__lt=two_years_ago).exists()
    years = set(InspectionPlan.objects.values_list("year", flat=True))
    assert years == {today.year - 2, today.year - 1, today.year}
    snapshots = {timezone.localtime(at).date() for at in GradeChange.objects.values_list("at", flat=True)}
    assert {
        dt.date(today.year - 3, 12, 31),
        dt.date(today.year - 2, 12, 31),
        dt.date(today.year - 1, 12, 31),
    } <= snapshots
    # graded now as well: every business that operates (the others keep their history, no current grade)
    assert BusinessGrade.objects.count() == Business.objects.filter(status="operating").count()

    old = Hazard.objects.filter(found_on__lt=two_years_ago)
    assert old.exists() and not old.exclude(state="closed").exists()  # long since closed
    assert old.filter(escalated_on__isnull=False).exists()  # some became cases when overdue
    hazard = old.filter(escalated_on__isnull=True).first()
    events = list(hazard.events.order_by("at", "id"))
    assert [e.to_state for e in events][-2:] == ["verified", "closed"]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert timezone.localtime(events[-1].at).date() == hazard.closed_on
    assert Evidence.objects.filter(hazard=hazard).exists()
    recent = Hazard.objects.filter(source="inspection", found_on__gte=today - dt.timedelta(days=10))
    assert not recent.filter(state="closed").exists()
