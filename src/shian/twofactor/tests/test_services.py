"""Enrolment, codes once only, recovery codes once only, the lockout, the secret at rest, resets; and
the audit rows each writes."""

import datetime as dt
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shian.core.choices import AuditAction
from shian.core.models import AuditEntry
from shian.core.tests.factories import PASSWORD
from shian.twofactor import services, totp
from shian.twofactor.crypto import SecretUnreadable, unseal
from shian.twofactor.models import RecoveryCode, TotpDevice

from .helpers import enrol

NOW = 1_800_000_000.0


def _entries(obj_type, note=None, action=None):
    qs = AuditEntry.objects.filter(object_type=obj_type)
    if note:
        qs = qs.filter(note=note)
    if action:
        qs = qs.filter(action=action)
    return qs


def test_enrolment_needs_the_password_and_a_right_code(users):
    user = users["haishu"]
    _device, secret = services.device_start(user=user)
    assert not services.has_device(user)  # pending until the first code
    with pytest.raises(services.TwoFactorError) as wrong_password:
        services.device_confirm(user=user, password="nope", code=totp.totp(secret, NOW), at=NOW)
    assert wrong_password.value.field == "password"
    with pytest.raises(services.TwoFactorError) as wrong_code:
        services.device_confirm(user=user, password=PASSWORD, code=totp.totp(secret, NOW + 300), at=NOW)
    assert wrong_code.value.field == "code"
    assert not services.has_device(user)
    codes = services.device_confirm(user=user, password=PASSWORD, code=totp.totp(secret, NOW), at=NOW)
    assert services.has_device(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c) == 14 and c.count("-") == 2 for c in codes)
    entry = _entries("twofactor.totpdevice", note=services.NOTE_ENROLLED).get()
    assert entry.action == AuditAction.CREATE and entry.actor == user
    failures = _entries("core.user", action=AuditAction.LOGIN_FAILED).values_list("note", flat=True)
    assert sorted(failures) == sorted([services.NOTE_WRONG_PASSWORD, services.NOTE_WRONG_CODE])


def test_reloading_the_enrolment_page_keeps_the_secret_and_enrolled_is_refused(users):
    user = users["haishu"]
    _d, first = services.device_start(user=user)
    _d, again = services.device_start(user=user)
    assert first == again
    services.device_confirm(user=user, password=PASSWORD, code=totp.totp(first, NOW), at=NOW)
    with pytest.raises(services.TwoFactorError):
        services.device_start(user=user)


def test_the_secret_is_stored_encrypted_and_bound_to_its_account(users):
    secret, _codes = enrol(users["haishu"])
    stored = TotpDevice.objects.get(user=users["haishu"]).secret
    assert stored.count(":") >= 2  # <format>:<key id>:<ciphertext> (core.crypto)
    assert totp.b32(secret) not in stored and secret.hex() not in stored
    assert unseal(stored, user_id=users["haishu"].pk) == totp.b32(secret)
    with pytest.raises(SecretUnreadable):  # copied onto another account's row, it does not decrypt
        unseal(stored, user_id=users["jiangbei"].pk)


def test_another_key_cannot_read_the_secret(users, settings):
    enrol(users["haishu"])
    settings.SECRET_KEY = "another development key entirely, so another derived field key " * 2
    result = services.check_code(user=users["haishu"], code="123456")
    assert not result.ok and result.error == services._unreadable_message()


def test_a_code_is_accepted_once(users):
    user = users["haishu"]
    secret, _ = enrol(user, at=NOW - 120)
    code = totp.totp(secret, NOW)
    assert services.check_code(user=user, code=code, at=NOW).ok
    replay = services.check_code(user=user, code=code, at=NOW)
    assert not replay.ok and replay.error
    assert _entries("core.user", note=services.NOTE_REPLAYED).count() == 1
    # the next step's code (within the window) is new
    assert services.check_code(user=user, code=totp.totp(secret, NOW + 30), at=NOW).ok
    # and now the current one is older than the last used: refused too
    assert not services.check_code(user=user, code=totp.totp(secret, NOW), at=NOW + 1).ok


def test_the_window_is_one_step_and_spaces_and_full_width_digits_are_fine(users):
    user = users["haishu"]
    secret, _ = enrol(user, at=NOW - 600)
    assert not services.check_code(user=user, code=totp.totp(secret, NOW - 60), at=NOW).ok
    spaced = totp.totp(secret, NOW - 30)
    assert services.check_code(user=user, code=f" {spaced[:3]} {spaced[3:]} ", at=NOW).ok
    full_width = totp.totp(secret, NOW).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert services.check_code(user=user, code=full_width, at=NOW).ok


def test_recovery_codes_are_hashed_and_work_once(users):
    user = users["haishu"]
    _secret, codes = enrol(user)
    stored = list(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert len(stored) == 10
    assert not any(c.replace("-", "") in d for c in codes for d in stored)
    first = services.check_code(user=user, code=codes[0].upper())
    assert first.ok and first.method == "recovery" and first.recovery_left == 9
    again = services.check_code(user=user, code=codes[0])
    assert not again.ok
    used = _entries("twofactor.totpdevice", note=services.NOTE_RECOVERY_USED).get()
    assert used.changes == {"recovery_codes_left": [10, 9]}
    assert services.verify_second_factor(user, codes[1].replace("-", " "))
    assert services.recovery_codes_left(user) == 8


def test_regenerating_replaces_every_code(users):
    user = users["haishu"]
    _secret, old = enrol(user)
    new = services.recovery_codes_regenerate(user=user)
    assert not set(old) & set(new)
    assert not services.check_code(user=user, code=old[5]).ok
    assert services.check_code(user=user, code=new[5]).ok
    assert _entries("twofactor.totpdevice", note=services.NOTE_REGENERATED).count() == 1


def test_five_wrong_codes_lock_for_five_minutes(users, settings):
    user = users["haishu"]
    secret, _ = enrol(user)
    for _i in range(settings.MFA_MAX_FAILURES):
        assert not services.check_code(user=user, code="000000" if _i % 2 else "wrong-recovery").ok
    assert services.lock_remaining(user) > 0
    locked = services.check_code(user=user, code=totp.totp(secret, time.time()))
    assert not locked.ok  # the right code, refused while locked
    assert locked.error == services._locked_message(services.lock_remaining(user))
    assert _entries("core.user", note=services.NOTE_LOCKED).count() == 1
    assert not services.verify_second_factor(user, totp.totp(secret, time.time()))  # the API's check too
    later = timezone.now() + dt.timedelta(seconds=settings.MFA_LOCKOUT_SECONDS + 1)
    assert services.lock_remaining(user, now=later) == 0
    # another account is not locked by it
    assert services.lock_remaining(users["jiangbei"]) == 0


def test_wrong_passwords_at_re_authentication_count_toward_the_lockout(users, settings, rf):
    user = users["haishu"]
    request = rf.post("/")
    request.user = user
    request.session = {}
    for _i in range(settings.MFA_MAX_FAILURES):
        with pytest.raises(services.TwoFactorError):
            services.reauthenticate(request=request, password="wrong")
    with pytest.raises(services.TwoFactorError):  # the right password, refused while locked
        services.reauthenticate(request=request, password=PASSWORD)
    assert AuditEntry.objects.filter(note=services.NOTE_LOCKED).count() == 1
    assert not services.recently_authenticated(request)


def test_verify_second_factor_without_a_device_is_false(users):
    assert not services.has_device(users["public"])
    assert not services.verify_second_factor(users["public"], "123456")


def test_disable_removes_device_and_codes_and_is_audited(users):
    user = users["haishu"]
    enrol(user)
    services.device_disable(user=user)
    assert not TotpDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    entry = _entries("twofactor.totpdevice", note=services.NOTE_DISABLED).get()
    assert entry.action == AuditAction.DELETE and entry.actor == user


def test_only_the_security_administrator_resets(users, city):
    from shian.core.choices import Role
    from shian.core.tests.factories import UserFactory

    secadmin = UserFactory(username="secadmin", role=Role.SECURITY_ADMIN, region=city["city"])
    enrol(users["haishu"])
    for other in ("jiangbei", "admin"):
        with pytest.raises(PermissionDenied):
            services.device_reset(user=users["haishu"], actor=users[other])
    assert services.has_device(users["haishu"])
    services.device_reset(user=users["haishu"], actor=secadmin)
    assert not services.has_device(users["haishu"])
    entry = _entries("twofactor.totpdevice", note=services.NOTE_RESET).get()
    assert entry.actor == secadmin


def test_required_roles(users, settings):
    settings.MFA_ENFORCE = True
    assert {n for n, u in users.items() if services.required_for(u)} == {
        "admin",
        "haishu",
        "jiangbei",
        "street",
        "inspector",
    }
    settings.MFA_ENFORCE = False
    assert not any(services.required_for(u) for u in users.values())


def test_the_command_line_resets_any_account(users):
    from django.core.management import CommandError, call_command

    enrol(users["public"])
    call_command("twofactor_reset", "public")
    assert not services.has_device(users["public"])
    entry = AuditEntry.objects.get(note=services.NOTE_RESET)
    assert entry.actor is None and entry.source == "cli"
    with pytest.raises(CommandError, match="^public: "):  # nothing to reset: said, naming the account
        call_command("twofactor_reset", "public")
    with pytest.raises(CommandError, match="no account"):
        call_command("twofactor_reset", "nobody")
