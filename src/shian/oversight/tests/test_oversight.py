import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shian.hazards.models import Hazard
from shian.oversight import selectors, services
from shian.oversight.models import Level
from shian.registry.tests.factories import BusinessFactory

TODAY = timezone.localdate


def days_ago(n: int) -> dt.date:
    return TODAY() - dt.timedelta(days=n)


@pytest.fixture
def shops(city):
    return [BusinessFactory(name=f"海曙店{i}", region=city["haishu_grid"]) for i in range(3)]


def test_rate_counts_due_assignments_visited_in_their_period(users, shops, city):
    haishu = users["haishu"]
    on_time = services.assignment_create(
        actor=None, official=haishu, business=shops[0], level=Level.DISTRICT, starts_on=days_ago(200)
    )
    services.visit_record(actor=haishu, assignment=on_time, visited_on=days_ago(30))
    late = services.assignment_create(
        actor=None, official=haishu, business=shops[1], level=Level.DISTRICT, starts_on=days_ago(200)
    )
    services.visit_record(actor=haishu, assignment=late, visited_on=days_ago(120))
    services.assignment_create(
        actor=None, official=haishu, business=shops[2], level=Level.DISTRICT, starts_on=days_ago(10)
    )  # first quarter still running: not due
    status = selectors.oversight_status(users["admin"])
    assert (status["due"], status["on_time"], status["rate"]) == (2, 1, 50.0)
    assert [b["business"].name for b in status["behind"]] == ["海曙店1"]
    assert status["behind"][0]["days_overdue"] == 120 - 91
    assert status["by_level"]["district"] == {"on_time": 1, "due": 2, "rate": 50.0}
    assert selectors.oversight_status(users["jiangbei"])["due"] == 0


def test_assignment_rules(users, shops, city):
    with pytest.raises(ValidationError):  # a district regulator cannot hold a city-level assignment
        services.assignment_create(actor=None, official=users["haishu"], business=shops[0], level=Level.CITY)
    other = BusinessFactory(region=city["jiangbei_grid"])
    with pytest.raises(ValidationError):  # outside the official's region
        services.assignment_create(actor=None, official=users["haishu"], business=other, level=Level.DISTRICT)


def test_visit_validation_and_hazard(users, shops):
    haishu = users["haishu"]
    a = services.assignment_create(
        actor=None, official=haishu, business=shops[0], level=Level.DISTRICT, starts_on=days_ago(100)
    )
    with pytest.raises(ValidationError):
        services.visit_record(actor=haishu, assignment=a, visited_on=TODAY() + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.visit_record(actor=haishu, assignment=a, visited_on=days_ago(101))
    visit = services.visit_record(actor=haishu, assignment=a, findings="冷库温度记录缺失", raise_hazard=True)
    hazard = Hazard.objects.get(pk=visit.hazard_id)
    assert hazard.business == shops[0] and hazard.title == "冷库温度记录缺失"


def test_pages_and_api(users, web, api, shops):
    haishu = users["haishu"]
    a = services.assignment_create(
        actor=None, official=haishu, business=shops[0], level=Level.DISTRICT, starts_on=days_ago(200)
    )
    page = web(users["admin"]).get("/oversight/")
    assert page.context["status"]["due"] == 1 and "海曙店0" in page.content.decode()
    # the overview's tiles are the shared tiles, each with its definition (ⓘ) and a tile per level
    assert 'data-kpi="oversight_rate"' in page.content.decode() and "tile-definition" in page.content.decode()
    assert {t.key for t in page.context["tiles"]} >= {"oversight_rate", "oversight_rate_district"}
    response = web(haishu).post(f"/oversight/assignments/{a.pk}/visits/", {"findings": "正常", "all_ok": "1"})
    assert response.status_code == 302 and a.visits.count() == 1
    assert web(users["street"]).post(f"/oversight/assignments/{a.pk}/visits/", {}).status_code == 403
    assert web(users["jiangbei"]).post(f"/oversight/assignments/{a.pk}/visits/", {}).status_code == 404
    body = api(users["admin"]).get("/api/oversight/status").json()
    assert body["rate"] == 100.0 and body["behind"] == []
    created = api(users["haishu"]).post(
        "/api/oversight/assignments", {"official_id": haishu.pk, "business_id": shops[1].pk, "level": "district"}
    )
    assert created.status_code == 201
    bad = api(users["haishu"]).post(
        "/api/oversight/assignments",
        {"official_id": users["admin"].pk, "business_id": shops[1].pk, "level": "district"},
    )
    assert bad.status_code == 422
    tab = web(haishu).get(f"/registry/businesses/{shops[0].pk}/?tab=oversight").content.decode()
    assert "正常" in tab
