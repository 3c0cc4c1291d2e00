"""The administration API (accounts.api), mounted on a test URLconf until shian.api mounts it: the same
separation as the pages, bearer tokens, errors that name the field."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from shian.accounts.models import Authorisation
from shian.core.choices import AuditAction, Role
from shian.core.models import ApiToken, AuditEntry, User
from shian.core.services import api_token_create, logout_audit
from shian.core.tests.factories import UserFactory

pytestmark = pytest.mark.urls("shian.accounts.tests.api_urls")
BASE = "/api/admin-test"


@pytest.fixture
def admins(city):
    return {
        "sys": UserFactory(username="sysadmin", role=Role.SYSTEM_ADMIN, region=city["city"]),
        "sec": UserFactory(username="secadmin", role=Role.SECURITY_ADMIN, region=city["city"]),
        "aud": UserFactory(username="auditadmin", role=Role.AUDIT_ADMIN, region=city["city"]),
    }


def bearer(user) -> Client:
    _token, key = api_token_create(user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_create_authorise_and_lifecycle_through_the_api(admins, users, city):
    sys_c, sec_c = bearer(admins["sys"]), bearer(admins["sec"])
    body = {"username": "api-new", "requested_role": Role.INSPECTOR, "requested_region_id": city["haishu"].pk}
    created = sys_c.post(f"{BASE}/admin/accounts", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["initial_password"] and data["account"]["authorisation"] == "pending"
    assert data["account"]["is_active"] is False and data["account"]["role"] == Role.PUBLIC
    uid = data["account"]["id"]
    # the security administrator cannot create; the system administrator cannot authorise
    assert sec_c.post(f"{BASE}/admin/accounts", body, content_type="application/json").status_code == 403
    role = {"role": Role.INSPECTOR, "region_id": city["haishu"].pk}
    url = f"{BASE}/admin/accounts/{uid}/authorise"
    assert sys_c.post(url, role, content_type="application/json").status_code == 403
    done = sec_c.post(url, role, content_type="application/json")
    assert done.status_code == 200 and done.json()["is_active"] is True and done.json()["role"] == Role.INSPECTOR
    assert Authorisation.objects.get(user_id=uid).state == "confirmed"
    # lifecycle
    target = users["haishu"]
    api_token_create(user=target, name="x")
    reset = sys_c.post(f"{BASE}/admin/accounts/{target.pk}/reset-password")
    assert reset.status_code == 200 and len(reset.json()["initial_password"]) == 16
    assert not ApiToken.objects.filter(user=target).exists()
    assert sys_c.post(f"{BASE}/admin/accounts/{target.pk}/deactivate").json()["is_active"] is False
    assert sys_c.post(f"{BASE}/admin/accounts/{target.pk}/reactivate").json()["is_active"] is True
    assert sys_c.post(f"{BASE}/admin/accounts/{target.pk}/unlock").status_code == 200
    listed = sys_c.get(f"{BASE}/admin/accounts?state=active&q=haishu").json()
    assert [a["username"] for a in listed["items"]] == ["haishu"]


def test_bad_input_names_the_field_and_writes_nothing(admins):
    c = bearer(admins["sys"])
    before = User.objects.count()
    for body, field in (
        ({"username": "x1", "requested_role": Role.INSPECTOR}, "region"),
        ({"username": "x2", "requested_role": Role.INSPECTOR, "requested_region_id": 987654}, "requested_region_id"),
        ({"username": "x3", "requested_role": "boss"}, "requested_role"),
        ({"username": "sysadmin", "requested_role": Role.PUBLIC}, "username"),
    ):
        response = c.post(f"{BASE}/admin/accounts", body, content_type="application/json")
        assert response.status_code == 422, (body, response.content)
        assert field in response.content.decode(), (field, response.content)
    assert User.objects.count() == before
    assert c.get(f"{BASE}/admin/accounts/987654321").status_code == 404


def test_nobody_acts_on_their_own_account_through_the_api(admins, city):
    sec = admins["sec"]
    response = bearer(sec).post(
        f"{BASE}/admin/accounts/{sec.pk}/authorise",
        {"role": Role.SYSTEM_ADMIN, "region_id": city["city"].pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    sec.refresh_from_db()
    assert sec.role == Role.SECURITY_ADMIN
    assert bearer(admins["sys"]).post(f"{BASE}/admin/accounts/{admins['sys'].pk}/deactivate").status_code == 403


def test_audit_list_and_export_are_the_audit_administrators_only(admins, users):
    from openpyxl import load_workbook

    logout_audit(user=users["haishu"], note="phone 13812345678")
    for who in ("sys", "sec"):
        assert bearer(admins[who]).get(f"{BASE}/admin/audit").status_code == 403
        assert bearer(admins[who]).get(f"{BASE}/admin/audit/export").status_code == 403
    assert bearer(users["admin"]).get(f"{BASE}/admin/audit").status_code == 403
    c = bearer(admins["aud"])
    page = c.get(f"{BASE}/admin/audit?actor=haishu&action=logout&limit=5").json()
    assert page["count"] == 1 and page["items"][0]["note"] == "phone 138****5678"
    assert c.get(f"{BASE}/admin/audit?start=0001-01-01").status_code == 422
    before = AuditEntry.objects.filter(action=AuditAction.EXPORT).count()
    response = c.get(f"{BASE}/admin/audit/export?actor=haishu")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) >= 2 and "138****5678" in str(rows)
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == before + 1
    # the audit administrator reads nothing else
    assert c.get(f"{BASE}/admin/accounts").status_code == 403
    assert c.get("/api/businesses").status_code == 403
