"""API tokens no longer outlive what should end them: minting asks for the password, an account holds a
capped number, and a password change or deactivation revokes them."""

import pytest
from django.test import Client

from shian.core import services as core_services
from shian.core.choices import AuditAction
from shian.core.models import ApiToken, AuditEntry
from shian.core.tests.factories import PASSWORD


def test_minting_in_the_ui_needs_the_current_password(users, web):
    client = web(users["haishu"])
    response = client.post("/account/tokens/", {"name": "etl"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    response = client.post("/account/tokens/", {"name": "etl", "password": "wrong"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    response = client.post("/account/tokens/", {"name": "etl", "password": PASSWORD})
    assert response.status_code == 200 and "shian_" in response.content.decode()
    assert ApiToken.objects.filter(user=users["haishu"]).count() == 1


def test_a_stolen_session_cannot_guess_the_password_through_the_token_form(users, web, settings):
    client = web(users["haishu"])
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert client.post("/account/tokens/", {"name": "x", "password": "guess"}).status_code == 400
    response = client.post("/account/tokens/", {"name": "x", "password": PASSWORD})
    assert response.status_code == 400  # the account is locked now, the right password too
    assert "锁定" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert Client().post("/login/", {"username": "haishu", "password": PASSWORD}).status_code == 401
    notes = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).values_list("note", flat=True)
    assert "bad credentials (re-authentication)" in list(notes)


def test_tokens_per_account_are_capped(users, web, settings):
    settings.API_TOKEN_MAX_PER_USER = 2
    client = web(users["haishu"])
    for _ in range(2):
        assert client.post("/account/tokens/", {"name": "t", "password": PASSWORD}).status_code == 200
    response = client.post("/account/tokens/", {"name": "t", "password": PASSWORD})
    assert response.status_code == 409
    assert ApiToken.objects.count() == 2
    api = Client().post(
        "/api/auth/token", {"username": "haishu", "password": PASSWORD}, content_type="application/json"
    )
    assert api.status_code == 409 and api.json()["detail"]
    ApiToken.objects.filter(pk=ApiToken.objects.first().pk).delete()
    assert client.post("/account/tokens/", {"name": "t", "password": PASSWORD}).status_code == 200


def test_expired_tokens_do_not_count_against_the_cap(users, settings):
    import datetime as dt

    from django.utils import timezone

    settings.API_TOKEN_MAX_PER_USER = 1
    token, _key = core_services.api_token_create(user=users["haishu"])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    core_services.api_token_create(user=users["haishu"])
    assert ApiToken.objects.filter(user=users["haishu"]).count() == 1


def test_password_change_revokes_tokens(users, api):
    client = api(users["haishu"])
    assert client.get("/api/me").status_code == 200
    user = users["haishu"]
    user.set_password("Another-Pa55word-2026")
    user.save()
    assert client.get("/api/me").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(object_id=str(user.pk), note__contains="password changed").exists()


def test_deactivation_revokes_tokens(users, api):
    client = api(users["haishu"])
    core_services.user_deactivate(user=users["haishu"], actor=users["admin"])
    assert client.get("/api/me").status_code == 401
    assert not ApiToken.objects.filter(user=users["haishu"]).exists()


def test_logout_is_audited_and_keeps_tokens(users, web, api):
    token_client = api(users["haishu"])
    client = web(users["haishu"])
    assert client.post("/logout/").status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.LOGOUT, actor=users["haishu"]).exists()
    assert token_client.get("/api/me").status_code == 200  # the documented decision: tokens are separate


@pytest.mark.parametrize("field", ["name", "password"])
def test_token_form_refuses_junk_without_500(users, web, field):
    data = {"name": "t", "password": PASSWORD, field: "x" * 5000}
    assert web(users["haishu"]).post("/account/tokens/", data).status_code < 500


def test_no_token_from_the_form_while_the_password_must_be_changed(users, web):
    from shian.accounts import services as account_services

    account_services.mark_must_change(users["haishu"], "reset")
    response = web(users["haishu"]).post("/account/tokens/", {"name": "t", "password": PASSWORD})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
