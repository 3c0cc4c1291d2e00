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
    # regenerating kept the old plan, superseded, with its visits; the new one is in force
    first.refresh_from_db()
    assert first.superseded_by == again and first.superseded_at is not None and again.is_current
    assert PlannedVisit.objects.filter(plan=first).count() == routine_count() + len(draw1)
    assert PlannedVisit.objects.filter(plan__year=YEAR, plan__superseded_at__isnull=True).count() == (
        routine_count() + len(draw1)
    )


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
    visit.refresh_from_db()
    assert visit.done_on == visit.window_start
    assert visit_status([visit], today=today)[visit.pk] == "done"


def test_pages_api_and_scope(users, web, api, district, city):
    response = web(users["haishu"]).post(
        "/inspections/plans/", {"region": district.pk, "year": YEAR, "random_share": "0.2", "seed": "7"}
    )  # a seed in the form is not read: the server draws it
    assert response.status_code == 302  # to the job's page (a background job; run inline in tests)
    job = web(users["inspector"]).get(response["Location"]).context["job"]
    assert job.state == "succeeded" and job.kind == "inspections.plan"
    page = web(users["inspector"]).get(job.result_url)
    expected = routine_count() + round(routine_count() * 0.2)
    assert sum(page.context["counts"].values()) == expected
    assert web(users["jiangbei"]).get(response["Location"]).status_code == 404
    assert web(users["jiangbei"]).get(job.result_url).status_code == 404
    assert web(users["inspector"]).post("/inspections/plans/", {"region": district.pk, "year": YEAR}).status_code == 403
    response = api(users["haishu"]).post("/api/plans", {"region_id": district.pk, "year": YEAR})
    assert response.status_code == 202
    body = response.json()["result"]
    assert body["seed"] != 7 and body["visits"] == expected
    first = type(page.context["plan"]).objects.get(pk=page.context["plan"].pk)
    assert first.seed_drawn and first.superseded_by_id == body["plan_id"]  # the first one, kept
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


# --- 双随机 cannot be steered: the server draws the seed; a plan generated again is kept and audited ----------
def test_the_seed_is_drawn_by_the_server_and_published(users, api, district):
    client = api(users["haishu"])
    chosen = client.post("/api/plans", {"region_id": district.pk, "year": YEAR, "seed": 7})
    assert chosen.status_code == 422 and "seed" in str(chosen.json()["detail"])  # told, not silently ignored
    seeds = []
    for _ in range(2):
        response = client.post("/api/plans", {"region_id": district.pk, "year": YEAR, "random_share": 0.5})
        assert response.status_code == 202, response.content
        result = response.json()["result"]
        published = client.get(f"/api/plans/{result['plan_id']}").json()
        assert published["seed"] == result["seed"] and published["seed_drawn"] is True
        seeds.append(result["seed"])
    assert seeds[0] != seeds[1] and all(1 <= s < 2**63 for s in seeds)  # drawn afresh from 63 bits
    plans = client.get("/api/plans", {"year": YEAR}).json()["items"]
    assert len(plans) == 2 and sum(p["superseded_at"] is None for p in plans) == 1
    current = client.get("/api/plans", {"year": YEAR, "current": "true"}).json()["items"]
    assert [p["seed"] for p in current] == [seeds[1]]


def test_a_plan_generated_again_keeps_the_old_one_and_is_audited(users, web, district):
    from shian.core.audit import entries_for

    first = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=0.5)
    kept = sorted(first.visits.values_list("business_id", "inspector_id", "kind", "due_on"))
    second = plan_generate(actor=users["haishu"], region=district, year=YEAR, random_share=0.5)
    first.refresh_from_db()
    assert first.seed_drawn and second.seed_drawn and first.seed != second.seed
    assert sorted(first.visits.values_list("business_id", "inspector_id", "kind", "due_on")) == kept
    notes = [e.note for e in entries_for(first)]
    assert any(f"superseded by plan {second.pk}" in n for n in notes), notes
    assert any(f"replaces plan {first.pk} (seed {first.seed})" in e.note for e in entries_for(second))
    client = web(users["haishu"])
    page = client.get(f"/inspections/plans/{first.pk}/").content.decode()
    assert 'id="plan-superseded"' in page and str(first.seed) in page
    listing = client.get("/inspections/plans/").content.decode()
    assert str(first.seed) in listing and str(second.seed) in listing and "data-superseded" in listing
    # an inspector's day and home follow the plan in force only
    from shian.inspections.models import PlannedVisit

    mine = PlannedVisit.objects.filter(plan__superseded_at__isnull=True, plan__year=YEAR)
    assert set(mine.values_list("plan_id", flat=True)) == {second.pk}


def test_a_plan_year_outside_the_window_is_refused(users, api, district):
    client = api(users["haishu"])
    for year in (YEAR - 2, YEAR + 2, 2**40):
        response = client.post("/api/plans", {"region_id": district.pk, "year": year})
        assert response.status_code == 422 and "year" in str(response.json()["detail"]), (year, response.content)
    response = client.post("/api/plans", {"region_id": district.pk, "year": YEAR, "random_share": 1.5})
    assert response.status_code == 422 and "random_share" in str(response.json()["detail"])
