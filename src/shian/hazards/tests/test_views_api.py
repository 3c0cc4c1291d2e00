import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.hazards import services, transitions
from shian.hazards.choices import HazardState
from shian.hazards.models import Hazard
from shian.registry.tests.factories import BusinessFactory

# a real 1×1 PNG: uploaded images are decoded and re-encoded (core.files), so a bare header is refused
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


@pytest.fixture
def shop(city):
    return BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])


@pytest.fixture
def other(city):
    return BusinessFactory(name="江北店", region=city["jiangbei_grid"])


def test_ui_record_and_walk_the_loop(users, web, shop):
    owner = UserFactory(username="owner", role=Role.BUSINESS_STAFF, business=shop)
    client = web(users["inspector"])
    response = client.post(f"/hazards/new/{shop.pk}/", {"title": "防鼠设施缺失", "severity": "general"})
    hazard = Hazard.objects.get(title="防鼠设施缺失")
    assert response["Location"] == f"/hazards/{hazard.pk}/"
    page = client.get(f"/hazards/{hazard.pk}/")
    assert [s.action for s in page.context["panel"].steps] == ["order"]
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()  # a deadline is at most a year ahead
    client.post(
        f"/hazards/{hazard.pk}/transition/",
        {"action": "order", "version": 1, "deadline": deadline, "order_text": "加装挡鼠板", "note": ""},
    )
    hazard.refresh_from_db()
    assert (hazard.state, hazard.order_text, str(hazard.deadline)) == (HazardState.ORDERED, "加装挡鼠板", deadline)
    done = web(owner).post(
        f"/hazards/{hazard.pk}/transition/",
        {"action": "submit", "version": 2, "file": SimpleUploadedFile("a.png", PNG, "image/png")},
    )
    assert done.status_code == 302
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
    assert [s.action for s in page.context["panel"].steps] == ["start", "submit"]
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
    owner = UserFactory(username="owner", last_name="钱", first_name="安全员", role=Role.BUSINESS_STAFF, business=shop)
    inspector = users["inspector"]
    inspector.last_name, inspector.first_name = "周", "执法员"
    inspector.save()
    client = api(inspector)
    created = client.post("/api/hazards", {"business_id": shop.pk, "title": "留样不足", "severity": "major"})
    assert created.status_code == 201
    pk = created.json()["id"]
    ordered = client.post(f"/api/hazards/{pk}/transitions", {"action": "order", "version": 1})
    assert ordered.json()["state"] == "ordered"
    bad = client.post(f"/api/hazards/{pk}/transitions", {"action": "close"})
    assert bad.status_code == 422
    assert client.post(f"/api/hazards/{pk}/transitions", {"action": "submit"}).status_code == 403  # the business's
    business = api(owner)
    upload = business.client.post(f"/api/hazards/{pk}/evidence", {"file": SimpleUploadedFile("整改.png", PNG)})
    assert upload.status_code == 201 and upload.json()["original_name"] == "整改.png"
    text = business.client.post(f"/api/hazards/{pk}/evidence", {"file": SimpleUploadedFile("a.png", b"not png")})
    assert text.status_code == 422 and text.json()["detail"][0]["loc"] == ["body", "file"]
    assert business.post(f"/api/hazards/{pk}/transitions", {"action": "submit", "version": 1}).status_code == 409
    assert business.post(f"/api/hazards/{pk}/transitions", {"action": "submit"}).json()["state"] == "evidence_submitted"
    events = client.get(f"/api/hazards/{pk}/events").json()
    assert [e["to_state"] for e in events] == ["found", "ordered", "evidence_submitted"]
    with translation.override("zh-hans"):
        labels = [
            str(transitions.label_of(a, s)) for a, s in [("create", ""), ("order", "found"), ("submit", "ordered")]
        ]
        inspector_role = str(Role.INSPECTOR.label)
    assert [e["label"] for e in events] == labels
    assert [e["actor"] for e in events] == ["周执法员", "周执法员", "钱安全员"]  # names, not logins
    # the business's staff see the official by role, never by name or login
    seen_by_business = business.get(f"/api/hazards/{pk}/events").json()
    assert [e["actor"] for e in seen_by_business] == [inspector_role, inspector_role, "钱安全员"]
    assert all("inspector" not in e["actor_name"] for e in seen_by_business)
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
