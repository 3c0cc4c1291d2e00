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
    assert old.filter(escalated_on__isnull=False).exists()  # some became cases (an accepted lead) when overdue
    # 立案 is a person's decision: leads accepted with their approver, declined with a reason, some open
    from shian.hazards.models import CaseLead

    assert CaseLead.objects.filter(state="accepted").exclude(approver="").exists()
    assert CaseLead.objects.filter(state="declined").exclude(decline_reason="").exists()
    assert CaseLead.objects.filter(state="open").exists()
    assert not CaseLead.objects.filter(state="accepted", approver="").exists()
    hazard = old.filter(escalated_on__isnull=True).first()
    events = list(hazard.events.order_by("at", "id"))
    assert [e.to_state for e in events][-2:] == ["verified", "closed"]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert timezone.localtime(events[-1].at).date() == hazard.closed_on
    assert Evidence.objects.filter(hazard=hazard).exists()
    recent = Hazard.objects.filter(source="inspection", found_on__gte=today - dt.timedelta(days=10))
    assert not recent.filter(state="closed").exists()


def _register_only(businesses: int = 1500):
    """The regions, logins and register steps of the demo, without the later history (fast)."""
    from shian.core import demo

    ctx = demo.DemoContext(size="test", businesses=businesses)
    for step in demo.steps():
        if step.key.startswith(("core.", "registry.")):
            step.run(ctx)


def test_demo_geography_is_ningbos_real_townships(db):
    from shian.core.data.ningbo import TOWNSHIPS

    _register_only(300)
    streets = Region.objects.filter(level=3).select_related("parent")
    assert {(s.code, s.name) for s in streets} == {(code, name) for code, name, _level in TOWNSHIPS}
    for street in streets:  # each under the county its code names: no 宁海县慈城镇
        assert street.parent.code == street.code[:6], street
    assert Region.objects.get(name="东胜街道").parent.name == "鄞州区"
    assert Region.objects.get(name="慈城镇").parent.name == "江北区"
    assert {s.name for s in Region.objects.filter(parent__name="海曙区")} >= {"南门街道", "鼓楼街道", "龙观乡"}
    # the street login is a 海曙区 street
    assert User.objects.get(username="street").region.parent.name == "海曙区"


def test_demo_register_has_every_kind_of_business_credibly(db):
    from shian.core.data.food_licences import SC_CATEGORIES, SC_SPECIAL_CATEGORIES
    from shian.registry.licensing import PROVINCIAL_BUREAU, county_bureau, licence_warnings

    _register_only(1500)
    businesses = Business.objects.select_related("region__parent__parent__parent")
    kindergartens = businesses.filter(type=BusinessType.KINDERGARTEN_CANTEEN)
    assert kindergartens.count() >= 10
    assert all("幼儿园" in k.name for k in kindergartens)
    diners = [k.diners_per_meal for k in kindergartens]
    assert sum(100 <= d <= 400 for d in diners) >= 0.7 * len(diners)
    assert not businesses.filter(type=BusinessType.SCHOOL_CANTEEN, name__contains="幼儿园").exists()
    assert businesses.filter(type=BusinessType.GROUP_MEAL).exists()
    # the credit code's holder kind (GB 32100 表1) fits the holder: schools are 事业单位/民办非企业, office
    # canteens 机关, companies 企业; no 有限公司 is an 个体工商户
    kinds = {b.uscc[:2] for b in kindergartens} | {
        b.uscc[:2] for b in businesses.filter(type=BusinessType.SCHOOL_CANTEEN)
    }
    assert kinds <= {"12", "52"} and "12" in kinds
    assert all(b.uscc[:2] == "11" for b in businesses.filter(name__endswith="机关食堂"))
    assert not businesses.filter(name__contains="有限公司", uscc__startswith="92").exists()
    assert businesses.filter(status="revoked").exists()  # correction 8 is visible: revoked, no current grade
    assert businesses.filter(type=BusinessType.OTHER_CANTEEN, name__contains="机关食堂").exists()
    assert businesses.filter(type=BusinessType.CATERING, chain_headquarters=True).exists()
    assert businesses.filter(type=BusinessType.SCHOOL_CANTEEN, canteen_outsourced=True).exists()
    importers = businesses.filter(imports_food=True)
    assert importers.exists() and set(importers.values_list("type", flat=True)) == {BusinessType.FOOD_SALES}
    assert all(any(w in b.name for w in ("进出口", "进口", "国际贸易")) for b in importers)
    special = businesses.filter(special_food=True)
    assert special.exists() and set(special.values_list("type", flat=True)) == {BusinessType.FOOD_PRODUCTION}
    for business in businesses:
        street, district = business.region.parent, business.region.parent.parent
        assert business.address.startswith(f"浙江省宁波市{district.name}{street.name}"), business.address
    # licences: SC categories of the catalogue, special foods from the province; JY and YB from the district
    # bureau, with the district's code in the number
    for licence in Licence.objects.select_related("business__region__parent__parent__parent"):
        district = licence.business.region.parent.parent
        assert licence_warnings(licence) == [], licence.number
        if licence.kind == "SC":
            assert licence.number[2:5] in SC_CATEGORIES
            special_category = licence.number[2:5] in SC_SPECIAL_CATEGORIES
            assert special_category == licence.business.special_food, licence.number
            expected = PROVINCIAL_BUREAU if special_category else county_bureau(district)
        else:
            assert licence.number[3:9] == district.code, licence.number
            expected = county_bureau(district)
        assert licence.issuing_authority == expected, licence.number
    assert Licence.objects.filter(kind="filing", number__startswith="YB1").exists()
    assert not Licence.objects.filter(issuing_authority="宁波市市场监督管理局").exists()
    for business in Business.objects.all()[:200]:
        business.full_clean()
    for licence in Licence.objects.all()[:300]:
        licence.full_clean()
