"""Junk the schema-driven walk (tests/test_bad_input.py) does not send: dates, numbers, malformed bodies and
names (issue 10, items 9 and 11, "Bad input"). Each case failed with a 500, or was stored as sent, before the
fix it names; the cases fixed by earlier work are reproduced here too so that they stay fixed.

These use the small shared world (conftest: a two-district city, one user per role) and a business with its
staff account — in a module of their own: tests/test_bad_input.py's permission-matrix world is module-wide."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

JSON = "application/json"


@pytest.fixture
def shop(city):
    from shian.core.choices import Role
    from shian.core.tests.factories import UserFactory
    from shian.registry.tests.factories import BusinessFactory

    business = BusinessFactory(region=city["haishu_grid"])
    return business, UserFactory(username="shop-staff", role=Role.BUSINESS_STAFF, business=business)


def _bearer(user) -> Client:
    """A client signed in as ``user`` (the API takes the session as well as a token; tokens are another
    helper's area and are not what is tested here)."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _locs(response) -> list[str]:
    return [".".join(str(p) for p in d.get("loc", [])) for d in response.json()["detail"]]


def _refused(response, field: str, status: int = 422) -> bool:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert any(field in loc for loc in _locs(response)), (field, response.content[:300])
    return True


@pytest.mark.django_db
def test_selfchecks_cannot_be_backdated_or_overcounted_and_late_filing_is_marked(shop):
    """Item 9: 0001-01-01 padded compliance; 70,000 problems overflowed a small-integer column."""
    business, staff = shop
    client = _bearer(staff)
    today = timezone.localdate()

    def file(**body):
        return client.post("/api/selfchecks", json.dumps({"business_id": business.pk} | body), JSON)

    assert _refused(file(kind="daily", day="0001-01-01", all_ok=True), "day")
    assert _refused(file(kind="daily", day=(today - dt.timedelta(days=40)).isoformat(), all_ok=True), "day")
    assert _refused(file(kind="monthly", problems=70_000, report="很多"), "problems")
    assert _refused(file(kind="monthly", problems=-1, report="x"), "problems")
    on_time = file(kind="daily", all_ok=True)
    late = file(kind="daily", day=(today - dt.timedelta(days=3)).isoformat(), all_ok=True)
    assert on_time.status_code == late.status_code == 201, (on_time.content, late.content)
    assert on_time.json()["filed_late"] is False and late.json()["filed_late"] is True
    web = Client(raise_request_exception=False)
    web.force_login(staff)
    history = web.get(f"/registry/businesses/{business.pk}/?tab=selfchecks").content.decode()
    assert history.count("data-filed-late") == 1  # the late one only, marked in the history
    # the form: a date outside the window, a count beyond the range or beyond any column: refused, never a 500
    for data in (
        {"kind": "weekly", "day": "0001-01-01", "problems": "0"},
        {"kind": "monthly", "problems": "70000", "report": "x"},
        {"kind": "monthly", "problems": str(10**30), "report": "x"},
        {"kind": "monthly", "problems": "²", "report": "x"},
        {"kind": "daily", "day": "2026-02-30", "all_ok": "1"},
    ):
        response = web.post("/selfchecks/", data)
        assert response.status_code == 200, (data, response.status_code)  # the page again, with the error
    from shian.selfchecks.models import SelfCheck

    assert not SelfCheck.objects.filter(problems__gt=999).exists()
    assert not SelfCheck.objects.filter(period_start__lt=today - dt.timedelta(days=31)).exists()


@pytest.mark.django_db
def test_hazard_and_incident_dates_and_counts_have_windows(shop, users):
    """Item 9: hazards found on 0001-01-01, deadlines of 9999-12-31, incidents with absurd counts."""
    from shian.hazards import services as hazard_services

    business, _staff = shop
    client = _bearer(users["haishu"])
    today = timezone.localdate()
    body = {"business_id": business.pk, "title": "冷库温度过高"}
    for found_on in (
        "0001-01-01",
        (today - dt.timedelta(days=400)).isoformat(),
        (today + dt.timedelta(days=1)).isoformat(),
    ):
        assert _refused(client.post("/api/hazards", json.dumps(body | {"found_on": found_on}), JSON), "found_on")
    hazard = hazard_services.hazard_create(actor=None, business=business, title="地面湿滑")
    for deadline in ("9999-12-31", (today + dt.timedelta(days=400)).isoformat()):
        move = {"action": "order", "deadline": deadline, "order_text": "整改"}
        assert _refused(client.post(f"/api/hazards/{hazard.pk}/transitions", json.dumps(move), JSON), "deadline")
    ok = {"action": "order", "deadline": (today + dt.timedelta(days=30)).isoformat(), "order_text": "整改"}
    assert client.post(f"/api/hazards/{hazard.pk}/transitions", json.dumps(ok), JSON).status_code == 200
    incident = {"business_id": business.pk, "title": "腹泻", "occurred_on": today.isoformat()}
    assert _refused(
        client.post("/api/incidents", json.dumps(incident | {"occurred_on": "0001-01-01"}), JSON), "occurred_on"
    )
    assert _refused(
        client.post("/api/incidents", json.dumps(incident | {"diners_affected": 3_000_000}), JSON), "diners_affected"
    )
    # the hazard form
    web = Client(raise_request_exception=False)
    web.force_login(users["haishu"])
    response = web.post(f"/hazards/new/{business.pk}/", {"title": "x", "severity": "general", "found_on": "0001-01-01"})
    assert response.status_code == 200 and "found_on" in response.context["form"].errors
    assert not business.hazards.filter(found_on__year=1).exists()


@pytest.mark.django_db
def test_oversight_visits_and_assignments_have_windows(shop, users, city):
    """Item 9/11: a 包保 visit backdated to 0001-01-01; an assignment starting in 9999."""
    from shian.oversight import services as oversight_services

    business, _staff = shop
    assignment = oversight_services.assignment_create(
        actor=None,
        official=users["street"],
        business=business,
        level="street",
        starts_on=timezone.localdate() - dt.timedelta(days=200),
    )
    client = _bearer(users["street"])
    for day in ("0001-01-01", (timezone.localdate() - dt.timedelta(days=40)).isoformat()):
        visit = {"visited_on": day, "findings": "正常"}
        assert _refused(
            client.post(f"/api/oversight/assignments/{assignment.pk}/visits", json.dumps(visit), JSON), "visited_on"
        )
    admin = _bearer(users["admin"])
    body = {
        "official_id": users["haishu"].pk,
        "business_id": business.pk,
        "level": "district",
        "starts_on": "9999-12-31",
    }
    assert _refused(admin.post("/api/oversight/assignments", json.dumps(body), JSON), "starts_on")
    web = Client(raise_request_exception=False)
    web.force_login(users["street"])
    for day in ("0001-01-01", "2026-02-30", "not a date", ""):
        response = web.post(f"/oversight/assignments/{assignment.pk}/visits/", {"visited_on": day, "all_ok": "1"})
        assert response.status_code < 500, (day, response.status_code)


@pytest.mark.django_db
def test_malformed_requests_are_refused_by_the_guard(shop, users):
    """Item 11 and "Bad input": integers beyond 64 bits, deep JSON, NaN, bodies too large, multipart without
    a boundary — each a 4xx naming what is wrong (API: JSON; pages: the "not accepted" page), never a 500."""
    from django.conf import settings

    business, staff = shop
    admin, shop_client = _bearer(users["admin"]), _bearer(staff)
    big = 2**64
    for path, params, name in (
        ("/api/businesses", {"limit": big}, "limit"),
        ("/api/businesses", {"offset": big}, "offset"),
        ("/api/businesses", {"offset": 2**63}, "offset"),
        ("/api/hazards", {"business_id": big}, "business_id"),
        ("/api/selfchecks", {"business_id": -big}, "business_id"),
    ):
        assert _refused(admin.get(path, params), name, status=400)
    assert admin.get("/api/businesses", {"q": str(big)}).status_code == 200  # a search for digits is text
    assert admin.get(f"/api/hazards/{big}").status_code == 404
    body = json.dumps({"business_id": 2**70, "kind": "daily"})
    assert _refused(shop_client.post("/api/selfchecks", body, JSON), "business_id", status=400)
    body = f'{{"business_id": {business.pk}, "kind": "monthly", "problems": NaN}}'
    assert shop_client.post("/api/selfchecks", body, JSON).status_code == 400
    body = f'{{"business_id": {business.pk}, "kind": "monthly", "problems": 1e999}}'
    assert _refused(shop_client.post("/api/selfchecks", body, JSON), "problems", status=400)
    deep = "[" * 100_000 + "]" * 100_000
    assert _refused(shop_client.post("/api/selfchecks", deep, JSON), "body", status=400)
    assert shop_client.post("/api/selfchecks", b"\xff\xfe{", JSON).status_code == 400
    huge = b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    assert _refused(shop_client.post("/api/selfchecks", huge, JSON), "body", status=413)
    response = admin.generic("POST", "/api/imports/businesses", b"--x\r\n", content_type="multipart/form-data")
    assert _refused(response, "Content-Type", status=400)
    web = Client(raise_request_exception=False)
    web.force_login(staff)
    page = web.generic("POST", "/selfchecks/", b"--x\r\n", content_type="multipart/form-data")
    assert page.status_code == 400 and "Content-Type" in page.content.decode()
    page = web.generic("POST", "/selfchecks/", huge, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413


@pytest.mark.django_db
def test_bidi_and_homoglyph_names_are_refused(shop, users):
    """ "Bad input": RTL overrides and mixed-script look-alikes in a name; Chinese with a Latin word is fine."""
    business, _staff = shop
    client = _bearer(users["haishu"])
    for name in ("好\u202e店", "Stаrbucks 咖啡", "食\u200b安"):
        assert _refused(client.patch(f"/api/businesses/{business.pk}", json.dumps({"name": name}), JSON), "name")
    assert _refused(
        client.patch(f"/api/businesses/{business.pk}", json.dumps({"legal_representative": "Ivаn"}), JSON),
        "legal_representative",
    )
    assert (
        client.patch(f"/api/businesses/{business.pk}", json.dumps({"name": "星巴克 Starbucks"}), JSON).status_code
        == 200
    )
    web = Client(raise_request_exception=False)
    web.force_login(users["haishu"])
    page = web.post(f"/registry/businesses/{business.pk}/edit/", {"name": "好\u202e店"})
    assert page.status_code in (200, 400) and "\u202e" not in type(business).objects.get(pk=business.pk).name


@pytest.mark.django_db
def test_items_fixed_before_stay_fixed(shop, users):
    """Item 11, fixed by earlier work (reproduced again here): explicit null in PATCH (422 naming the
    field), NUL bytes (the control-character middleware: 400 naming the field), deleting a business with
    hazards (core of registry.services.business_delete: 422, not a ProtectedError)."""
    from shian.hazards import services as hazard_services
    from shian.registry.tests.factories import BusinessFactory

    business, _staff = shop
    client = _bearer(users["haishu"])
    assert _refused(client.patch(f"/api/businesses/{business.pk}", json.dumps({"name": None}), JSON), "name")
    assert _refused(
        client.post("/api/hazards", json.dumps({"business_id": business.pk, "title": "t\x00"}), JSON), "title", 400
    )
    lone = BusinessFactory(region=business.region)
    hazard_services.hazard_create(actor=None, business=lone, title="地面湿滑")
    response = client.delete(f"/api/businesses/{lone.pk}")
    assert response.status_code == 422 and lone.pk in type(lone).objects.values_list("pk", flat=True)
