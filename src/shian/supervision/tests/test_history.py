"""Grade history: grading as things stood at the end of a past day, from each module's dated records."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from shian.hazards import selectors as hazard_selectors
from shian.hazards import services as hazard_services
from shian.hazards.choices import Severity
from shian.hazards.models import Hazard
from shian.inspections import selectors as inspection_selectors
from shian.inspections import services as inspection_services
from shian.inspections.models import Inspection, Outcome
from shian.registry import selectors as registry_selectors
from shian.registry.models import Business
from shian.registry.services import staffing_refresh
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, StaffFactory
from shian.supervision import selectors, services
from shian.supervision.models import BusinessGrade, GradeChange


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def shop(users, city):
    """On the register for 1,000 days, licensed 800 days ago; a serious hazard found 600 days ago, its
    deadline 580 days ago, closed 400 days ago."""
    business = BusinessFactory(region=city["haishu_grid"])
    Business.objects.filter(pk=business.pk).update(created_at=timezone.now() - dt.timedelta(days=1000))
    LicenceFactory(business=business, issued_on=ago(800))
    StaffFactory(business=business)
    staffing_refresh()
    hazard = hazard_services.hazard_create(
        actor=users["inspector"], business=business, title="鼠患", severity=Severity.SERIOUS, found_on=ago(600)
    )
    Hazard.objects.filter(pk=hazard.pk).update(state="closed", deadline=ago(580), closed_on=ago(400))
    return business


def test_indicators_answer_for_a_past_day(shop):
    ids = [shop.pk]
    assert registry_selectors.indicator_licence_missing(ids, ago(900)) == {shop.pk: 1.0}
    assert registry_selectors.indicator_licence_missing(ids, ago(700)) == {}
    assert hazard_selectors.indicator_open_serious(ids, ago(590)) == {shop.pk: 1.0}
    assert hazard_selectors.indicator_overdue(ids, ago(590)) == {}  # deadline not yet passed
    assert hazard_selectors.indicator_overdue(ids, ago(500)) == {shop.pk: 1.0}
    assert hazard_selectors.indicator_open(ids, ago(300)) == {}  # closed by then
    assert hazard_selectors.indicator_open(ids, None) == {}


def test_verified_hazard_is_no_longer_overdue_that_day(users, shop):
    hazard = Hazard.objects.get(business=shop)
    Hazard.objects.filter(pk=hazard.pk).update(closed_on=None, state="verified")
    hazard.events.create(
        action="verify",
        from_state="evidence_submitted",
        to_state="verified",
        actor_name="inspector",
        at=timezone.make_aware(dt.datetime.combine(ago(520), dt.time(10))),
    )
    assert hazard_selectors.indicator_overdue([shop.pk], ago(530)) == {shop.pk: 1.0}
    assert hazard_selectors.indicator_overdue([shop.pk], ago(510)) == {}
    assert hazard_selectors.indicator_open([shop.pk], ago(510)) == {shop.pk: 1.0}  # open until closed


def test_inspection_indicators_count_the_year_before_the_day(users, shop):
    inspection = inspection_services.inspection_start(actor=users["inspector"], business=shop)
    Inspection.objects.filter(pk=inspection.pk).update(inspected_on=ago(400))
    inspection.refresh_from_db()
    keys = set(inspection.results.filter(item__is_key=True).values_list("item_id", flat=True)[:2])
    results = {
        r.item_id: {"outcome": Outcome.FAIL if r.item_id in keys else Outcome.PASS} for r in inspection.results.all()
    }
    inspection_services.inspection_record(actor=users["inspector"], inspection=inspection, results=results)
    inspection_services.inspection_close(actor=users["inspector"], inspection=inspection, regrade=False)
    nonconform = inspection_selectors.indicator_nonconform_12m
    assert nonconform([shop.pk], ago(300)) == {shop.pk: 1.0}
    assert nonconform([shop.pk], ago(401)) == {}
    assert nonconform([shop.pk], ago(30)) == {}
    assert nonconform([shop.pk], None) == {}
    assert not GradeChange.objects.exists()  # regrade=False: the caller grades later


def test_history_is_built_forward_with_dated_changes(shop):
    late = BusinessFactory(region=shop.region)  # registered today: not graded for past days
    for days in (900, 700, 500, 300):
        services.grades_recompute(as_of=ago(days), trigger="history")
    changes = list(GradeChange.objects.filter(business=shop).order_by("at"))
    assert [(timezone.localtime(c.at).date(), c.old_grade, c.new_grade) for c in changes] == [
        (ago(900), "", "B"),  # 15 static + 20 no licence yet
        (ago(700), "B", "A"),  # licensed
        (ago(500), "A", "B"),  # 15 + 15 serious + 3 open + 8 overdue = 41
        (ago(300), "B", "A"),  # closed
    ]
    assert "hazards_overdue" in {r["key"] for r in changes[2].reasons}
    assert not GradeChange.objects.filter(business=late).exists()
    grade = BusinessGrade.objects.get(business=shop)
    assert timezone.localtime(grade.computed_at).date() == ago(300)
    assert services.grades_recompute() == {"graded": 2, "changed": 1}  # only the late business is new
    with pytest.raises(ValidationError, match="向后续补|extended forward"):
        services.grades_recompute(as_of=ago(100))  # grades exist for today
    with pytest.raises(ValidationError, match="过去的日期|past days"):
        services.grades_recompute(as_of=timezone.localdate())


def test_history_from_ui_api_and_cli(users, web, api, shop):
    response = web(users["admin"]).post("/supervision/grades/recompute/", {"as_of": str(ago(900))}, follow=True)
    job = response.context["job"]  # the job's page: a background job (run inline in tests)
    assert job.state == "succeeded" and job.result == {"graded": 1, "changed": 1}
    response = api(users["admin"]).post(f"/api/grades/recompute?as_of={ago(700)}", {})
    assert response.status_code == 202 and response.json()["result"] == {"graded": 1, "changed": 1}
    assert api(users["admin"]).post(f"/api/grades/recompute?as_of={ago(800)}", {}).status_code == 422
    assert api(users["admin"]).post("/api/grades/recompute?as_of=yesterday", {}).status_code == 422
    assert api(users["haishu"]).post(f"/api/grades/recompute?as_of={ago(400)}", {}).status_code == 403
    page = web(users["admin"]).post("/supervision/grades/recompute/", {"as_of": "2024-13-01"}, follow=True)
    assert "2024-13-01" in page.content.decode()
    out = io.StringIO()
    call_command("recompute_grades", "--as-of", str(ago(500)), stdout=out)
    assert out.getvalue().startswith("1 graded, 1 changed")
    with pytest.raises(CommandError, match="向后续补|extended forward"):
        call_command("recompute_grades", "--as-of", str(ago(700)), stdout=out)
    history = api(users["admin"]).get(f"/api/businesses/{shop.pk}/grade").json()["history"]
    assert [h["new_grade"] for h in history] == ["B", "A", "B"]  # newest first


def test_distribution_at_each_day_end_from_the_history(users, city, web, api, shop):
    other = BusinessFactory(region=city["jiangbei_grid"])  # catering, no licence: B from its first day
    Business.objects.filter(pk=other.pk).update(created_at=timezone.now() - dt.timedelta(days=1000))
    for days in (900, 700, 500, 300):
        services.grades_recompute(as_of=ago(days), trigger="history")
    services.grades_recompute()
    days = [ago(950), ago(800), ago(600), ago(450), ago(100)]
    dist = selectors.grade_distribution_on(users["admin"], days)
    grades = [b.grade for b in dist["bands"]]
    table = [(r["day"], dict(zip(grades, r["counts"], strict=True)), r["graded"]) for r in dist["rows"]]
    assert [(day, counts["A"], counts["B"], graded) for day, counts, graded in table] == [
        (ago(950), 0, 0, 0),  # nobody graded yet
        (ago(800), 0, 2, 2),  # shop B (no licence yet), other B
        (ago(600), 1, 1, 2),  # shop licensed: A
        (ago(450), 0, 2, 2),  # shop's serious hazard overdue: B
        (ago(100), 1, 1, 2),  # closed: A
    ]
    mine = selectors.grade_distribution_on(users["haishu"], days)  # scoped: the shop only
    assert [r["graded"] for r in mine["rows"]] == [0, 1, 1, 1, 1]
    page = web(users["haishu"]).get("/supervision/grades/years/")
    assert page.status_code == 200 and len(page.context["dist"]["rows"]) == 4  # three year ends and today
    body = api(users["admin"]).get("/api/grades/distribution/history?years=2").json()
    assert len(body) == 3 and body[-1]["graded"] == 2 and body[-1]["totals"] == {"A": 1, "B": 1, "C": 0, "D": 0}
    assert api(users["admin"]).get("/api/grades/distribution/history?years=0").status_code == 422
    assert api(users["public"]).get("/api/grades/distribution/history").status_code == 403
