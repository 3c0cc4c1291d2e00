"""The gate (a code after the password; enrolment for roles that must), the pages, re-authentication
and its expiry, the administrator's reset. Enforcement is switched on with settings, per test."""

import re
import time

import pytest
from django.test import Client, override_settings

from shian.core.choices import AuditAction
from shian.core.models import AuditEntry
from shian.core.tests.factories import PASSWORD
from shian.twofactor import services, totp
from shian.twofactor.models import TotpDevice

from .helpers import code_now, enrol


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _age_reauth(client, seconds: float) -> None:
    """Make the session's last authentication (the login, the code page, re-authentication) older."""
    session = client.session
    auth = session.get(services.SESSION_AUTH)
    if auth:
        session[services.SESSION_AUTH] = {**auth, "at": time.time() - seconds}
    session[services.SIGNED_IN_AT] = time.time() - seconds
    session.save()


# --- enforcement ----------------------------------------------------------------------------------------
def test_off_by_default_in_development(users, settings):
    assert settings.MFA_ENFORCE is False
    assert logged_in(users["haishu"]).get("/").status_code == 200


@override_settings(MFA_ENFORCE=True)
def test_enforced_a_regulator_without_an_authenticator_is_sent_to_enrol(users):
    client = logged_in(users["haishu"])
    for path in ("/", "/registry/businesses/", "/twofactor/", "/twofactor/verify/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/twofactor/enrol/?next="), path
    page = client.get("/twofactor/enrol/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, made on the server
    assert "otpauth://totp/ShiAn:haishu?secret=" in html
    # the API does not take such a session (a bearer token still works)
    assert client.get("/api/me").status_code == 401
    # logging out and switching language stay open
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.post("/logout/").status_code == 302


@override_settings(MFA_ENFORCE=True)
def test_enforced_optional_roles_go_on_without(users):
    assert logged_in(users["public"]).get("/").status_code == 200


@override_settings(MFA_ENFORCE=True)
def test_bearer_tokens_are_not_affected(users):
    from shian.core.services import api_token_create

    _token, key = api_token_create(user=users["haishu"], name="t")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/me").status_code == 200


def test_enrolment_through_the_page(users):
    user = users["haishu"]
    client = logged_in(user)
    html = client.get("/twofactor/enrol/").content.decode()
    secret = totp.from_b32(re.search(r"data-secret>([A-Z2-7 ]+)<", html).group(1))
    wrong = client.post(
        "/twofactor/enrol/", {"password": PASSWORD, "code": "000000" if code_now(secret) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    assert not services.has_device(user)
    done = client.post("/twofactor/enrol/", {"password": PASSWORD, "code": code_now(secret), "next": "/registry/"})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", done.content.decode())
    assert len(codes) == 10
    assert services.has_device(user)
    assert client.get("/").status_code == 200  # this session has just given a code
    assert client.get("/twofactor/enrol/").status_code == 302  # enrolled: nothing to enrol
    # the page never shows the secret again
    assert totp.b32(secret)[:8] not in client.get("/twofactor/").content.decode()


# --- the second step after the password -----------------------------------------------------------------
def test_an_enrolled_account_gives_a_code_after_its_password(users):
    user = users["public"]  # optional role, enrolled by choice: asked whatever MFA_ENFORCE says
    secret, _codes = enrol(user)
    client = logged_in(user)
    response = client.get("/registry/businesses/?q=x")
    assert response.status_code == 302
    assert response["Location"] == "/twofactor/verify/?next=%2Fregistry%2Fbusinesses%2F%3Fq%3Dx"
    assert client.get("/api/me").status_code == 401
    htmx = client.get("/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith("/twofactor/verify/")
    wrong = client.post("/twofactor/verify/", {"code": "12345", "next": "/"})
    assert wrong.status_code == 401
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, note=services.NOTE_WRONG_CODE).count() == 1
    assert client.post("/twofactor/verify/", {"code": "x" * 5000}).status_code == 401  # refused, named, no 500
    code = code_now(secret)
    ok = client.post("/twofactor/verify/", {"code": code, "next": "/twofactor/"})
    assert ok.status_code == 302 and ok["Location"] == "/twofactor/"
    assert client.get("/").status_code == 200
    assert client.get("/api/me").status_code == 200
    # another login (another session) asks again, and the same code is refused there
    other = logged_in(user)
    assert other.get("/").status_code == 302
    assert other.post("/twofactor/verify/", {"code": code}).status_code == 401


def test_a_recovery_code_logs_in_once(users):
    user = users["haishu"]
    _secret, codes = enrol(user)
    first = logged_in(user)
    assert first.post("/twofactor/verify/", {"code": codes[3], "next": "/"}).status_code == 302
    assert first.get("/").status_code == 200
    second = logged_in(user)
    assert second.post("/twofactor/verify/", {"code": codes[3]}).status_code == 401
    assert AuditEntry.objects.filter(note=services.NOTE_RECOVERY_USED).count() == 1


def test_the_verify_page_refuses_an_unsafe_next(users):
    secret, _ = enrol(users["haishu"])
    client = logged_in(users["haishu"])
    response = client.post("/twofactor/verify/", {"code": code_now(secret), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_session_without_an_authenticator_does_not_see_the_verify_page(users):
    assert logged_in(users["public"]).get("/twofactor/verify/?next=/twofactor/")["Location"] == "/twofactor/"


# --- re-authentication ------------------------------------------------------------------------------------
def test_disabling_needs_a_recent_authentication(users):
    user = users["haishu"]
    secret, _ = enrol(user)
    client = logged_in(user)
    client.post("/twofactor/verify/", {"code": code_now(secret)})  # this is a fresh authentication
    assert client.get("/twofactor/disable/").status_code == 200
    _age_reauth(client, 301)  # five minutes later it is not
    response = client.get("/twofactor/disable/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/twofactor/reauth/?next=%2Ftwofactor%2Fdisable"
    )
    post = client.post("/twofactor/disable/", HTTP_REFERER="http://testserver/twofactor/disable/")
    assert post["Location"] == "/twofactor/reauth/?next=%2Ftwofactor%2Fdisable%2F"
    assert services.has_device(user)
    # the password alone is not enough for an enrolled account
    assert client.post("/twofactor/reauth/", {"password": PASSWORD, "next": "/twofactor/disable/"}).status_code == 400
    assert client.post("/twofactor/reauth/", {"password": "wrong", "code": code_now(secret, 1)}).status_code == 400
    done = client.post(
        "/twofactor/reauth/", {"password": PASSWORD, "code": code_now(secret, 1), "next": "/twofactor/disable/"}
    )
    assert done["Location"] == "/twofactor/disable/"
    assert client.post("/twofactor/disable/").status_code == 302
    assert not services.has_device(user)
    assert AuditEntry.objects.filter(note=services.NOTE_DISABLED, actor=user).count() == 1


def test_re_authentication_without_an_authenticator_is_the_password(users):
    client = logged_in(users["public"])
    _age_reauth(client, 301)
    assert client.get("/twofactor/disable/")["Location"].startswith("/twofactor/reauth/")
    page = client.get("/twofactor/reauth/?next=/twofactor/")
    assert 'name="code"' not in page.content.decode()
    assert client.post("/twofactor/reauth/", {"password": PASSWORD, "next": "/twofactor/"})["Location"] == "/twofactor/"
    request = type("R", (), {"session": client.session, "user": users["public"]})()
    assert services.recently_authenticated(request)
    assert not services.recently_authenticated(request, now=time.time() + 301)


def test_new_recovery_codes_after_re_authentication(users):
    user = users["haishu"]
    secret, old = enrol(user)
    client = logged_in(user)
    client.post("/twofactor/verify/", {"code": code_now(secret)})
    assert client.get("/twofactor/recovery-codes/").status_code == 200
    page = client.post("/twofactor/recovery-codes/")
    new = re.findall(r"<code>([a-z2-9-]{14})</code>", page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)


@override_settings(MFA_ENFORCE=True)
def test_disabling_when_required_sends_to_enrol_again(users):
    user = users["haishu"]
    secret, _ = enrol(user)
    client = logged_in(user)
    client.post("/twofactor/verify/", {"code": code_now(secret)})
    client.post("/twofactor/disable/")
    assert not services.has_device(user)
    client = logged_in(user)
    assert client.get("/")["Location"].startswith("/twofactor/enrol/")


# --- the security administrator's reset (三员: not the city administrator's any more) -----------------------
@pytest.fixture
def secadmin(city):
    from shian.core.choices import Role
    from shian.core.tests.factories import UserFactory

    return UserFactory(username="secadmin", role=Role.SECURITY_ADMIN, region=city["city"])


def test_the_security_administrator_resets_a_lost_authenticator(users, secadmin):
    enrol(users["street"])
    admin = logged_in(secadmin)
    _age_reauth(admin, 301)
    listing = admin.get("/twofactor/accounts/?q=street")
    assert listing.status_code == 200
    assert f"/twofactor/accounts/{users['street'].pk}/reset/" in listing.content.decode()
    url = f"/twofactor/accounts/{users['street'].pk}/reset/"
    assert admin.get(url)["Location"].startswith("/twofactor/reauth/")  # the administrator confirms first
    admin.post("/twofactor/reauth/", {"password": PASSWORD})
    assert admin.get(url).status_code == 200
    assert admin.post(url)["Location"] == "/twofactor/accounts/"
    assert not TotpDevice.objects.filter(user=users["street"]).exists()
    entry = AuditEntry.objects.get(note=services.NOTE_RESET)
    assert entry.actor == secadmin and entry.object_type == "twofactor.totpdevice"


@pytest.mark.parametrize("who", ["haishu", "admin"])
def test_others_may_not_reset(users, who):
    enrol(users["street"])
    client = logged_in(users[who])
    assert client.get("/twofactor/accounts/").status_code == 403
    assert client.post(f"/twofactor/accounts/{users['street'].pk}/reset/").status_code == 403
    assert services.has_device(users["street"])


def test_reset_of_a_missing_account_is_not_found(users, secadmin):
    client = logged_in(secadmin)
    _age_reauth(client, 301)  # not even asked to re-authenticate first: not found is not found
    assert client.post("/twofactor/accounts/987654321/reset/").status_code == 404
    assert client.get("/twofactor/accounts/987654321/reset/").status_code == 404


@pytest.mark.parametrize("path", ["/twofactor/", "/twofactor/enrol/", "/twofactor/verify/", "/twofactor/reauth/"])
def test_anonymous_is_sent_to_login(db, path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- working with the login page and the other account middleware ----------------------------------------
def test_logging_in_is_a_fresh_authentication_once_the_second_step_is_done(users):
    secret, _ = enrol(users["haishu"])
    client = logged_in(users["haishu"])
    assert client.get("/twofactor/disable/")["Location"].startswith("/twofactor/verify/")  # the code first
    client.post("/twofactor/verify/", {"code": code_now(secret)})
    _age_reauth(client, 301)
    assert client.get("/twofactor/disable/").status_code == 302
    session = client.session
    session[services.SIGNED_IN_AT] = time.time() - 60  # what the login page records: a minute ago
    session.save()
    assert client.get("/twofactor/disable/").status_code == 200
    del session[services.SESSION_PASSED]  # a session that has not given its code does not count
    session.save()
    assert client.get("/twofactor/disable/")["Location"].startswith("/twofactor/verify/")


def test_views_named_in_settings_need_a_recent_authentication(users, settings):
    """For views that cannot be decorated (core's), by URL name; shown here on this app's own page. They
    concern enrolled accounts (the others' forms ask for the password themselves)."""
    settings.MFA_REAUTH_VIEWS = ["twofactor:index"]
    client = logged_in(users["haishu"])
    assert client.get("/twofactor/").status_code == 200  # not enrolled: the page itself
    secret, _codes = enrol(users["haishu"])
    client = logged_in(users["haishu"])
    client.post("/twofactor/verify/", {"code": code_now(secret), "next": "/"})
    _age_reauth(client, 301)
    assert client.get("/twofactor/")["Location"] == "/twofactor/reauth/?next=%2Ftwofactor%2F"
    post = client.post("/twofactor/", {}, HTTP_REFERER="http://testserver/registry/businesses/?q=1")
    assert post["Location"] == "/twofactor/reauth/?next=%2Fregistry%2Fbusinesses%2F%3Fq%3D1"
    assert client.post("/twofactor/", {}, HTTP_REFERER="https://evil.example/x")["Location"].endswith(
        "next=%2Ftwofactor%2F"
    )
    assert client.get("/").status_code == 200  # other pages are not affected
    client.post("/twofactor/reauth/", {"password": PASSWORD, "code": code_now(secret, 1)})
    assert client.get("/twofactor/").status_code == 200


def test_a_forced_password_change_comes_after_the_code(users):
    secret, _ = enrol(users["haishu"])
    client = logged_in(users["haishu"])
    session = client.session
    session["shian_must_change_password"] = "expired"
    session.save()
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/twofactor/verify/")
    response = client.post("/twofactor/verify/", {"code": code_now(secret)}, follow=True)
    assert response.redirect_chain[-1][0] == "/account/password/"


def test_the_second_step_is_decided_at_login(users, settings):
    enrol(users["haishu"])
    optional = logged_in(users["public"])
    assert optional.session[services.SESSION_PASSED] == users["public"].pk  # nothing owed: no query per page
    enrolled = logged_in(users["haishu"])
    assert services.SESSION_PASSED not in enrolled.session
    settings.MFA_ENFORCE = True
    required = logged_in(users["jiangbei"])
    assert services.SESSION_PASSED not in required.session
    # a new login in a session that had passed owes its code again
    secret, _ = enrol(users["street"])
    client = logged_in(users["street"])
    client.post("/twofactor/verify/", {"code": code_now(secret)})
    assert client.get("/").status_code == 200
    client.login(username="street", password=PASSWORD)
    assert client.get("/").status_code == 302
