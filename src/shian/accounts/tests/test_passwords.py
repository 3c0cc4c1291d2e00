"""Password policy presets, the deny-list, the forced change, the change page."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from shian.accounts import passwords, services
from shian.accounts.models import PasswordHistory, PasswordState
from shian.accounts.validators import ComplexityValidator, HistoryValidator
from shian.core import services as core_services
from shian.core.choices import Role
from shian.core.demo_city import DEMO_PASSWORD
from shian.core.models import ApiToken
from shian.core.tests.factories import PASSWORD, UserFactory

NEW = "Xin-Mima-2026!"  # 4 classes, 14 characters, not common


def _login(username, password, client=None):
    client = client or Client()
    return client, client.post("/login/", {"username": username, "password": password})


def _token(username, password):
    return Client().post(
        "/api/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


@pytest.mark.parametrize("password", ["123456", "woaini1314", "qq123456", "a123456", "Aa123456", "Admin@123"])
def test_deny_list_holds_common_and_chinese_favourites(password):
    assert passwords.is_denied(password)


def test_deny_list_source_is_cited():
    head = passwords.ZH_LIST.read_text(encoding="utf-8").splitlines()[:20]
    assert any("USENIX" in line for line in head)


def test_complexity_counts_four_classes():
    assert passwords.character_classes("abcdefgh") == 1
    assert passwords.character_classes("abcDEF12") == 3
    assert passwords.character_classes("食安abc1X") == 4  # Chinese characters count as "other"
    with pytest.raises(ValidationError):
        ComplexityValidator(3).validate("onlylowercase12")
    ComplexityValidator(3).validate("Lower-and-UPPER")


def test_settings_build_the_validators_of_the_chosen_preset(settings):
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    if settings.PASSWORD_POLICY == "dengbao":
        assert "ComplexityValidator" in names and "HistoryValidator" in names
        assert settings.PASSWORD_MAX_AGE_DAYS == 90
    assert "DenyListValidator" in names and "PasswordChangedHook" in names


def _settings_module(env: dict) -> dict:
    import os
    import subprocess
    import sys

    code = (
        "import json, shian.settings as s\n"
        "vs = s.AUTH_PASSWORD_VALIDATORS\n"
        "print(json.dumps({'policy': s.PASSWORD_POLICY, 'age': s.PASSWORD_MAX_AGE_DAYS, 'history': s.PASSWORD_HISTORY,"
        " 'validators': [v['NAME'].rsplit('.', 1)[1] for v in vs],"
        " 'min': [v.get('OPTIONS', {}).get('min_length') for v in vs if 'Minimum' in v['NAME']][0]}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHIAN_")}
    result = subprocess.run([sys.executable, "-c", code], env=clean | env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout)


def test_presets_dengbao_and_asvs():
    dengbao = _settings_module({"SHIAN_PASSWORD_POLICY": "dengbao"})
    assert dengbao["min"] == 8 and dengbao["age"] == 90 and dengbao["history"] == 5
    assert {"ComplexityValidator", "HistoryValidator"} <= set(dengbao["validators"])
    asvs = _settings_module({"SHIAN_PASSWORD_POLICY": "asvs"})
    assert asvs["min"] == 12 and asvs["age"] == 0 and asvs["history"] == 0
    assert "ComplexityValidator" not in asvs["validators"] and "DenyListValidator" in asvs["validators"]


def test_unknown_preset_is_refused():
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHIAN_")}
    result = subprocess.run(
        [sys.executable, "-c", "import shian.settings"],
        env=clean | {"SHIAN_PASSWORD_POLICY": "weak"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "SHIAN_PASSWORD_POLICY" in result.stderr


def test_history_refuses_the_last_five(users, settings):
    settings.PASSWORD_HISTORY = 5
    user = users["haishu"]
    used = [f"Mima-{i}-Shian!" for i in range(6)]
    for password in used:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    validator = HistoryValidator(5)
    for password in used[1:]:
        with pytest.raises(ValidationError):
            validator.validate(password, user)
    validator.validate(used[0], user)  # the sixth-last may come back


def test_common_password_forces_a_change_at_login(users):
    user = users["haishu"]
    user.set_password("woaini1314")
    user.save()
    core_services.api_token_create(user=user)
    client, response = _login("haishu", "woaini1314")
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    assert client.get("/").status_code == 302  # every page sends to the change page
    assert client.get("/registry/businesses/")["Location"] == "/account/password/"
    assert client.get("/api/me").status_code == 403
    assert not ApiToken.objects.filter(user=user).exists()  # minted with a password anyone may know
    response = _token("haishu", "woaini1314")
    assert response.status_code == 403 and "common" in response.json()["detail"] or "常用" in response.json()["detail"]
    # the change page: the current password, then a new one the policy accepts
    page = client.post(
        "/account/password/",
        {"current_password": "woaini1314", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert page.status_code == 200 and page.context["form"].errors
    page = client.post(
        "/account/password/", {"current_password": "woaini1314", "new_password1": NEW, "new_password2": NEW}
    )
    assert page.status_code == 302
    assert client.get("/").status_code == 200
    assert PasswordState.objects.get(user=user).must_change == ""
    assert _token("haishu", NEW).status_code == 200


def test_demo_password_is_refused_in_production_only(users, settings):
    user = users["haishu"]
    user.set_password(DEMO_PASSWORD)
    user.save()
    settings.PRODUCTION = False
    _client, response = _login("haishu", DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _token("haishu", DEMO_PASSWORD).status_code == 200  # make demo works as before
    settings.PRODUCTION = True
    settings.AUDIT_KEY = "k" * 64  # the production profile requires the audit chain's key
    _client, response = _login("haishu", DEMO_PASSWORD)
    assert response["Location"] == "/account/password/"
    response = _token("haishu", DEMO_PASSWORD)
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=user).exists()


def test_initial_password_set_by_an_administrator_must_be_changed(users):
    created = core_services.user_create(
        username="newbie",
        password=NEW,
        role=Role.DISTRICT_REGULATOR,
        region=users["haishu"].region,
        actor=users["admin"],
    )
    assert PasswordState.objects.get(user=created).must_change == "initial"
    client, response = _login("newbie", NEW)
    assert response["Location"] == "/account/password/"
    assert _token("newbie", NEW).status_code == 403
    other = "Wode-Mima-2027#"
    client.post("/account/password/", {"current_password": NEW, "new_password1": other, "new_password2": other})
    assert _token("newbie", other).status_code == 200


def test_password_reset_by_an_administrator_must_be_changed(users):
    services.password_set_by_admin(user=users["haishu"], new_password=NEW, actor=users["admin"])
    _client, response = _login("haishu", NEW)
    assert response["Location"] == "/account/password/"


@override_settings(PASSWORD_MAX_AGE_DAYS=90)
def test_expired_password_must_be_changed(users):
    state = services.state_of(users["haishu"])
    PasswordState.objects.filter(pk=state.pk).update(changed_at=timezone.now() - dt.timedelta(days=91))
    _client, response = _login("haishu", PASSWORD)
    assert response["Location"] == "/account/password/"
    PasswordState.objects.filter(pk=state.pk).update(changed_at=timezone.now() - dt.timedelta(days=89))
    _client, response = _login("haishu", PASSWORD)
    assert response["Location"] == "/"


@override_settings(PASSWORD_MAX_AGE_DAYS=0)
def test_asvs_does_not_rotate(users):
    state = services.state_of(users["haishu"])
    PasswordState.objects.filter(pk=state.pk).update(changed_at=timezone.now() - dt.timedelta(days=1000))
    _client, response = _login("haishu", PASSWORD)
    assert response["Location"] == "/"


def test_change_page_wrong_current_password_counts_towards_the_lockout(users, web, settings):
    client = web(users["haishu"])
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = client.post(
            "/account/password/", {"current_password": "guess", "new_password1": NEW, "new_password2": NEW}
        )
        assert response.status_code == 400 and "current_password" in response.context["form"].errors
    response = client.post(
        "/account/password/", {"current_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 400  # locked
    assert "锁定" in str(response.context["form"].errors["current_password"])
    users["haishu"].refresh_from_db()
    assert users["haishu"].check_password(PASSWORD)


def test_change_page_refuses_mismatch_and_bad_input(users, web):
    client = web(users["haishu"])
    page = client.post("/account/password/", {"current_password": PASSWORD, "new_password1": NEW, "new_password2": "x"})
    assert page.status_code == 400 and "new_password2" in page.context["form"].errors
    page = client.post("/account/password/", {"current_password": "", "new_password1": "", "new_password2": ""})
    assert page.status_code == 400
    assert client.get("/account/password/").status_code == 200


def test_validate_password_uses_the_deny_list(users):
    with pytest.raises(ValidationError):
        validate_password("Woaini1314", users["haishu"])
    with pytest.raises(ValidationError):
        validate_password(DEMO_PASSWORD, users["haishu"])


def test_factory_users_without_state_are_not_forced(users):
    user = UserFactory(username="plain", role=Role.PUBLIC)
    assert not PasswordState.objects.filter(user=user).exists()
    _client, response = _login("plain", PASSWORD)
    assert response["Location"] == "/"
