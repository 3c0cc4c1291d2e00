"""Opening the enrolment page writes nothing to the database: the secret waits, sealed, in the session
until the first code confirms it. And the security administrator (not the city administrator) resets a
lost authenticator; nobody resets their own."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shian.core.choices import Role
from shian.core.tests.factories import PASSWORD, UserFactory
from shian.twofactor import services, totp
from shian.twofactor.models import RecoveryCode, TotpDevice

from .helpers import code_now, enrol


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English messages (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _secret(html: str) -> bytes:
    return totp.from_b32(re.search(r"data-secret>([A-Z2-7 ]+)<", html).group(1))


def test_get_of_the_enrolment_page_writes_no_row(users):
    user = users["haishu"]
    client = logged_in(user)
    first = client.get("/twofactor/enrol/")
    again = client.get("/twofactor/enrol/")
    assert first.status_code == again.status_code == 200
    assert TotpDevice.objects.count() == 0 and RecoveryCode.objects.count() == 0
    # the same secret on every view of the page, in this session (the person may reload while scanning)
    assert _secret(first.content.decode()) == _secret(again.content.decode())
    # the session holds it sealed, never in the clear
    stored = client.session["twofactor.pending"]
    assert totp.b32(_secret(first.content.decode())) not in str(stored)
    # a wrong code stores nothing either; the right one stores the confirmed device
    secret = _secret(first.content.decode())
    wrong = "000000" if code_now(secret) != "000000" else "111111"
    assert client.post("/twofactor/enrol/", {"password": PASSWORD, "code": wrong}).status_code == 400
    assert TotpDevice.objects.count() == 0
    assert client.post("/twofactor/enrol/", {"password": PASSWORD, "code": code_now(secret)}).status_code == 200
    device = TotpDevice.objects.get(user=user)
    assert device.confirmed and "twofactor.pending" not in client.session


def test_an_older_pending_device_gives_way(users):
    user = users["haishu"]
    services.device_start(user=user)  # a pending one made by an earlier version of the page
    client = logged_in(user)
    secret = _secret(client.get("/twofactor/enrol/").content.decode())
    assert client.post("/twofactor/enrol/", {"password": PASSWORD, "code": code_now(secret)}).status_code == 200
    assert TotpDevice.objects.filter(user=user).count() == 1 and services.has_device(user)


@pytest.fixture
def secadmin(city):
    return UserFactory(username="secadmin", role=Role.SECURITY_ADMIN, region=city["city"])


def test_the_security_administrator_resets_and_the_city_administrator_no_longer(users, secadmin):
    target = users["jiangbei"]
    enrol(target)
    assert logged_in(users["admin"]).get("/twofactor/accounts/").status_code == 403
    client = logged_in(secadmin)
    page = client.get("/twofactor/accounts/?q=jiang").content.decode()
    assert "jiangbei" in page
    assert client.post("/twofactor/reauth/", {"password": PASSWORD}).status_code == 302
    assert client.post(reverse("twofactor:reset", args=[target.pk])).status_code == 302
    assert not services.has_device(target)
    # not one's own
    enrol(secadmin)
    with pytest.raises(Exception, match="own account"):
        services.device_reset(user=secadmin, actor=secadmin)
    assert services.has_device(secadmin)


def test_administrators_must_use_a_second_factor(settings, city):
    settings.MFA_ENFORCE = True
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        assert services.required_for(UserFactory(role=role, region=city["city"]))
