"""三员: what each administrator can and cannot open or do, the create → authorise split, the account
lifecycle (deactivate, reactivate, reset, unlock), the audit browser and its export, break-glass."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from shian.accounts import admin_services as a
from shian.accounts.models import Authorisation, ChangeReason, PasswordState
from shian.core import policy
from shian.core import services as core_services
from shian.core.choices import ADMIN_ROLES, AuditAction, Role
from shian.core.models import ApiToken, AuditEntry, User
from shian.core.tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English messages (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admins(city):
    return {
        "sys": UserFactory(username="sysadmin", role=Role.SYSTEM_ADMIN, region=city["city"]),
        "sec": UserFactory(username="secadmin", role=Role.SECURITY_ADMIN, region=city["city"]),
        "aud": UserFactory(username="auditadmin", role=Role.AUDIT_ADMIN, region=city["city"]),
    }


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


PAGES = {
    "accounts": "/administration/accounts/",
    "create": "/administration/accounts/new/",
    "policy": "/administration/security-policy/",
    "permissions": "/administration/permissions/",
    "audit": "/administration/audit/",
    "export": "/administration/audit/export/",
    "chain": "/administration/audit/chain/",
    "twofactor": "/twofactor/accounts/",
    "businesses": "/registry/businesses/",
    "hazards": "/hazards/",
}
# what each administrator may open (everything else: 403)
OPENS = {
    "sys": {"accounts", "create"},
    "sec": {"accounts", "policy", "permissions", "twofactor"},
    "aud": {"audit", "export", "chain"},
}


@pytest.mark.parametrize("who", ["sys", "sec", "aud"])
def test_each_administrator_opens_its_own_pages_only(admins, users, who):
    c = client_of(admins[who])
    for key, path in PAGES.items():
        status = c.get(path).status_code
        if key in OPENS[who]:
            assert status == 200, (who, key, status)
        else:
            assert status == 403, (who, key, status)


def test_regulators_open_none_of_the_administration_pages(users):
    for name in ("admin", "haishu", "public"):
        c = client_of(users[name])
        for key in ("accounts", "create", "policy", "permissions", "audit", "export", "chain", "twofactor"):
            assert c.get(PAGES[key]).status_code == 403, (name, key)


def test_admin_roles_hold_no_grant_on_domain_data(admins):
    from shian.core.scoping import _GRANTS

    own = {"accounts.account", "accounts.auditrecord", "accounts.authorisation", "twofactor.totpdevice"}
    own_account = {"core.apitoken", "accounts.passwordstate", "twofactor.recoverycode"}
    for role in ADMIN_ROLES:
        kinds = {label for label, actions in _GRANTS.get(role, {}).items() if actions}
        assert kinds <= own | own_account, (role, kinds - own - own_account)
    # and the powers do not overlap: each kind of administration belongs to one role
    for action in (policy.ADD, a.DEACTIVATE, a.RESET_PASSWORD, a.UNLOCK):
        assert [r for r in ADMIN_ROLES if action in _GRANTS.get(r, {}).get(a.ACCOUNT, set())] == [Role.SYSTEM_ADMIN]
    assert [r for r in ADMIN_ROLES if a.AUTHORISE in _GRANTS.get(r, {}).get(a.ACCOUNT, set())] == [Role.SECURITY_ADMIN]
    for action in (a.BROWSE, a.EXPORT, a.VERIFY):
        assert [r for r in Role.values if action in _GRANTS.get(r, {}).get(a.AUDIT_RECORD, set())] == [Role.AUDIT_ADMIN]
    assert not any("view" in _GRANTS.get(r, {}).get("core.auditentry", set()) for r in ADMIN_ROLES[:2])


def test_home_page_of_each_administrator_is_not_empty_and_shows_no_domain_figures(admins):
    from shian.core import kpis

    for who, text in (("sys", "Open accounts"), ("sec", "Security policy"), ("aud", "Open the audit log")):
        html = client_of(admins[who]).get("/").content.decode()
        assert 'id="home-admin"' in html and text in html, who
        tiles, charts = kpis.collect(admins[who])
        assert not tiles and not charts, (who, [t.key for t in tiles])


# --- create → authorise -------------------------------------------------------------------------------------
def test_created_account_cannot_sign_in_until_the_security_administrator_authorises_it(admins, city):
    c = client_of(admins["sys"])
    response = c.post(
        PAGES["create"],
        {
            "username": "newcomer",
            "last_name": "李",
            "first_name": "四",
            "requested_role": Role.INSPECTOR,
            "requested_region": city["haishu"].pk,
        },
    )
    assert response.status_code == 200
    password = re.search(r'id="one-time-password">([^<]+)<', response.content.decode()).group(1)
    user = User.objects.get(username="newcomer")
    assert not user.is_active and user.role == Role.PUBLIC and user.region is None
    assert Authorisation.objects.get(user=user).state == Authorisation.State.PENDING
    assert PasswordState.objects.get(user=user).must_change == ChangeReason.INITIAL
    assert not Client().login(username="newcomer", password=password)  # inactive: no sign-in
    # the system administrator cannot activate it past the security administrator
    c.post(reverse("accounts:admin_reactivate", args=[user.pk]))
    user.refresh_from_db()
    assert not user.is_active
    # the system administrator cannot give roles
    assert c.post(reverse("accounts:admin_authorise", args=[user.pk]), {"role": Role.INSPECTOR}).status_code == 403
    # the security administrator confirms, told that the creator saw the one-time password
    s = client_of(admins["sec"])
    assert 'id="first-password-note"' in s.get(reverse("accounts:admin_authorise", args=[user.pk])).content.decode()
    response = s.post(
        reverse("accounts:admin_authorise", args=[user.pk]), {"role": Role.INSPECTOR, "region": city["haishu"].pk}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.role == Role.INSPECTOR and user.region == city["haishu"]
    assert Authorisation.objects.get(user=user).decided_by == admins["sec"]
    # the person signs in with the one-time password and must change it first
    person = Client()
    login = person.post("/login/", {"username": "newcomer", "password": password})
    assert login.status_code == 302
    assert person.get("/")["Location"].startswith(reverse("accounts:password_change"))


def test_security_administrator_cannot_create_and_bad_input_names_the_field(admins, city):
    assert client_of(admins["sec"]).post(PAGES["create"], {"username": "x"}).status_code == 403
    c = client_of(admins["sys"])
    bad = c.post(PAGES["create"], {"username": "a b/c", "requested_role": Role.INSPECTOR})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "region" in html.lower()
    assert not User.objects.filter(username="a b/c").exists()
    taken = c.post(PAGES["create"], {"username": "sysadmin", "requested_role": Role.PUBLIC})
    assert taken.status_code == 400 and "already exists" in taken.content.decode()
    business_role = c.post(PAGES["create"], {"username": "shopper", "requested_role": Role.BUSINESS_STAFF})
    assert business_role.status_code == 400 and not User.objects.filter(username="shopper").exists()


def test_refused_request_stays_inactive(admins, city):
    user, _pw = a.account_create(
        actor=admins["sys"], username="nope", requested_role=Role.STREET_OFFICER, requested_region=city["haishu_street"]
    )
    a.account_refuse(actor=admins["sec"], user=user)
    user.refresh_from_db()
    assert not user.is_active and user.role == Role.PUBLIC
    with pytest.raises(ValidationError):
        a.account_reactivate(actor=admins["sys"], user=user)


# --- nobody grants themselves; one account, one power --------------------------------------------------------
def test_nobody_changes_their_own_role(admins, city):
    for who in ("sec", "sys", "aud"):
        with pytest.raises((PermissionDenied, ValidationError)):
            a.account_authorise(actor=admins[who], user=admins[who], role=Role.SYSTEM_ADMIN, region=city["city"])
    with pytest.raises(ValidationError):  # the core service refuses it whoever calls
        core_services.user_set_role(user=admins["sec"], role=Role.AUDIT_ADMIN, region=city["city"], actor=admins["sec"])
    admins["sec"].refresh_from_db()
    assert admins["sec"].role == Role.SECURITY_ADMIN
    response = client_of(admins["sec"]).post(
        reverse("accounts:admin_authorise", args=[admins["sec"].pk]),
        {"role": Role.AUDIT_ADMIN, "region": city["city"].pk},
    )
    assert response.status_code == 403


def test_an_account_holds_one_administrator_power_at_most(admins, city):
    target = admins["aud"]
    a.account_authorise(actor=admins["sec"], user=target, role=Role.SYSTEM_ADMIN, region=city["city"])
    target.refresh_from_db()
    assert target.role == Role.SYSTEM_ADMIN  # the audit power is gone with the new role: one role per account
    assert not policy.may(target, a.BROWSE, a.AUDIT_RECORD)
    superuser = UserFactory(username="root", role=Role.PUBLIC, is_superuser=True)
    with pytest.raises(ValidationError):
        a.account_authorise(actor=admins["sec"], user=superuser, role=Role.AUDIT_ADMIN, region=city["city"])


def test_system_administrator_cannot_act_on_its_own_account(admins):
    me = admins["sys"]
    c = client_of(me)
    for name in ("admin_deactivate", "admin_reset_password", "admin_unlock"):
        assert c.post(reverse(f"accounts:{name}", args=[me.pk])).status_code == 403, name
    me.refresh_from_db()
    assert me.is_active


# --- lifecycle ------------------------------------------------------------------------------------------------
def test_deactivate_reactivate_reset_unlock(admins, users):
    person = users["haishu"]
    token, key = core_services.api_token_create(user=person, name="t")
    c = client_of(admins["sys"])
    # reset: a one-time password shown once, forced change, tokens revoked
    response = c.post(reverse("accounts:admin_reset_password", args=[person.pk]))
    assert response.status_code == 200
    password = re.search(r'id="one-time-password">([^<]+)<', response.content.decode()).group(1)
    assert not ApiToken.objects.filter(user=person).exists()
    assert PasswordState.objects.get(user=person).must_change == ChangeReason.RESET
    person.refresh_from_db()
    assert person.check_password(password) and not person.check_password(PASSWORD)
    # deactivate and reactivate
    assert c.post(reverse("accounts:admin_deactivate", args=[person.pk])).status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert c.post(reverse("accounts:admin_reactivate", args=[person.pk])).status_code == 302
    person.refresh_from_db()
    assert person.is_active
    # unlock
    from shian.accounts.models import LoginThrottle

    LoginThrottle.objects.create(
        key=f"user:{person.username}", attempts=5, locked_until=timezone.now() + dt.timedelta(minutes=5)
    )
    User.objects.filter(pk=person.pk).update(failed_logins=5, locked_until=timezone.now() + dt.timedelta(minutes=5))
    listed = c.get(PAGES["accounts"] + "?state=locked").content.decode()
    assert person.username in listed
    assert c.post(reverse("accounts:admin_unlock", args=[person.pk])).status_code == 302
    person.refresh_from_db()
    assert person.locked_until is None and LoginThrottle.objects.get(key=f"user:{person.username}").attempts == 0
    notes = list(
        AuditEntry.objects.filter(object_type="core.user", object_id=str(person.pk)).values_list("note", flat=True)
    )
    assert "password reset by an administrator" in notes and "sign-in lockout lifted by an administrator" in notes


def test_account_list_filters_and_junk(admins, users, city):
    c = client_of(admins["sys"])
    html = c.get(PAGES["accounts"] + f"?role={Role.INSPECTOR}").content.decode()
    assert ">inspector<" in html and ">haishu<" not in html
    html = c.get(PAGES["accounts"] + f"?region={city['jiangbei'].pk}").content.decode()
    assert ">jiangbei<" in html and ">haishu<" not in html
    html = c.get(PAGES["accounts"] + "?q=hais").content.decode()
    assert ">haishu<" in html and ">jiangbei<" not in html
    assert c.get(PAGES["accounts"] + "?role=nope&region=x&state=zz&page=x").status_code == 200


# --- the audit administrator ----------------------------------------------------------------------------------
def test_audit_browser_masks_filters_and_exports(admins, users):
    from openpyxl import load_workbook

    core_services.logout_audit(user=users["haishu"], note="called 13812345678 about it")
    c = client_of(admins["aud"])
    html = c.get(PAGES["audit"] + "?actor=haishu&action=logout").content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert c.get(PAGES["audit"] + "?start=0001-01-01&end=x&action=bogus&page=99999").status_code == 200
    before = AuditEntry.objects.filter(action=AuditAction.EXPORT).count()
    response = c.get(PAGES["export"] + "?actor=haishu")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert any("138****5678" in v for v in cells) and not any("13812345678" in v for v in cells)
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == before + 1  # the export is audited


def test_chain_verification_runs_as_a_job(admins):
    c = client_of(admins["aud"])
    assert c.post(PAGES["chain"]).status_code == 302
    html = c.get(PAGES["chain"]).content.decode()
    assert "intact" in html


# --- break-glass ------------------------------------------------------------------------------------------------
def test_break_glass_grants_a_time_limited_audited_superuser(users):
    person = users["haishu"]
    out = io.StringIO()
    call_command("break_glass", user="haishu", reason="database repair after incident 42", hours=2, stdout=out)
    person.refresh_from_db()
    assert person.is_superuser
    entry = AuditEntry.objects.filter(action=AuditAction.BREAK_GLASS, object_id=str(person.pk)).latest("id")
    assert "incident 42" in entry.note and entry.source == "cli"
    with pytest.raises(CommandError):
        call_command("break_glass", user="haishu", reason="short", stdout=io.StringIO())  # too short a reason
    # it ends by itself: the next request after its time
    assert core_services.break_glass_expire_if_due(person, now=timezone.now() + dt.timedelta(hours=3))
    person.refresh_from_db()
    assert not person.is_superuser
    # and by the command
    call_command("break_glass", user="haishu", reason="second repair, incident 43", stdout=io.StringIO())
    call_command("break_glass", end="haishu", stdout=io.StringIO())
    person.refresh_from_db()
    assert not person.is_superuser
    with pytest.raises(CommandError):
        call_command("break_glass", end="haishu", stdout=io.StringIO())


def test_expired_break_glass_ends_the_session(users):
    import time

    person = users["haishu"]
    c = client_of(person)
    core_services.break_glass_start(user=person, reason="expired emergency access test", hours=3 / 3600)
    assert c.get("/administration/audit/").status_code == 200  # a superuser, for three seconds
    time.sleep(3.1)
    response = c.get("/administration/audit/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    person.refresh_from_db()
    assert not person.is_superuser
    ended = AuditEntry.objects.filter(action=AuditAction.BREAK_GLASS).latest("id")
    assert ended.note == "ended: time limit reached" and ended.changes == {"is_superuser": [True, False]}


def test_list_pages_do_not_query_per_row(admins, users, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(who, path):
        c = client_of(admins[who])
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(path).status_code == 200
        return len(ctx.captured_queries)

    a.account_create(actor=admins["sys"], username="first", requested_role=Role.PUBLIC, requested_region=None)
    before = (count("sys", PAGES["accounts"]), count("aud", PAGES["audit"]))  # neither list empty
    for i in range(5):
        a.account_create(
            actor=admins["sys"], username=f"more{i}", requested_role=Role.INSPECTOR, requested_region=city["haishu"]
        )
    after = (count("sys", PAGES["accounts"]), count("aud", PAGES["audit"]))
    assert after == before
