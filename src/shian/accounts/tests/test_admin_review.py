"""Review of the 三员 administrators (issue 10): an attacker with a foreign account, the separation of the
three powers, and junk input. Each test here was written against a defect or a claim worth pinning."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from shian.accounts import admin_services as a
from shian.core import services as core_services
from shian.core.audit import audit
from shian.core.choices import AuditAction, Role
from shian.core.models import AuditEntry, User
from shian.core.services import api_token_create
from shian.core.tests.factories import UserFactory

BASE = "/api/admin-test"
pytestmark = pytest.mark.urls("shian.accounts.tests.api_urls")


@pytest.fixture
def admins(city):
    return {
        "sys": UserFactory(username="sysadmin", role=Role.SYSTEM_ADMIN, region=city["city"]),
        "sec": UserFactory(username="secadmin", role=Role.SECURITY_ADMIN, region=city["city"]),
        "aud": UserFactory(username="auditadmin", role=Role.AUDIT_ADMIN, region=city["city"]),
    }


def client_of(user, **kw) -> Client:
    c = Client(**kw)
    c.force_login(user)
    return c


def bearer(user) -> Client:
    _token, key = api_token_create(user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


# --- an attacker with a foreign account -------------------------------------------------------------------
def test_foreign_accounts_reach_no_account_page_or_api(admins, users):
    target = users["inspector"]
    for who in (users["haishu"], users["admin"], admins["aud"]):
        c = client_of(who)
        for suffix in ("", "authorise/"):
            assert c.get(f"/administration/accounts/{target.pk}/{suffix}").status_code in (403, 404)
        for suffix in ("deactivate/", "reactivate/", "unlock/", "reset-password/", "authorise/"):
            r = c.post(f"/administration/accounts/{target.pk}/{suffix}", {"role": Role.CITY_ADMIN})
            assert r.status_code in (403, 404), (who, suffix, r.status_code)
        api = bearer(who)
        assert api.get(f"{BASE}/admin/accounts/{target.pk}").status_code in (403, 404)
        for op in ("deactivate", "reset-password", "unlock"):
            assert api.post(f"{BASE}/admin/accounts/{target.pk}/{op}").status_code in (403, 404)
        r = api.post(
            f"{BASE}/admin/accounts/{target.pk}/authorise", {"role": "city_admin"}, content_type="application/json"
        )
        assert r.status_code in (403, 404)
    target.refresh_from_db()
    assert target.is_active and target.role == Role.INSPECTOR


def test_posts_need_csrf_and_gets_change_nothing(admins, users):
    target = users["inspector"]
    c = client_of(admins["sys"], enforce_csrf_checks=True)
    assert c.post(f"/administration/accounts/{target.pk}/deactivate/").status_code == 403
    for suffix in ("deactivate/", "reactivate/", "unlock/", "reset-password/"):
        assert c.get(f"/administration/accounts/{target.pk}/{suffix}").status_code == 405
    target.refresh_from_db()
    assert target.is_active


def test_mass_assignment_through_create_and_authorise_is_ignored(admins, city):
    body = {
        "username": "sneaky",
        "requested_role": Role.INSPECTOR,
        "requested_region_id": city["haishu"].pk,
        "is_superuser": True,
        "is_staff": True,
        "role": Role.CITY_ADMIN,
        "is_active": True,
    }
    r = bearer(admins["sys"]).post(f"{BASE}/admin/accounts", body, content_type="application/json")
    assert r.status_code == 201
    made = User.objects.get(username="sneaky")
    assert (made.is_superuser, made.is_staff, made.role, made.is_active) == (False, False, Role.PUBLIC, False)
    r = client_of(admins["sys"]).post(
        "/administration/accounts/new/",
        {
            "username": "sneaky2",
            "requested_role": Role.INSPECTOR,
            "requested_region": city["haishu"].pk,
            "is_superuser": "on",
            "role": Role.CITY_ADMIN,
        },
    )
    made = User.objects.get(username="sneaky2")
    assert (made.is_superuser, made.role, made.is_active) == (False, Role.PUBLIC, False)
    r = bearer(admins["sec"]).post(
        f"{BASE}/admin/accounts/{made.pk}/authorise",
        {"role": Role.INSPECTOR, "region_id": city["haishu"].pk, "is_superuser": True},
        content_type="application/json",
    )
    assert r.status_code == 200
    made.refresh_from_db()
    assert not made.is_superuser and made.role == Role.INSPECTOR


@pytest.mark.parametrize("action", ["reset_password", "deactivate"])
def test_system_administrator_cannot_take_over_or_silence_another_administrator(admins, action):
    """Separation of duties: with a password reset the system administrator could sign in as the security
    administrator (not yet enrolled in 2FA) and authorise accounts they created; deactivating the audit or
    security administrator removes the oversight. Both are refused (break-glass does it, documented)."""
    service = getattr(a, f"account_{action}")
    for other in ("sec", "aud"):
        with pytest.raises(PermissionDenied):
            service(actor=admins["sys"], user=admins[other])
        admins[other].refresh_from_db()
        assert admins[other].is_active
    c = client_of(admins["sys"])
    url = f"/administration/accounts/{admins['sec'].pk}/{action.replace('_', '-')}/"
    assert c.post(url).status_code == 403
    api = bearer(admins["sys"])
    assert api.post(f"{BASE}/admin/accounts/{admins['aud'].pk}/{action.replace('_', '-')}").status_code == 403


def test_system_administrator_cannot_reset_a_superusers_password(admins, city):
    root = UserFactory(username="root", role=Role.CITY_ADMIN, region=city["city"], is_superuser=True)
    with pytest.raises(PermissionDenied):
        a.account_reset_password(actor=admins["sys"], user=root)
    with pytest.raises(PermissionDenied):
        a.account_deactivate(actor=admins["sys"], user=root)


def test_an_ordinary_account_is_still_reset_and_unlocked(admins, users):
    password = a.account_reset_password(actor=admins["sys"], user=users["inspector"])
    assert len(password) == a.INITIAL_PASSWORD_LENGTH
    a.account_unlock(actor=admins["sys"], user=admins["sec"])  # unlocking an administrator stays allowed


def test_break_glass_refuses_an_administrator_account(admins):
    """One account, one power: a 三员 account made a superuser would hold all three."""
    with pytest.raises(ValidationError):
        core_services.break_glass_start(user=admins["sys"], reason="incident 42: repair the data")
    with pytest.raises(CommandError):
        call_command("break_glass", user="secadmin", reason="incident 42: repair the data", stdout=io.StringIO())
    admins["sys"].refresh_from_db()
    assert not admins["sys"].is_superuser


# --- junk input: never a 500 ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "page=99999999999999999999999",
        "page=-1",
        "page=abc",
        "start=0001-01-01&end=9999-12-31",
        "start=2026-13-45",
        "action=nope&object_type=" + "x" * 5000,
        "actor=%00",  # refused site-wide with a 400 (core's control-character guard)
    ],
)
def test_audit_page_and_export_survive_junk(admins, query):
    c = client_of(admins["aud"])
    assert c.get(f"/administration/audit/?{query}").status_code in (200, 400)
    assert c.get(f"/administration/audit/export/?{query}").status_code in (200, 400)
    if "%00" not in query:
        assert c.get(f"/administration/audit/?{query}").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "limit=99999999999999999999999",
        "offset=99999999999999999999999",
        "offset=9223372036854775808",
        "limit=-1",
        "start=0001-01-01",
        "end=9999-12-31",
        "start=2026-02-30",
    ],
)
def test_audit_api_survives_junk(admins, query):
    r = bearer(admins["aud"]).get(f"{BASE}/admin/audit?{query}")
    assert r.status_code in (200, 400, 422), (query, r.status_code)


@pytest.mark.parametrize(
    "query",
    ["limit=99999999999999999999999", "offset=9223372036854775808", "region=99999999999999999999999", "state=x"],
)
def test_account_api_and_page_survive_junk(admins, query):
    assert bearer(admins["sys"]).get(f"{BASE}/admin/accounts?{query}").status_code in (200, 400, 422)
    assert client_of(admins["sys"]).get(f"/administration/accounts/?{query}").status_code == 200


def test_huge_ids_are_404_not_500(admins):
    c = client_of(admins["sys"])
    assert c.get("/administration/accounts/99999999999999999999999/").status_code == 404
    assert bearer(admins["sys"]).get(f"{BASE}/admin/accounts/99999999999999999999999").status_code in (404, 422)


# --- masking and auditing ---------------------------------------------------------------------------------
def test_audit_page_api_and_export_mask_phones_ids_and_neutralise_formulas(admins, users):
    audit(
        actor=users["haishu"],
        action=AuditAction.UPDATE,
        obj=users["inspector"],
        changes={"phone": ["13812345678", "13987654321"], "id_number": [None, "330203199001011234"]},
        note='=HYPERLINK("http://evil","x") called 13812345678',
    )
    c = client_of(admins["aud"])
    page = c.get("/administration/audit/").content.decode()
    for raw in ("13812345678", "13987654321", "330203199001011234"):
        assert raw not in page
    api = bearer(admins["aud"]).get(f"{BASE}/admin/audit").content.decode()
    for raw in ("13812345678", "13987654321", "330203199001011234"):
        assert raw not in api
    xlsx = c.get("/administration/audit/export/")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    text = " ".join(cells)
    for raw in ("13812345678", "13987654321", "330203199001011234"):
        assert raw not in text
    notes = [v for v in cells if "HYPERLINK" in v]
    assert notes and all(not v.startswith("=") for v in notes)


def test_every_administrator_operation_is_audited(admins, users, city):
    def last_about(user):
        return AuditEntry.objects.filter(object_type="core.user", object_id=str(user.pk)).order_by("-id").first()

    before = AuditEntry.objects.count()
    sys_c, sec_c = client_of(admins["sys"]), client_of(admins["sec"])
    sys_c.post(
        "/administration/accounts/new/",
        {"username": "newbie", "requested_role": Role.INSPECTOR, "requested_region": city["haishu"].pk},
    )
    newbie = User.objects.get(username="newbie")
    assert last_about(newbie).actor_id == admins["sys"].pk
    sec_c.post(
        f"/administration/accounts/{newbie.pk}/authorise/", {"role": Role.INSPECTOR, "region": city["haishu"].pk}
    )
    assert "authorised" in last_about(newbie).note
    for suffix in ("deactivate/", "reactivate/", "unlock/", "reset-password/"):
        n = AuditEntry.objects.count()
        sys_c.post(f"/administration/accounts/{newbie.pk}/{suffix}")
        assert (
            AuditEntry.objects.filter(object_id=str(newbie.pk), id__gt=0).count() and AuditEntry.objects.count() > n
        ), suffix
    n = AuditEntry.objects.count()
    client_of(admins["aud"]).get("/administration/audit/export/?action=update")
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, id__gt=0).exists()
    assert AuditEntry.objects.count() > n > before


def test_break_glass_ends_on_time_on_the_api_path_too(users):
    import datetime as dt

    from django.utils import timezone
    from freezegun import freeze_time

    person = users["haishu"]
    api = bearer(person)
    core_services.break_glass_start(user=person, reason="incident 44: repair through the API", hours=1)
    assert api.get(f"{BASE}/admin/audit").status_code == 200  # a superuser for an hour
    with freeze_time(timezone.now() + dt.timedelta(hours=1, minutes=1)):
        assert api.get(f"{BASE}/admin/audit").status_code == 403  # the token stands for a regulator again
    person.refresh_from_db()
    assert not person.is_superuser
    assert AuditEntry.objects.filter(action=AuditAction.BREAK_GLASS).latest("id").note == "ended: time limit reached"


def test_the_three_powers_do_not_overlap_and_nobody_else_holds_them():
    """From the grants registry itself: besides reading the account list (manage/view) and what every
    role holds on its own account, no (kind, action) is held by two administrators, and none by any
    other role (the city administrator keeps no account or audit-log power)."""
    from shian.core.choices import ADMIN_ROLES
    from shian.core.scoping import grants
    from shian.twofactor.services import RESET

    table = grants()
    everyone = set.intersection(*({(k, x) for k, xs in table.get(r, {}).items() for x in xs} for r in Role.values))
    reading = {(a.ACCOUNT, a.MANAGE), ("accounts.authorisation", "view")}
    held = {r: {(k, x) for k, xs in table.get(r, {}).items() for x in xs} - everyone - reading for r in ADMIN_ROLES}
    for i, r1 in enumerate(ADMIN_ROLES):
        for r2 in ADMIN_ROLES[i + 1 :]:
            assert not held[r1] & held[r2], (r1, r2, held[r1] & held[r2])
    powers = {(a.ACCOUNT, x) for x in (*a.OWN_ACCOUNT_ACTIONS, a.MANAGE, a.POLICY, "add")}
    powers |= {(a.AUDIT_RECORD, x) for x in (a.BROWSE, a.EXPORT, a.VERIFY)} | {("twofactor.totpdevice", RESET)}
    for role in Role.values:
        if role not in ADMIN_ROLES:
            mine = {(k, x) for k, xs in table.get(role, {}).items() for x in xs}
            assert not mine & powers, (role, mine & powers)


def test_the_one_time_password_page_is_never_cached_and_explains_a_refusal(admins, users, city):
    c = client_of(admins["sys"])
    r = c.post(f"/administration/accounts/{users['inspector'].pk}/reset-password/")
    assert r.status_code == 200
    assert "no-store" in r.get("Cache-Control", ""), r.get("Cache-Control")
    r = c.post(
        "/administration/accounts/new/",
        {"username": "fresh", "requested_role": Role.INSPECTOR, "requested_region": city["haishu"].pk},
    )
    assert r.status_code == 200 and "no-store" in r.get("Cache-Control", "")
    # on another administrator's page the system administrator is told why there is no reset button
    page = c.get(f"/administration/accounts/{admins['sec'].pk}/").content.decode()
    assert 'id="reset-password"' not in page and 'id="administrator-note"' in page


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]
)
def test_sign_in_of_an_administrator_does_not_redirect_off_site(admins, target):
    from shian.core.tests.factories import PASSWORD

    r = Client().post("/login/?next=" + target, {"username": "sysadmin", "password": PASSWORD, "next": target})
    assert r.status_code == 302, r.status_code
    assert "evil.example" not in r["Location"] and not r["Location"].startswith("javascript:")


def test_one_time_passwords_hold_no_look_alike_characters():
    """It is read out or copied by hand to the person: no 0/O, 1/l/I to mistake."""
    for _i in range(300):
        password = a.initial_password()
        assert len(password) == a.INITIAL_PASSWORD_LENGTH
        assert not set(password) & set("0O1lI|"), password
        assert any(c.islower() for c in password) and any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password) and any(not c.isalnum() for c in password)


def test_starting_the_chain_verification_is_audited(admins):
    c = client_of(admins["aud"])
    n = AuditEntry.objects.filter(actor=admins["aud"], note__icontains="verification").count()
    assert c.post("/administration/audit/chain/").status_code == 302
    entry = AuditEntry.objects.filter(actor=admins["aud"], note__icontains="verification").order_by("-id").first()
    assert (
        entry is not None
        and AuditEntry.objects.filter(actor=admins["aud"], note__icontains="verification").count() == n + 1
    )
    assert entry.object_type == "core.job"


@pytest.mark.parametrize(
    "username",
    ["s\u0443sadmin", "\u202enimdasys", "sys\u200badmin", "   ", "SYSADMIN", "a" * 151, "x<script>"],
)
def test_create_refuses_look_alike_invisible_and_bad_usernames(admins, city, username):
    """A new account named like an existing one (a Cyrillic у, a zero-width space, an RTL override, another
    case) could pass for it in the log and on the screen: refused with a message naming the field."""
    body = {"username": username, "requested_role": Role.INSPECTOR, "requested_region_id": city["haishu"].pk}
    n = User.objects.count()
    r = bearer(admins["sys"]).post(f"{BASE}/admin/accounts", body, content_type="application/json")
    assert r.status_code in (400, 422), (username, r.status_code, r.content[:300])
    assert "username" in r.content.decode()
    page = client_of(admins["sys"]).post(
        "/administration/accounts/new/",
        {"username": username, "requested_role": Role.INSPECTOR, "requested_region": city["haishu"].pk},
    )
    assert page.status_code == 400
    assert User.objects.count() == n


def test_create_refuses_a_mixed_script_family_name_and_keeps_chinese_names(admins, city):
    with pytest.raises(ValidationError) as exc:
        a.account_create(
            actor=admins["sys"],
            username="wang",
            last_name="Wаng",
            requested_role=Role.INSPECTOR,
            requested_region=city["haishu"],
        )
    assert "last_name" in exc.value.message_dict
    user, _password = a.account_create(
        actor=admins["sys"],
        username="王伟",
        last_name="王",
        first_name="伟 Wei",
        requested_role=Role.INSPECTOR,
        requested_region=city["haishu"],
    )
    assert user.username == "王伟"
