import datetime as dt

from shian.registry.models import Business
from shian.registry.tests.factories import uscc_for


def _body(city, **extra):
    return {
        "name": "接口新店",
        "uscc": uscc_for(9001),
        "type": "catering",
        "address": "海曙区某路2号",
        "region_id": city["haishu_grid"].pk,
    } | extra


def test_create_get_patch_delete(users, api, city):
    client = api(users["haishu"])
    created = client.post("/api/businesses", _body(city))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["staffing_missing"] == "officer"
    assert client.get(f"/api/businesses/{pk}").json()["name"] == "接口新店"
    patched = client.patch(f"/api/businesses/{pk}", {"name": "接口改名", "version": 1})
    assert patched.status_code == 200
    assert patched.json()["version"] == 2
    assert client.patch(f"/api/businesses/{pk}", {"name": "旧版本", "version": 1}).status_code == 409
    assert client.delete(f"/api/businesses/{pk}").status_code == 204
    assert not Business.objects.filter(pk=pk).exists()


def test_validation_error_names_the_field(users, api, city):
    response = api(users["haishu"]).post("/api/businesses", _body(city, uscc="91350100M000100Y44"))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "uscc"]
    assert "check character" in detail[0]["msg"] or "校验" in detail[0]["msg"]


def test_region_outside_scope(users, api, city):
    response = api(users["haishu"]).post("/api/businesses", _body(city, region_id=city["jiangbei_grid"].pk))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "region_id"]


def test_list_filters(users, api, haishu_shop, jiangbei_shop, city):
    client = api(users["admin"])
    assert client.get("/api/businesses", {"q": "面馆"}).json()["count"] == 1
    assert client.get("/api/businesses", {"region": city["jiangbei"].pk}).json()["items"][0]["id"] == jiangbei_shop.pk
    assert client.get("/api/businesses", {"type": "sales"}).json()["count"] == 0
    assert client.get("/api/businesses", {"type": "spaceship"}).status_code == 422
    page = client.get("/api/businesses", {"limit": 1, "offset": 1, "sort": "name"}).json()
    assert page["count"] == 2 and len(page["items"]) == 1


def test_licence_and_staff_crud(users, api, haishu_shop):
    client = api(users["haishu"])
    today = dt.date.today()
    response = client.post(
        f"/api/businesses/{haishu_shop.pk}/licences",
        {
            "kind": "JY",
            "number": "JY23302030000999",
            "issued_on": str(today - dt.timedelta(days=10)),
            "valid_until": str(today + dt.timedelta(days=20)),
        },
    )
    assert response.status_code == 201
    licence_id = response.json()["id"]
    expiring = client.get("/api/licences", {"state": "expiring"}).json()
    assert [item["id"] for item in expiring["items"]] == [licence_id]
    assert client.patch(f"/api/licences/{licence_id}", {"number": "bad"}).status_code == 422
    assert client.delete(f"/api/licences/{licence_id}").status_code == 204
    staff = client.post(f"/api/businesses/{haishu_shop.pk}/staff", {"role": "director", "name": "李总监"})
    assert staff.status_code == 201
    assert client.patch(f"/api/staff/{staff.json()['id']}", {"active": False}).json()["active"] is False
    names = [s["name"] for s in client.get(f"/api/businesses/{haishu_shop.pk}/staff").json()]
    assert "李总监" in names


def test_staffing_rate_endpoint(users, api, haishu_shop, jiangbei_shop):
    from shian.registry.services import staffing_refresh

    staffing_refresh()
    body = api(users["admin"]).get("/api/staffing-rate").json()
    assert body["total"] == 2 and body["complete"] == 2 and body["rate"] == 100.0
    assert {r["name"] for r in body["by_region"]} == {"海曙区", "江北区"}


def test_openapi_and_docs_available(users, web):
    client = web(users["haishu"])
    schema = client.get("/api/openapi.json").json()
    assert "/api/businesses" in schema["paths"]
    assert client.get("/api/docs").status_code == 200
