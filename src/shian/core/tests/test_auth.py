import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from shian.core.choices import AuditAction
from shian.core.models import ApiToken, AuditEntry
from shian.core.services import api_token_authenticate, api_token_create
from shian.core.tests.factories import PASSWORD


def test_login_page_is_chinese_by_default(db):
    response = Client().get("/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


def test_browser_language_does_not_override_chinese_default(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/login/")
    assert "登录" in response.content.decode()


def test_english_switch(db):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)
    assert "Log in" in response.content.decode()
    assert response.redirect_chain[-1][0] == "/login/"


def test_login_success_audited(users):
    client = Client()
    response = client.post("/login/", {"username": "haishu", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=users["haishu"]).exists()


def test_lockout_after_five_failures(users, settings):
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = client.post("/login/", {"username": "haishu", "password": "wrong"})
        assert response.status_code == 401
    response = client.post("/login/", {"username": "haishu", "password": PASSWORD})
    assert response.status_code == 401
    assert "locked" in response.content.decode() or "锁定" in response.content.decode()
    users["haishu"].refresh_from_db()
    assert users["haishu"].locked_until > timezone.now()
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() == settings.LOGIN_MAX_FAILURES + 1
    # once the lock has passed, the right password works again (the lock is kept by accounts.throttle)
    from shian.accounts.models import LoginThrottle

    LoginThrottle.objects.filter(key="user:haishu").update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert client.post("/login/", {"username": "haishu", "password": PASSWORD}).status_code == 302


def test_pages_need_login(db):
    response = Client().get("/registry/businesses/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_authenticated_pages_are_not_cached(users, web):
    response = web(users["haishu"]).get("/")
    assert response["Cache-Control"] == "no-store"


def test_token_issue_and_use(users):
    client = Client()
    response = client.post(
        "/api/auth/token", {"username": "haishu", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    me = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/me").json()
    assert me["username"] == "haishu"
    assert me["region_name"] == "海曙区"
    assert not ApiToken.objects.filter(digest=key).exists()  # only the digest is stored


def test_token_bad_password(users):
    response = Client().post(
        "/api/auth/token", {"username": "haishu", "password": "x"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_expired_or_unknown_token_refused(users):
    token, key = api_token_create(user=users["haishu"])
    assert api_token_authenticate(key) == users["haishu"]
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api_token_authenticate(key) is None
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/me").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer nope").get("/api/me").status_code == 401


def test_account_page_creates_and_revokes_tokens(users, web):
    client = web(users["haishu"])
    response = client.post("/account/tokens/", {"name": "etl", "password": PASSWORD})
    assert "shian_" in response.content.decode()
    token = ApiToken.objects.get(user=users["haishu"])
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("role", ["jiangbei", "admin"])
def test_cannot_revoke_someone_elses_token(users, web, role):
    token, _key = api_token_create(user=users["haishu"])
    assert web(users[role]).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
