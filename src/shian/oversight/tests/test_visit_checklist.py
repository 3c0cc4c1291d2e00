"""A 包保 visit answers the business's daily-control items on the shared phone checklist: the 否 answers
and their notes become the visit's findings (and the optional hazard); N/A counts as answered; an
unanswered item is refused unless 全部符合; the API without answers works as before."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shian.core import checklists
from shian.hazards.models import Hazard
from shian.oversight import services
from shian.oversight.models import Level, Visit
from shian.registry.tests.factories import BusinessFactory
from shian.selfchecks import services as selfcheck_services


@pytest.fixture
def canteen(city):
    return BusinessFactory(name="海曙实验小学食堂", region=city["haishu_grid"], type="school_canteen")


@pytest.fixture
def assignment(users, canteen):
    return services.assignment_create(
        actor=None,
        official=users["haishu"],
        business=canteen,
        level=Level.DISTRICT,
        starts_on=timezone.localdate() - dt.timedelta(days=100),
    )


@pytest.fixture
def items(canteen):
    return selfcheck_services.daily_items(canteen)


def url(assignment) -> str:
    return f"/oversight/assignments/{assignment.pk}/visits/"


def test_the_visit_items_are_the_business_daily_control_items(assignment, canteen, items):
    assert [i.id for i in services.visit_checklist(canteen)] == [i.pk for i in items]
    assert any("留样" in i.text for i in items)  # the canteen's own item too


def test_the_tab_shows_the_checklist_to_the_assigned_official_only(users, web, assignment, canteen, items):
    html = web(users["haishu"]).get(f"/registry/businesses/{canteen.pk}/?tab=oversight").content.decode()
    form = html[html.index('class="form visit-form"') : html.index("</form>", html.index('class="form visit-form"'))]
    assert re.findall(r'data-item="(\d+)"', form) == [str(i.pk) for i in items]
    for answer in ("yes", "no", "na"):
        assert form.count(f'data-answer="{answer}"') == len(items)
    assert "data-all-ok" in form and "data-counter" in form and f"<span data-total>{len(items)}</span>" in form
    assert f'action="{url(assignment)}" class="form visit-form"' in html
    street = web(users["street"]).get(f"/registry/businesses/{canteen.pk}/?tab=oversight").content.decode()
    assert "visit-form" not in street and "data-answer" not in street  # sees the visits, records none
    assert web(users["haishu"]).get(url(assignment)).status_code == 200  # the form on a page of its own
    assert web(users["street"]).get(url(assignment)).status_code == 403
    assert web(users["jiangbei"]).get(url(assignment)).status_code == 404


def test_no_answers_and_notes_become_the_findings(users, web, assignment, items):
    data = {f"answer_{i.pk}": "yes" for i in items}
    data[f"answer_{items[2].pk}"] = "no"
    data[f"note_{items[2].pk}"] = "冷藏柜 9℃"
    data[f"answer_{items[4].pk}"] = "no"
    data[f"answer_{items[5].pk}"] = "na"  # N/A counts as answered
    data[f"note_{items[0].pk}"] = "a note on a yes item is not a finding"
    data["findings"] = "督促完善留样记录"
    response = web(users["haishu"]).post(url(assignment), data)
    assert response.status_code == 302 and response["Location"].endswith("?tab=oversight")
    visit = Visit.objects.get(assignment=assignment)
    n = len(items)
    assert visit.problem_found and visit.hazard_id is None
    assert visit.findings.splitlines() == [
        f"日管控项目检查 {n} 项：符合 {n - 3} 项，不符合 2 项，合理缺项 1 项。",
        f"冷藏柜 9℃（不符合：{items[2].text}）",
        f"不符合：{items[4].text}",
        "督促完善留样记录",
    ]
    tab = web(users["haishu"]).get(f"/registry/businesses/{assignment.business_id}/?tab=oversight").content.decode()
    assert f"冷藏柜 9℃（不符合：{items[2].text}）" in tab


def test_an_unanswered_item_is_refused_and_the_answers_come_back(users, web, assignment, items):
    data = {f"answer_{items[0].pk}": "no", f"note_{items[0].pk}": "晨检记录缺失", "findings": "其他"}
    response = web(users["haishu"]).post(url(assignment), data)
    assert response.status_code == 200 and not Visit.objects.exists()
    html = response.content.decode()
    assert "项尚未回答" in html and items[1].text in html
    assert (
        f'name="answer_{items[0].pk}" value="no" checked' in html
        and "晨检记录缺失" in html
        and ">其他</textarea>" in html
    )


def test_all_fine_records_a_visit_without_problems(users, web, assignment, items):
    assert web(users["haishu"]).post(url(assignment), {"all_ok": "1"}).status_code == 302
    visit = Visit.objects.get()
    assert not visit.problem_found
    assert visit.findings == f"日管控项目检查 {len(items)} 项：符合 {len(items)} 项，不符合 0 项，合理缺项 0 项。"
    refused = web(users["haishu"]).post(url(assignment), {"all_ok": "1", "raise_hazard": "1"})
    assert refused.status_code == 200 and Visit.objects.count() == 1  # no problem to raise a hazard from


def test_a_hazard_from_the_no_answers(users, web, assignment, items):
    data = {"all_ok": "1", "raise_hazard": "1", f"answer_{items[1].pk}": "no", f"note_{items[1].pk}": "进货票证缺失"}
    data[f"answer_{items[6].pk}"] = "no"
    assert web(users["haishu"]).post(url(assignment), data).status_code == 302
    visit = Visit.objects.get()
    hazard = Hazard.objects.get(pk=visit.hazard_id)
    assert hazard.title == f"进货票证缺失（不符合：{items[1].text}）; 不符合：{items[6].text}"
    assert visit.findings in hazard.description and hazard.origin == f"oversight.visit:{visit.pk}"
    assert hazard.business == assignment.business and hazard.found_by == users["haishu"]


def test_bad_input_is_a_clear_error_not_a_crash(users, web, assignment, items):
    client = web(users["haishu"])
    for data in (
        {"all_ok": "1", "visited_on": "2026-02-31"},
        {"all_ok": "1", "visited_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()},
        {"all_ok": "1", f"answer_{items[0].pk}": "maybe"},
    ):
        response = client.post(url(assignment), data)
        assert response.status_code == 200, data
        assert 'class="msg error"' in response.content.decode()
    assert not Visit.objects.exists()


def test_api_with_and_without_answers(users, api, assignment, items):
    client = api(users["haishu"])
    older = client.post(f"/api/oversight/assignments/{assignment.pk}/visits", {"findings": "冷库温度记录缺失"})
    assert older.status_code == 201 and older.json()["findings"] == "冷库温度记录缺失"
    partial = client.post(f"/api/oversight/assignments/{assignment.pk}/visits", {"answers": {str(items[0].pk): "yes"}})
    assert partial.status_code == 422
    answers = {str(i.pk): "na" for i in items}
    answers[str(items[0].pk)] = "no"
    full = client.post(
        f"/api/oversight/assignments/{assignment.pk}/visits",
        {"answers": answers, "notes": {str(items[0].pk): "晨检未做"}, "raise_hazard": True},
    )
    assert full.status_code == 201, full.content
    body = full.json()
    assert body["problem_found"] and body["hazard_id"]
    assert f"晨检未做（不符合：{items[0].text}）" in body["findings"]
    assert f"合理缺项 {len(items) - 1} 项" in body["findings"]


def test_complete_counts_na_as_answered_and_fills_all_fine():
    items = [checklists.Item(id=i, order=i, text=f"item {i}") for i in (1, 2, 3)]
    assert checklists.complete(items, {1: "na", 2: "yes", 3: "no"}) == {1: "na", 2: "yes", 3: "no"}
    assert checklists.complete(items, {3: "no"}, all_ok=True) == {1: "yes", 2: "yes", 3: "no"}
    with pytest.raises(ValidationError, match="item 2"):
        checklists.complete(items, {1: "yes"})
    with pytest.raises(ValidationError, match=r"\[4\]"):
        checklists.complete(items, {4: "yes"}, all_ok=True)
