"""The permission matrix: who gets what for another district's business, through the UI and the API."""

import pytest

from shian.core.choices import AuditAction
from shian.core.models import AuditEntry
from shian.registry.models import Business

UI_READ = ["/registry/businesses/{pk}/", "/registry/businesses/{pk}/tabs/licences/", "/registry/businesses/{pk}/edit/"]


@pytest.mark.parametrize("path", UI_READ)
def test_ui_other_district_is_404(users, web, jiangbei_shop, path):
    response = web(users["haishu"]).get(path.format(pk=jiangbei_shop.pk))
    assert response.status_code == 404


@pytest.mark.parametrize("path", UI_READ)
def test_ui_own_district_is_200(users, web, haishu_shop, path):
    assert web(users["haishu"]).get(path.format(pk=haishu_shop.pk)).status_code == 200


def test_ui_write_other_district_is_404_and_unchanged(users, web, jiangbei_shop):
    client = web(users["haishu"])
    response = client.post(f"/registry/businesses/{jiangbei_shop.pk}/edit/", {"name": "hijacked"})
    assert response.status_code == 404
    assert client.post(f"/registry/businesses/{jiangbei_shop.pk}/delete/").status_code == 404
    licence = jiangbei_shop.licences.get()
    assert client.post(f"/registry/licences/{licence.pk}/delete/").status_code == 404
    jiangbei_shop.refresh_from_db()
    assert jiangbei_shop.name == "江北阿拉小吃店"
    assert jiangbei_shop.licences.exists()
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, actor=users["haishu"]).count() == 3


def test_ui_list_shows_only_own_district(users, web, haishu_shop, jiangbei_shop):
    content = web(users["haishu"]).get("/registry/businesses/").content.decode()
    assert "海曙老王面馆" in content
    assert "江北阿拉小吃店" not in content


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/businesses/{pk}", None),
        ("get", "/api/businesses/{pk}/licences", None),
        ("get", "/api/businesses/{pk}/staff", None),
        ("patch", "/api/businesses/{pk}", {"name": "hijacked"}),
        ("delete", "/api/businesses/{pk}", None),
        ("post", "/api/businesses/{pk}/staff", {"role": "officer", "name": "外人"}),
    ],
)
def test_api_other_district_is_404(users, api, jiangbei_shop, method, path, body):
    client = api(users["haishu"])
    response = getattr(client, method)(path.format(pk=jiangbei_shop.pk), body)
    assert response.status_code == 404
    jiangbei_shop.refresh_from_db()
    assert jiangbei_shop.name == "江北阿拉小吃店"
    assert not jiangbei_shop.staff.filter(name="外人").exists()


def test_api_list_scoped(users, api, haishu_shop, jiangbei_shop):
    items = api(users["haishu"]).get("/api/businesses").json()["items"]
    assert [b["name"] for b in items] == ["海曙老王面馆"]
    assert api(users["admin"]).get("/api/businesses").json()["count"] == 2


def test_api_licence_and_staff_by_id_scoped(users, api, jiangbei_shop):
    client = api(users["haishu"])
    assert client.get(f"/api/licences/{jiangbei_shop.licences.get().pk}").status_code == 404
    assert client.get(f"/api/staff/{jiangbei_shop.staff.get().pk}").status_code == 404
    assert client.patch(f"/api/staff/{jiangbei_shop.staff.get().pk}", {"name": "x"}).status_code == 404


def test_inspector_reads_but_cannot_write(users, web, api, haishu_shop):
    assert web(users["inspector"]).get(f"/registry/businesses/{haishu_shop.pk}/").status_code == 200
    assert web(users["inspector"]).get(f"/registry/businesses/{haishu_shop.pk}/edit/").status_code == 403
    assert api(users["inspector"]).patch(f"/api/businesses/{haishu_shop.pk}", {"name": "x"}).status_code == 403
    body = {
        "name": "x",
        "uscc": haishu_shop.uscc,
        "type": "catering",
        "address": "x",
        "region_id": haishu_shop.region_id,
    }
    assert api(users["inspector"]).post("/api/businesses", body).status_code == 403


def test_business_staff_see_only_their_business(shop_user, web, api, haishu_shop, jiangbei_shop):
    assert web(shop_user).get(f"/registry/businesses/{haishu_shop.pk}/").status_code == 200
    assert web(shop_user).get(f"/registry/businesses/{jiangbei_shop.pk}/").status_code == 404
    assert [b["id"] for b in api(shop_user).get("/api/businesses").json()["items"]] == [haishu_shop.pk]
    # they keep their own staff list, but cannot edit the business record
    response = api(shop_user).post(f"/api/businesses/{haishu_shop.pk}/staff", {"role": "director", "name": "新总监"})
    assert response.status_code == 201
    assert api(shop_user).patch(f"/api/businesses/{haishu_shop.pk}", {"name": "x"}).status_code == 403


def test_public_sees_no_register(users, web, api, haishu_shop):
    assert web(users["public"]).get("/registry/businesses/").status_code == 403
    assert api(users["public"]).get("/api/businesses").status_code == 403
    assert Business.objects.restrict(users["public"]).count() == 0
