"""The API token endpoint asks an enrolled account for its code (core reaches twofactor through core.signin)."""

import pytest
from django.test import Client

from shian.core.models import ApiToken
from shian.core.tests.factories import PASSWORD

from .helpers import code_now, enrol

pytestmark = pytest.mark.django_db


def _token(user, **extra):
    body = {"username": user.username, "password": PASSWORD, **extra}
    return Client().post("/api/auth/token", body, content_type="application/json")


def test_an_enrolled_account_gets_a_token_only_with_its_code(users):
    user = users["inspector"]
    secret, recovery = enrol(user)
    without = _token(user)
    assert without.status_code == 401 and "code" in without.json()["detail"]
    assert _token(user, code="000000" if code_now(secret) != "000000" else "111111").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    assert _token(user, code=code_now(secret)).status_code == 200
    assert _token(user, code=recovery[0]).status_code == 200  # a recovery code works once
    assert _token(user, code=recovery[0]).status_code == 401
    assert ApiToken.objects.filter(user=user).count() == 2


def test_an_account_without_an_authenticator_needs_none_unless_its_role_must_enrol(users, settings):
    user = users["inspector"]
    assert _token(user).status_code == 200
    settings.MFA_ENFORCE = True
    refused = _token(user)
    assert refused.status_code == 403 and refused.json()["detail"]  # enrol first (the message is translated)
