import datetime as dt
from decimal import Decimal

import pytest

from shian.hazards import services as hazard_services
from shian.hazards.choices import Severity
from shian.registry.choices import BusinessType, Scale
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, StaffFactory
from shian.supervision import selectors, services
from shian.supervision.grading import RuleBook
from shian.supervision.models import BusinessGrade, DynamicFactor, GradeChange, RiskRuleSet


@pytest.fixture
def book(db):
    return RuleBook.active()


def test_cn_bands_and_frequencies(book):
    assert book.rule_set.code == "cn-samr-2016"
    assert [book.band_for(Decimal(s)).grade for s in ("0", "30", "30.5", "45", "46", "60", "61", "100")] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "C",
        "D",
        "D",
    ]
    d = book.band_for(Decimal("80"))
    assert (d.inspections_min, d.inspections_max) == (3, 4)


def test_static_points_by_type_and_scale(book):
    assert book.grade(BusinessType.CATERING, Scale.SMALL, {}).score == 15
    assert book.grade(BusinessType.CATERING, Scale.LARGE, {}).score == 22
    assert book.grade(BusinessType.SCHOOL_CANTEEN, Scale.SMALL, {}).score == 35  # canteens weigh highest
    assert book.grade(BusinessType.SCHOOL_CANTEEN, Scale.SMALL, {}).grade == "B"


def test_dynamic_points_are_capped_and_explained(book):
    result = book.grade(BusinessType.CATERING, Scale.SMALL, {"hazards_open_serious": 5, "staffing_incomplete": 1})
    assert result.dynamic_points == 30 + 6  # serious hazards capped at 30
    assert result.score == 51 and result.grade == "C"
    keys = [r["key"] for r in result.reasons]
    assert keys == ["catering", "hazards_open_serious", "staffing_incomplete"]


def test_uk_rule_set_is_a_second_engine_configuration(db):
    uk = RuleBook(RiskRuleSet.objects.get(code="uk-fsa-flcop"))
    assert [uk.band_for(Decimal(s)).grade for s in ("0", "30", "31", "52", "72", "92")] == [
        "E",
        "E",
        "D",
        "C",
        "B",
        "A",
    ]
    assert uk.grade(BusinessType.CATERING, Scale.SMALL, {}).grade == "D"
    assert uk.grade(BusinessType.SCHOOL_CANTEEN, Scale.SMALL, {"hazards_overdue": 3, "hazards_open": 2}).grade == "B"


def test_recompute_keeps_history_with_reasons_and_is_idempotent(users, city):
    shop = BusinessFactory(region=city["haishu_grid"])
    LicenceFactory(business=shop)
    StaffFactory(business=shop)
    from shian.registry.services import staffing_refresh

    staffing_refresh()
    assert services.grades_recompute() == {"graded": 1, "changed": 1}
    assert BusinessGrade.objects.get(business=shop).grade == "A"
    assert services.grades_recompute() == {"graded": 1, "changed": 0}
    hazard = hazard_services.hazard_create(
        actor=users["inspector"], business=shop, title="鼠患", severity=Severity.SERIOUS
    )
    hazard_services.hazard_transition(actor=users["inspector"], hazard=hazard, action="order")
    from shian.hazards.models import Hazard

    Hazard.objects.filter(pk=hazard.pk).update(deadline=dt.date.today() - dt.timedelta(days=1))
    assert services.grades_recompute(trigger="test")["changed"] == 1
    grade = BusinessGrade.objects.get(business=shop)
    assert grade.grade == "B"  # 15 static + 15 serious + 8 overdue + 3 open = 41
    assert grade.score == Decimal("41")
    change = GradeChange.objects.filter(business=shop).first()
    assert (change.old_grade, change.new_grade, change.trigger) == ("A", "B", "test")
    assert {r["key"] for r in change.reasons} >= {"hazards_open_serious", "hazards_overdue"}


def test_switching_rule_set_regrades(users, city, web):
    BusinessFactory(region=city["haishu_grid"])
    services.grades_recompute()
    uk = RiskRuleSet.objects.get(code="uk-fsa-flcop")
    response = web(users["admin"]).post(f"/supervision/rules/{uk.pk}/activate/")
    assert response.status_code == 302
    grade = BusinessGrade.objects.get()
    assert grade.rule_set == uk and grade.grade == "D"
    assert RiskRuleSet.objects.filter(active=True).count() == 1
    assert web(users["haishu"]).post(f"/supervision/rules/{uk.pk}/activate/").status_code == 403


def test_editing_a_factor_changes_the_next_recompute(users, city, web):
    shop = BusinessFactory(region=city["haishu_grid"])
    services.grades_recompute()
    factor = DynamicFactor.objects.get(rule_set__active=True, indicator="staffing_incomplete")
    response = web(users["admin"]).post(
        f"/supervision/rules/dynamic/{factor.pk}/edit/",
        {"indicator": "staffing_incomplete", "points_per_unit": "20", "max_points": "20", "note": "stricter"},
    )
    assert response.status_code == 302
    assert BusinessGrade.objects.get(business=shop).score == 41  # 15 static + 6 staffing + 20 no licence
    services.grades_recompute()
    assert BusinessGrade.objects.get(business=shop).score == 55  # staffing now weighs 20
    assert BusinessGrade.objects.get(business=shop).grade == "C"


def test_scope_ui_and_api(users, city, web, api):
    mine = BusinessFactory(name="海曙店", region=city["haishu_grid"])
    theirs = BusinessFactory(name="江北店", region=city["jiangbei_grid"])
    services.grades_recompute()
    page = web(users["haishu"]).get("/supervision/grades/")
    assert [g.business.name for g in page.context["page"]] == ["海曙店"]
    assert page.context["dist"]["graded"] == 1
    assert api(users["haishu"]).get(f"/api/businesses/{theirs.pk}/grade").status_code == 404
    body = api(users["haishu"]).get(f"/api/businesses/{mine.pk}/grade").json()
    assert body["current"]["grade"] == "B" and body["history"][0]["new_grade"] == "B"
    assert api(users["haishu"]).get("/api/grades").json()["count"] == 1
    assert api(users["haishu"]).post("/api/grades/recompute", {}).status_code == 403
    response = api(users["admin"]).post("/api/grades/recompute", {})
    assert response.status_code == 202 and response.json()["state"] == "succeeded"
    assert response.json()["result"] == {"graded": 2, "changed": 0}
    tab = web(users["haishu"]).get(f"/registry/businesses/{mine.pk}/?tab=grade").content.decode()
    assert 'data-grade="B"' in tab
    dist = selectors.grade_distribution(users["admin"])
    assert dict(dist["totals"]) == {"A": 0, "B": 2, "C": 0, "D": 0} and dist["inspections_min"] == 2


@pytest.mark.django_db
def test_only_operating_businesses_hold_a_current_grade(users, city):
    """A deregistered business keeps its grade history but has no current grade (so no planned visits
    and no place in the distribution); the change to no grade is recorded with its reason."""
    from shian.registry.choices import BusinessStatus
    from shian.registry.tests.factories import BusinessFactory
    from shian.supervision.models import BusinessGrade, GradeChange
    from shian.supervision.services import grades_recompute

    open_shop = BusinessFactory(region=city["haishu_grid"])
    closing = BusinessFactory(region=city["haishu_grid"])
    grades_recompute()
    assert BusinessGrade.objects.filter(business__in=[open_shop, closing]).count() == 2
    closing.status = BusinessStatus.CLOSED
    closing.save()
    counts = grades_recompute()
    assert counts["graded"] == 1
    assert not BusinessGrade.objects.filter(business=closing).exists()
    last = GradeChange.objects.filter(business=closing).order_by("-at", "-pk").first()
    assert last.new_grade == "" and last.reasons[0]["factor"] == "status"
    assert GradeChange.objects.filter(business=closing).count() == 2  # history kept
    assert grades_recompute()["changed"] == 0  # idempotent
