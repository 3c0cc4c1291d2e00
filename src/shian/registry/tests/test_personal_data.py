"""Personal data in the register (issue 10): staff phones and identity numbers and business contact phones
are stored encrypted, shown masked on pages, in exports, in the API and in the audit log, shown in full
only through the audited "show" (page and API), found by exact phone through the keyed hash, and still
imported from files."""

import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from openpyxl import load_workbook

from shian.core.choices import AuditAction
from shian.core.fields import hash_lookup
from shian.core.models import AuditEntry
from shian.registry import services
from shian.registry.imports import COLUMNS, import_businesses
from shian.registry.models import Business, Staff
from shian.registry.tests.factories import BusinessFactory, StaffFactory, uscc_for

PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def person(haishu_shop):
    haishu_shop.contact_phone = "13700001111"
    haishu_shop.save()
    return StaffFactory(business=haishu_shop, role="director", name="王总监", phone=PHONE, id_number=ID_NUMBER)


def _raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test constants
        return cursor.fetchone()[0]


def _reveals(obj):
    return AuditEntry.objects.filter(action=AuditAction.REVEAL, object_id=str(obj.pk))


def test_stored_encrypted(person):
    assert PHONE not in _raw("registry_staff", "phone", person.pk)
    assert ID_NUMBER not in _raw("registry_staff", "id_number", person.pk)
    assert "13700001111" not in _raw("registry_business", "contact_phone", person.business_id)


def test_pages_show_masked_values(users, web, person):
    client = web(users["haishu"])
    staff_tab = client.get(f"/registry/businesses/{person.business_id}/tabs/staff/").content.decode()
    assert "139****5678" in staff_tab and "110105********002X" in staff_tab
    assert PHONE not in staff_tab and ID_NUMBER not in staff_tab
    profile = client.get(f"/registry/businesses/{person.business_id}/").content.decode()
    assert "137****1111" in profile and "13700001111" not in profile
    # the edit form does not send the value either
    form = client.get(f"/registry/staff/{person.pk}/edit/").content.decode()
    assert PHONE not in form and ID_NUMBER not in form and "139****5678" in form


def test_edit_form_keeps_what_it_did_not_show(users, web, person):
    client = web(users["haishu"])
    data = {"role": "director", "name": "王总监", "employer": "own", "active": "on"}
    response = client.post(
        f"/registry/staff/{person.pk}/edit/",
        data | {"phone": "139****5678", "id_number": "110105********002X", "trained_on": "2025-01-02"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.id_number, str(person.trained_on)) == (PHONE, ID_NUMBER, "2025-01-02")
    response = client.post(f"/registry/staff/{person.pk}/edit/", data | {"phone": "13600000000", "id_number": ""})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.id_number) == ("13600000000", "")
    assert Staff.objects.get(**hash_lookup(Staff, "phone", "136 0000 0000")) == person


def test_licence_edit_page_saves(users, web, haishu_shop):
    """The edit pages saved nothing: the form wrote into the object the service then compared with."""
    licence = haishu_shop.licences.get()
    response = web(users["haishu"]).post(
        f"/registry/licences/{licence.pk}/edit/",
        {
            "kind": licence.kind,
            "number": licence.number,
            "issued_on": licence.issued_on.isoformat(),
            "valid_until": licence.valid_until.isoformat(),
            "issuing_authority": "宁波市海曙区市场监督管理局",
        },
    )
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.issuing_authority == "宁波市海曙区市场监督管理局"


def test_show_reveals_one_value_and_audits_it(users, web, person):
    client = web(users["haishu"])
    response = client.post(f"/registry/staff/{person.pk}/reveal/", {"field": "phone"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and PHONE in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    response = client.post(f"/registry/staff/{person.pk}/reveal/", {"field": "id_number"})
    assert ID_NUMBER in response.content.decode()
    entries = list(_reveals(person).order_by("id"))
    assert [(e.actor_id, e.note) for e in entries] == [
        (users["haishu"].pk, "revealed phone"),
        (users["haishu"].pk, "revealed id_number"),
    ]
    assert all(PHONE not in str(e.changes) + e.note for e in entries)
    response = client.post(f"/registry/businesses/{person.business_id}/reveal/", {"field": "contact_phone"})
    assert "13700001111" in response.content.decode()
    assert _reveals(person.business).count() == 1


def test_show_is_refused_outside_the_grant_and_the_scope(users, web, person):
    assert web(users["inspector"]).post(f"/registry/staff/{person.pk}/reveal/", {"field": "phone"}).status_code == 403
    # inspectors call a business ahead of a visit: its contact phone they may show
    response = web(users["inspector"]).post(
        f"/registry/businesses/{person.business_id}/reveal/", {"field": "contact_phone"}
    )
    assert response.status_code == 200
    assert web(users["jiangbei"]).post(f"/registry/staff/{person.pk}/reveal/", {"field": "phone"}).status_code == 404
    assert web(users["haishu"]).get(f"/registry/staff/{person.pk}/reveal/").status_code == 405
    bad = web(users["haishu"]).post(f"/registry/staff/{person.pk}/reveal/", {"field": "name"})
    assert bad.status_code == 400 and "phone" in bad.content.decode()
    assert not _reveals(person).exists()


def test_the_business_own_staff_may_show_their_colleagues(shop_user, web, person):
    response = web(shop_user).post(f"/registry/staff/{person.pk}/reveal/", {"field": "phone"})
    assert response.status_code == 200 and PHONE in response.content.decode()


def test_api_masks_and_reveals(users, api, person):
    client = api(users["haishu"])
    staff = client.get(f"/api/businesses/{person.business_id}/staff").json()
    mine = next(s for s in staff if s["id"] == person.pk)
    assert (mine["phone"], mine["id_number"]) == ("139****5678", "110105********002X")
    assert client.get(f"/api/businesses/{person.business_id}").json()["contact_phone"] == "137****1111"
    response = client.post(f"/api/staff/{person.pk}/reveal", {"field": "phone"})
    assert response.status_code == 200 and response.json() == {"field": "phone", "value": PHONE}
    assert response["Cache-Control"] == "no-store"
    assert client.post(f"/api/staff/{person.pk}/reveal", {"field": "name"}).status_code == 422
    shown = client.post(f"/api/businesses/{person.business_id}/reveal", {"field": "contact_phone"})
    assert shown.json()["value"] == "13700001111"
    assert _reveals(person).count() == 1 and _reveals(person.business).count() == 1
    assert api(users["inspector"]).post(f"/api/staff/{person.pk}/reveal", {"field": "phone"}).status_code == 403
    assert api(users["jiangbei"]).post(f"/api/staff/{person.pk}/reveal", {"field": "phone"}).status_code == 404


def test_api_refuses_a_wrong_identity_number(users, api, haishu_shop):
    response = api(users["haishu"]).post(
        f"/api/businesses/{haishu_shop.pk}/staff",
        {"role": "director", "name": "错号", "id_number": "110105194912310021"},
    )
    assert response.status_code == 422
    assert "id_number" in str(response.json())


def test_export_masks_the_contact_phone(users, web, person):
    content = web(users["haishu"]).get("/registry/businesses/export.xlsx").content
    cells = [str(c) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in row]
    assert "137****1111" in cells and "13700001111" not in cells


def test_audit_log_stores_masked_changes(users, person):
    services.staff_update(actor=users["haishu"], staff=person, phone="13600000000")
    entry = AuditEntry.objects.filter(object_type="registry.staff", action=AuditAction.UPDATE).latest("id")
    assert entry.changes == {"phone": ["139****5678", "136****0000"]}  # no hash, no number in the clear
    created = AuditEntry.objects.filter(object_type="registry.staff", object_id=str(person.pk)).earliest("id")
    assert PHONE not in str(created.changes) and ID_NUMBER not in str(created.changes)


def test_search_by_exact_phone_uses_the_keyed_hash(users, web, api, person, jiangbei_shop):
    other = BusinessFactory(name="别家", region=person.business.region, contact_phone="0574-87654321")
    client = web(users["admin"])

    def found(q):
        return {b.pk for b in client.get("/registry/businesses/", {"q": q}).context["page"].object_list}

    assert found("139 1234 5678") == {person.business_id}  # a staff member's phone
    assert found("13700001111") == {person.business_id}  # the contact phone
    assert found("057487654321") == {other.pk}
    assert found("13912345670") == set()
    assert api(users["admin"]).get("/api/businesses", {"q": PHONE}).json()["count"] == 1
    assert web(users["jiangbei"]).get("/registry/businesses/", {"q": PHONE}).context["page"].paginator.count == 0


def _csv(**values) -> bytes:
    base = {
        "uscc": uscc_for(77_001),
        "name": "导入个人信息餐馆",
        "type": "餐饮服务",
        "address": "海曙区导入路1号",
        "region_code": "330203001001",
        "contact_phone": "13800001234",
        "officer_name": "导入安全员",
        "officer_phone": "13900004321",
    } | values
    header = ",".join(c.label for c in COLUMNS)
    return (header + "\n" + ",".join(base.get(c.key, "") for c in COLUMNS) + "\n").encode()


def test_import_stores_phones_encrypted_and_findable(users, city):
    result = import_businesses(data=_csv(), filename="p.csv", actor=users["haishu"])
    assert result.ok, result.run.errors
    business = Business.objects.get(**hash_lookup(Business, "contact_phone", "13800001234"))
    officer = Staff.objects.get(**hash_lookup(Staff, "phone", "13900004321"))
    assert (business.contact_phone, officer.phone, officer.business_id) == ("13800001234", "13900004321", business.pk)
    assert "13900004321" not in _raw("registry_staff", "phone", officer.pk)
    # the same file with new numbers: updated, and the hashes with them
    result = import_businesses(
        data=_csv(contact_phone="13800005678", officer_phone="13900008765"), filename="p2.csv", actor=users["haishu"]
    )
    assert result.ok and result.run.updated == 1
    assert Business.objects.get(**hash_lookup(Business, "contact_phone", "13800005678")).pk == business.pk
    assert Staff.objects.get(**hash_lookup(Staff, "phone", "13900008765")).pk == officer.pk
    assert not Staff.objects.filter(**hash_lookup(Staff, "phone", "13900004321")).exists()


def test_migration_encrypts_existing_plain_values(person):
    migration = importlib.import_module("shian.registry.migrations.0008_personal_data_and_employer")
    with connection.cursor() as cursor:  # the state before 0008: plain numbers, no hashes
        cursor.execute("UPDATE registry_staff SET phone = %s, phone_hash = '' WHERE id = %s", [PHONE, person.pk])
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)  # what it uses
    migration.encrypt_existing(django_apps, editor)
    assert _raw("registry_staff", "phone", person.pk).startswith("v1:")
    assert Staff.objects.get(**hash_lookup(Staff, "phone", PHONE)).phone == PHONE
    migration.decrypt_existing(django_apps, editor)
    assert _raw("registry_staff", "phone", person.pk) == PHONE
