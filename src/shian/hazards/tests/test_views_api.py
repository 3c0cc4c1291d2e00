import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.hazards import services
from shian.hazards.choices import HazardState
from shian.hazards.models import Hazard
from shian.registry.tests.factories import BusinessFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def shop(city):
    return BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])


@pytest.fixture
def other(city):
    return BusinessFactory(name="江北店", region=city["jiangbei_grid"])


def test_ui_record_and_walk_the_loop(users, web, shop):
    client = web(users["inspector"])
    response = client.post(f"/hazards/new/{shop.pk}/", {"title": "防鼠设施缺失", "severity": "general"})
    hazard = Hazard.objects.get(title="防鼠设施缺失")
    assert response["Location"] == f"/hazards/{hazard.pk}/"
    page = client.get(f"/hazards/{hazard.pk}/")
    assert [m.action for m in page.context["moves"]] == ["order", "escalate"]
    client.post(f"/hazards/{hazard.pk}/transition/", {"action": "order", "version": 1, "deadline": "", "note": ""})
    client.post(f"/hazards/{hazard.pk}/evidence/", {"file": SimpleUploadedFile("a.png", PNG, "image/png")})
    client.post(f"/hazards/{hazard.pk}/transition/", {"action": "submit", "version": 2})
    hazard.refresh_from_db()
    assert hazard.state == HazardState.EVIDENCE_SUBMITTED
    stale = client.post(f"/hazards/{hazard.pk}/transition/", {"action": "verify", "version": 2}, follow=True)
    assert any("version" in str(m) or "版本" in str(m) for m in stale.context["messages"])
    hazard.refresh_from_db()
    assert hazard.state == HazardState.EVIDENCE_SUBMITTED
    evidence = hazard.evidence.get()
    assert client.get(f"/hazards/{hazard.pk}/evidence/{evidence.pk}/").status_code == 200
    assert "防鼠设施缺失" in client.get(f"/registry/businesses/{shop.pk}/?tab=hazards").content.decode()


def test_business_user_sees_only_its_steps(users, web, shop):
    owner = UserFactory(username="owner", role=Role.BUSINESS_STAFF, business=shop)
    hazard = services.hazard_create(actor=users["inspector"], business=shop, title="x")
    hazard = services.hazard_transition(actor=users["inspector"], hazard=hazard, action="order")
    page = web(owner).get(f"/hazards/{hazard.pk}/")
    assert [m.action for m in page.context["moves"]] == ["start", "submit"]
    response = web(owner).post(
        f"/hazards/{hazard.pk}/transition/", {"action": "escalate", "version": 2, "note": "x"}, follow=True
    )
    hazard.refresh_from_db()
    assert hazard.state == HazardState.ORDERED
    assert response.status_code == 200


def test_other_district_is_404(users, web, api, other):
    hazard = services.hazard_create(actor=users["admin"], business=other, title="江北隐患")
    assert web(users["haishu"]).get(f"/hazards/{hazard.pk}/").status_code == 404
    assert (
        web(users["haishu"]).post(f"/hazards/{hazard.pk}/transition/", {"action": "order", "version": 1}).status_code
        == 404
    )
    assert api(users["haishu"]).get(f"/api/hazards/{hazard.pk}").status_code == 404
    assert api(users["haishu"]).post(f"/api/hazards/{hazard.pk}/transitions", {"action": "order"}).status_code == 404
    assert web(users["haishu"]).get(f"/hazards/new/{other.pk}/").status_code == 404
    hazard.refresh_from_db()
    assert hazard.state == HazardState.FOUND


def test_api_loop(users, api, shop):
    client = api(users["inspector"])
    created = client.post("/api/hazards", {"business_id": shop.pk, "title": "留样不足", "severity": "major"})
    assert created.status_code == 201
    pk = created.json()["id"]
    ordered = client.post(f"/api/hazards/{pk}/transitions", {"action": "order", "version": 1})
    assert ordered.json()["state"] == "ordered"
    bad = client.post(f"/api/hazards/{pk}/transitions", {"action": "close"})
    assert bad.status_code == 422
    upload = client.client.post(f"/api/hazards/{pk}/evidence", {"file": SimpleUploadedFile("a.png", PNG)})
    assert upload.status_code == 201
    text = client.client.post(f"/api/hazards/{pk}/evidence", {"file": SimpleUploadedFile("a.png", b"not png")})
    assert text.status_code == 422 and text.json()["detail"][0]["loc"] == ["body", "file"]
    assert client.post(f"/api/hazards/{pk}/transitions", {"action": "submit", "version": 1}).status_code == 409
    assert client.post(f"/api/hazards/{pk}/transitions", {"action": "submit"}).json()["state"] == "evidence_submitted"
    events = client.get(f"/api/hazards/{pk}/events").json()
    assert [e["to_state"] for e in events] == ["found", "ordered", "evidence_submitted"]
    kpis = client.get("/api/hazards/kpis").json()
    assert kpis["open"] == 1


def test_business_user_api_cannot_verify(users, api, shop):
    owner = UserFactory(username="owner", role=Role.BUSINESS_STAFF, business=shop)
    hazard = services.hazard_create(actor=users["inspector"], business=shop, title="x")
    hazard = services.hazard_transition(actor=users["inspector"], hazard=hazard, action="order")
    client = api(owner)
    client.client.post(f"/api/hazards/{hazard.pk}/evidence", {"file": SimpleUploadedFile("a.png", PNG)})
    assert client.post(f"/api/hazards/{hazard.pk}/transitions", {"action": "submit"}).status_code == 200
    assert client.post(f"/api/hazards/{hazard.pk}/transitions", {"action": "verify"}).status_code == 403
    assert client.post("/api/hazards", {"business_id": shop.pk, "title": "自报"}).status_code == 201  # own business
    other = BusinessFactory(region=shop.region)
    assert client.post("/api/hazards", {"business_id": other.pk, "title": "举报别家"}).status_code == 404


def test_hazard_list_page_and_dashboard(users, web, shop):
    services.hazard_create(actor=users["inspector"], business=shop, title="后厨积水")
    response = web(users["haishu"]).get("/hazards/?state=open")
    assert [h.title for h in response.context["page"]] == ["后厨积水"]
    tiles = {t.key for t in web(users["haishu"]).get("/").context["tiles"]}
    assert {"hazards_open", "hazards_overdue", "hazards_on_time"} <= tiles
