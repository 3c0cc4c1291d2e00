import datetime as dt
import math

import pytest
from django.utils import timezone

from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.inspections import services
from shian.inspections.models import Inspection, Outcome, PlannedVisit
from shian.inspections.planning import plan_generate, visit_status
from shian.registry.tests.factories import BusinessFactory
from shian.supervision.models import BusinessGrade, GradeBand
from shian.supervision.services import grades_recompute

YEAR = timezone.localdate().year


@pytest.fixture
def district(users, city):
    for i in range(8):
        BusinessFactory(name=f"餐馆{i}", region=city["haishu_grid"])
    BusinessFactory(name="学校食堂", region=city["haishu_grid"], type="school_canteen")  # B: 1–2 a year
    UserFactory(username="inspector2", role=Role.INSPECTOR, region=city["haishu"])
    grades_recompute()
    return city["haishu"]


def routine_count() -> int:
    """What the grades require: the band minimum (rounded up) per business, the band maximum for a business
    under key supervision (重点监督检查, by default rules); every band here is ≥ 1."""
    bands = {b.grade: b for b in GradeBand.objects.filter(rule_set__active=True)}
    return sum(
        math.ceil(bands[g].inspections_max if key else bands[g].inspections_min)
        for g, key in BusinessGrade.objects.values_list("grade", "key_supervision")
    )


def test_routine_visits_follow_grades_and_workload_is_balanced(users, district):
    canteen = BusinessGrade.objects.get(business__name="学校食堂")
    assert canteen.grade == "D"  # 35 static + no licence 20 + no staff 6
    assert canteen.key_supervision  # a D-graded 食品经营者: 重点监督检查 (Order 49 Art. 22)
    plan = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=0, seed=1)
    visits = list(plan.visits.all())
    assert len(visits) == routine_count() == 8 + 4
    # D: 3–4 a year; under key supervision the upper end, spread over the year
    assert plan.visits.filter(business=canteen.business).count() == 4
    assert len({v.window_start.month for v in plan.visits.filter(business=canteen.business)}) == 4
    load = {}
    for v in visits:
        load[v.inspector_id] = load.get(v.inspector_id, 0) + 1
        assert v.window_start.year == YEAR and v.due_on >= v.window_start
    # two inspectors and the street officer whose street holds these businesses share the work evenly
    assert len(load) == 3 and max(load.values()) - min(load.values()) <= 1


def test_random_share_is_reproducible_from_the_seed(users, district):
    first = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=0.5, seed=42)
    draw1 = sorted(first.visits.filter(kind="random").values_list("business_id", "inspector_id", "due_on"))
    again = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=0.5, seed=42)
    draw2 = sorted(again.visits.filter(kind="random").values_list("business_id", "inspector_id", "due_on"))
    assert draw1 == draw2 and len(draw1) == round(routine_count() * 0.5)
    # regenerating replaced the old plan
    assert PlannedVisit.objects.filter(plan__year=YEAR).count() == routine_count() + len(draw1)


def test_status_done_overdue(users, district):
    plan = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=0, seed=3)
    visit = plan.visits.order_by("due_on").first()
    today = visit.due_on + dt.timedelta(days=1)
    assert visit_status([visit], today=today)[visit.pk] == "overdue"
    inspection = services.inspection_start(actor=users["inspector"], business=visit.business)
    Inspection.objects.filter(pk=inspection.pk).update(inspected_on=visit.window_start)
    inspection.refresh_from_db()
    services.inspection_record(
        actor=users["inspector"],
        inspection=inspection,
        results={r.item_id: {"outcome": Outcome.PASS} for r in inspection.results.all()},
    )
    services.inspection_close(actor=users["inspector"], inspection=inspection)
    assert visit_status([visit], today=today)[visit.pk] == "done"


def test_pages_api_and_scope(users, web, api, district, city):
    response = web(users["haishu"]).post(
        "/inspections/plans/", {"region": district.pk, "year": YEAR, "random_share": "0.2", "seed": "7"}
    )
    assert response.status_code == 302  # to the job's page (a background job; run inline in tests)
    job = web(users["inspector"]).get(response["Location"]).context["job"]
    assert job.state == "succeeded" and job.kind == "inspections.plan"
    page = web(users["inspector"]).get(job.result_url)
    expected = routine_count() + round(routine_count() * 0.2)
    assert sum(page.context["counts"].values()) == expected
    assert web(users["jiangbei"]).get(response["Location"]).status_code == 404
    assert web(users["jiangbei"]).get(job.result_url).status_code == 404
    assert web(users["inspector"]).post("/inspections/plans/", {"region": district.pk, "year": YEAR}).status_code == 403
    response = api(users["haishu"]).post("/api/plans", {"region_id": district.pk, "year": YEAR, "seed": 7})
    assert response.status_code == 202
    body = response.json()["result"]
    assert body["seed"] == 7 and body["visits"] == expected
    visits = api(users["haishu"]).get(f"/api/plans/{body['plan_id']}/visits").json()
    assert visits["count"] == expected and {v["status"] for v in visits["items"]} <= {
        "done",
        "due",
        "overdue",
        "upcoming",
    }
    assert api(users["haishu"]).post("/api/plans", {"region_id": city["jiangbei"].pk, "year": YEAR}).status_code == 404


def test_planned_days_are_working_days_and_my_day_page(users, web, district):
    from decimal import Decimal

    from shian.registry.models import Business

    for i, b in enumerate(Business.objects.all()):
        Business.objects.filter(pk=b.pk).update(
            latitude=Decimal("29.85") + Decimal(i) / 100, longitude=Decimal("121.50") + Decimal(i) / 100
        )
    plan = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=0.2, seed=5)
    days = list(plan.visits.values_list("planned_on", "window_start", "due_on"))
    assert all(p is not None and w <= p <= d and p.weekday() < 5 for p, w, d in days)
    visit = plan.visits.filter(inspector=users["inspector"]).order_by("planned_on").first()
    page = web(users["inspector"]).get(f"/inspections/plans/day/?date={visit.planned_on.isoformat()}")
    assert page.status_code == 200
    assert visit.business_id in [v.business_id for v, _s in page.context["visits"]]
    assert page.context["counts"][visit.planned_on] >= 1
    html = page.content.decode()
    assert 'class="map"' in html and 'id="calendar"' in html and "style=" not in html.split("<body")[1]
    other = web(users["haishu"]).get(f"/inspections/plans/day/?date={visit.planned_on}&inspector={visit.inspector_id}")
    assert other.context["inspector"] == users["inspector"]  # a district regulator can look at an inspector's day
    assert (
        web(users["jiangbei"]).get(f"/inspections/plans/day/?inspector={visit.inspector_id}").context["inspector"]
        == users["jiangbei"]
    )  # outside scope: falls back to the caller's own day


def test_plan_page_pages_through_every_visit_and_counts_them_all(users, web, city):
    """More visits than a page: the counts and the workload cover every visit, the table shows one page
    with a pager, and the window column is headed 起始日期 (not 原等级, a grade's 'from')."""
    for i in range(90):
        BusinessFactory(name=f"大店{i}", region=city["haishu_grid"])
    grades_recompute()
    plan = plan_generate(actor=users["haishu"], region=city["haishu"], year=YEAR, random_share=0.5, seed=3)
    total = plan.visits.count()
    assert total > 100
    first = web(users["haishu"]).get(f"/inspections/plans/{plan.pk}/")
    assert sum(first.context["counts"].values()) == total
    assert sum(n for _name, n in first.context["workload"]) == total
    assert len(first.context["rows"]) == 100
    html = first.content.decode()
    assert "起始日期" in html and "原等级" not in html and f"共 {total} 条" in html
    last = web(users["haishu"]).get(f"/inspections/plans/{plan.pk}/?page=2")
    assert len(last.context["rows"]) == total - 100
    overdue = web(users["haishu"]).get(f"/inspections/plans/{plan.pk}/?status=overdue&page=x")
    assert all(s == "overdue" for _v, s in overdue.context["rows"])
