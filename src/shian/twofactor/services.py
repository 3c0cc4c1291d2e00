"""Second-factor writes and checks: enrolment, codes (TOTP and recovery), lockout, re-authentication,
an administrator's reset. Every enrolment, disable, reset, recovery-code use and failed code is written
to the audit log (``core.audit``); failed codes and wrong re-authentication passwords count toward a
lockout (``MFA_MAX_FAILURES`` within ``MFA_LOCKOUT_SECONDS``), read back from those same audit rows.

For other apps (the API token endpoint, password and phone changes): :func:`has_device`,
:func:`verify_second_factor`, :func:`needs_enrolment`, and ``decorators.require_recent_auth``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import secrets
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import policy
from shian.core.audit import audit
from shian.core.choices import ADMIN_ROLES, REGULATOR_ROLES, AuditAction
from shian.core.models import AuditEntry, User

from . import totp
from .crypto import SecretUnreadable, code_digest, seal, unseal
from .models import RecoveryCode, TotpDevice

log = logging.getLogger(__name__)

RESET = "reset"  # the security administrator's action on an account's authenticator
# regulators and the three administrators (三员) must enrol when MFA_ENFORCE is on; everyone else may
REQUIRED_ROLES = frozenset(str(r) for r in (*REGULATOR_ROLES, *ADMIN_ROLES))
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_LENGTH = 12  # about 59 bits

# what the audit log's note says (stored in English, like every note the system writes)
NOTE_ENROLLED = "second factor enrolled"
NOTE_DISABLED = "second factor disabled by its owner"
NOTE_RESET = "second factor reset by an administrator"
NOTE_REGENERATED = "recovery codes regenerated"
NOTE_RECOVERY_USED = "recovery code used"
NOTE_WRONG_CODE = "second factor: wrong code"
NOTE_REPLAYED = "second factor: code already used"
NOTE_WRONG_PASSWORD = "second factor: re-authentication with a wrong password"  # noqa: S105 (a note)
NOTE_LOCKED = "second factor: refused while locked"
FAILURE_NOTES = (NOTE_WRONG_CODE, NOTE_REPLAYED, NOTE_WRONG_PASSWORD)  # these count toward the lockout

# session keys
SESSION_PASSED = "twofactor.passed"  # id of the user whose second step this session has passed (or needs none)
SESSION_AUTH = "twofactor.auth"  # {"user": id, "at": unix time} of the last (re-)authentication


class TwoFactorError(Exception):
    """A refusal with a message for the person (wrong code, locked, nothing enrolled …)."""

    def __init__(self, message: str, *, field: str = "code"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    error: str = ""
    method: str = ""  # "totp" or "recovery"
    recovery_left: int | None = None


# --- reading the state -------------------------------------------------------------------------------
def required_for(user: User) -> bool:
    """Must this account have a second factor? Regulators and the administrators, when MFA_ENFORCE is on."""
    return bool(settings.MFA_ENFORCE) and user.role in REQUIRED_ROLES


def has_device(user: User) -> bool:
    """Has this account a confirmed authenticator (and so must give a code after its password)?"""
    return TotpDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def needs_enrolment(user: User) -> bool:
    return required_for(user) and not has_device(user)


def normalise(code: str) -> str:
    """What a person typed, without spaces and hyphens, lower case ("123 456", "ab3d-…"); full-width
    characters from a Chinese input method count as the ASCII ones ("１２３４５６")."""
    text = unicodedata.normalize("NFKC", str(code))
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").lower()


def lock_remaining(user: User, *, now: dt.datetime | None = None) -> int:
    """Seconds until this account may try a code again (0: not locked): locked while it has
    MFA_MAX_FAILURES failures within the last MFA_LOCKOUT_SECONDS (counted from the audit log)."""
    now = now or timezone.now()
    window = dt.timedelta(seconds=settings.MFA_LOCKOUT_SECONDS)
    limit = settings.MFA_MAX_FAILURES
    recent = list(
        AuditEntry.objects.filter(
            object_type="core.user",
            object_id=str(user.pk),
            action=AuditAction.LOGIN_FAILED,
            note__in=FAILURE_NOTES,
            at__gt=now - window,
            at__lte=now,
        )
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return 0
    return max(1, math.ceil((recent[-1] + window - now).total_seconds()))


def _locked_message(seconds: int) -> str:
    return _("Too many wrong codes: try again in %(s)d seconds.") % {"s": seconds}


def _failure(user: User, note: str) -> None:
    audit(actor=user, action=AuditAction.LOGIN_FAILED, obj=user, note=note)


def _secret(device: TotpDevice) -> bytes:
    return totp.from_b32(unseal(device.secret, user_id=device.user_id))


def _unreadable_message() -> str:
    return _(
        "Your authenticator can no longer be checked (the server's key changed): ask the administrator to reset it."
    )


# --- codes ---------------------------------------------------------------------------------------------
def check_code(*, user: User, code: str, at: float | None = None) -> CodeCheck:
    """Check a code from the authenticator (6 digits, once) or a recovery code (once). A wrong code is
    audited and counts toward the lockout; a recovery code used is audited with how many are left."""
    code = normalise(code)
    if not code:
        return CodeCheck(False, _("Enter the code."))
    if len(code) > 64:
        code = code[:64]
    unix = time.time() if at is None else at
    now = timezone.now()
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update()
            .select_related("user")
            .filter(user_id=user.pk, confirmed_at__isnull=False)
            .first()
        )
        if device is None:
            return CodeCheck(False, _("No authenticator is enrolled for this account."))
        wait = lock_remaining(user)
        if wait:
            _failure(user, NOTE_LOCKED)
            return CodeCheck(False, _locked_message(wait))
        note, error = NOTE_WRONG_CODE, _("Wrong code.")
        if code.isascii() and code.isdigit() and len(code) == totp.DIGITS:
            try:
                key = _secret(device)
            except SecretUnreadable:
                log.error("the TOTP secret of user %s does not decrypt (SHIAN_FIELD_KEYS changed?)", user.pk)
                return CodeCheck(False, _unreadable_message())
            step = totp.matching_step(key, code, unix, after=device.last_used_step)
            if step is not None:
                device.last_used_step = step
                device.last_used_at = now
                device.save(update_fields=["last_used_step", "last_used_at"])
                return CodeCheck(True, method="totp")
            if totp.matching_step(key, code, unix) is not None:  # right, but already used
                note, error = NOTE_REPLAYED, _("This code has already been used: wait for the next one.")
        else:
            used = RecoveryCode.objects.filter(
                user_id=user.pk, digest=code_digest(code, user_id=user.pk), used_at__isnull=True
            ).update(used_at=now)
            if used:
                left = RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()
                audit(
                    actor=user,
                    action=AuditAction.UPDATE,
                    obj=device,
                    changes={"recovery_codes_left": [left + 1, left]},
                    note=NOTE_RECOVERY_USED,
                )
                return CodeCheck(True, method="recovery", recovery_left=left)
        _failure(user, note)
    return CodeCheck(False, error)


def verify_second_factor(user: User, code: str) -> bool:
    """For the API token endpoint: is ``code`` (authenticator or recovery) right for ``user`` now?
    Audited, one-time and subject to the lockout, like the login page's second step."""
    return check_code(user=user, code=code or "").ok


# --- enrolment -----------------------------------------------------------------------------------------
def device_start(*, user: User) -> tuple[TotpDevice, bytes]:
    """The pending authenticator of ``user`` and its secret, made now if there is none (the page shows
    the secret until the first code confirms it). Refused when one is already enrolled."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user_id=user.pk).first()
        if device is not None and device.confirmed:
            raise TwoFactorError(_("An authenticator is already enrolled for this account."))
        if device is not None:
            try:
                return device, _secret(device)
            except SecretUnreadable:
                device.delete()  # a pending secret nobody can use: start again
        secret = totp.new_secret()
        device = TotpDevice.objects.create(user=user, secret=seal(totp.b32(secret), user_id=user.pk))
        return device, secret


def provisioning_uri(user: User, secret: bytes) -> str:
    return totp.provisioning_uri(secret, account=user.username, issuer=settings.MFA_ISSUER)


def _check_password(user: User, password: str) -> None:
    wait = lock_remaining(user)
    if wait:
        _failure(user, NOTE_LOCKED)
        raise TwoFactorError(_locked_message(wait), field="password")
    if not password or not user.check_password(password):
        _failure(user, NOTE_WRONG_PASSWORD)
        raise TwoFactorError(_("Wrong password."), field="password")


def device_confirm(
    *, user: User, password: str, code: str, at: float | None = None, secret: bytes | None = None
) -> list[str]:
    """Confirm an authenticator with the account's password and a first code from it; returns the ten
    recovery codes (shown once). Audited. ``secret``: the one the enrolment page showed (kept sealed in
    the session, so opening the page writes nothing); the device is stored only now, when the code is
    right. Without it, the pending device made by :func:`device_start` is confirmed."""
    _check_password(user, password)
    code = normalise(code)
    unix = time.time() if at is None else at
    with transaction.atomic():
        if secret is not None:
            existing = TotpDevice.objects.select_for_update().filter(user_id=user.pk).first()
            if existing is not None and existing.confirmed:
                raise TwoFactorError(_("An authenticator is already enrolled for this account."))
            step = totp.matching_step(secret, code, unix) if code else None
            device = None
            if step is not None:
                if existing is not None:
                    existing.delete()  # an older pending one (from device_start) gives way
                device = TotpDevice.objects.create(user=user, secret=seal(totp.b32(secret), user_id=user.pk))
        else:
            device = TotpDevice.objects.select_for_update().filter(user_id=user.pk, confirmed_at__isnull=True).first()
            if device is None:
                raise TwoFactorError(_("There is no enrolment in progress: start again."))
            step = totp.matching_step(_secret(device), code, unix) if code else None
        if step is not None and device is not None:
            device.confirmed_at = timezone.now()
            device.last_used_step = step
            device.last_used_at = device.confirmed_at
            device.save(update_fields=["confirmed_at", "last_used_step", "last_used_at"])
            codes = _new_recovery_codes(user)
            audit(actor=user, action=AuditAction.CREATE, obj=device, note=NOTE_ENROLLED)
            return codes
        if code:
            _failure(user, NOTE_WRONG_CODE)
    raise TwoFactorError(_("Wrong code: check the time on your phone and enter the code shown now."))


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_LENGTH)) for _n in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=code_digest(c, user_id=user.pk)) for c in codes])
    return [display_code(c) for c in codes]


def display_code(code: str) -> str:
    """abcd-efgh-jkmn: easier to copy by hand."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes in place of the old ones (used or not). Audited."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user_id=user.pk, confirmed_at__isnull=False).first()
        if device is None:
            raise TwoFactorError(_("No authenticator is enrolled for this account."))
        codes = _new_recovery_codes(user)
        audit(actor=user, action=AuditAction.UPDATE, obj=device, note=NOTE_REGENERATED)
        return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()


def _remove(*, user: User, actor: User | None, note: str) -> None:
    device = TotpDevice.objects.select_for_update().filter(user_id=user.pk).first()
    if device is None:
        raise TwoFactorError(_("No authenticator is enrolled for this account."))
    audit(actor=actor, action=AuditAction.DELETE, obj=device, note=note)
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    device.delete()


@transaction.atomic
def device_disable(*, user: User) -> None:
    """The owner removes their authenticator and recovery codes (the page asks to re-authenticate first).
    A role that must have one is sent to enrol again at once."""
    _remove(user=user, actor=user, note=NOTE_DISABLED)


@transaction.atomic
def device_reset(*, user: User, actor: User | None) -> None:
    """The security administrator removes a lost authenticator of an account (``actor=None``: the system,
    from the command line). The account enrols again at its next login. Nobody resets their own."""
    if actor is not None:
        policy.check(actor, RESET, "twofactor.totpdevice")
        if actor.pk == user.pk:
            raise PermissionDenied(_("Nobody may reset the second factor of their own account."))
    _remove(user=user, actor=actor, note=NOTE_RESET)


# --- the session: second step passed, recent authentication ----------------------------------------------
def session_passed(request) -> bool:
    return request.session.get(SESSION_PASSED) == request.user.pk


def mark_passed(request) -> None:
    """This session has passed its second step: it is also a fresh authentication."""
    request.session[SESSION_PASSED] = request.user.pk
    mark_authenticated(request)


def mark_authenticated(request) -> None:
    request.session[SESSION_AUTH] = {"user": request.user.pk, "at": time.time()}


SIGNED_IN_AT = "shian_signed_in_at"  # session key the login page sets (core.views.login_view)


def recently_authenticated(request, *, now: float | None = None) -> bool:
    """Did the person give their password (and code, if enrolled) within MFA_REAUTH_SECONDS? Either on
    the re-authentication page or the code page, or by logging in (the password) in a session whose
    second step is done."""
    now = time.time() if now is None else now
    limit = settings.MFA_REAUTH_SECONDS
    auth = request.session.get(SESSION_AUTH)
    if (
        isinstance(auth, dict)
        and auth.get("user") == request.user.pk
        and 0 <= now - float(auth.get("at") or 0) <= limit
    ):
        return True
    signed_in = request.session.get(SIGNED_IN_AT)
    return isinstance(signed_in, int | float) and 0 <= now - signed_in <= limit and session_passed(request)


def pending_step(request) -> str | None:
    """What this signed-in session still owes before it may go on: "verify" (a code), "enrol" (a role
    that must have an authenticator has none) or None. "Nothing owed" is remembered in the session."""
    if session_passed(request):
        return None
    user = request.user
    if has_device(user):
        return "verify"
    if required_for(user):
        return "enrol"
    request.session[SESSION_PASSED] = user.pk
    return None


def on_login(sender, request, user, **kwargs) -> None:
    """At every login (Django's ``user_logged_in``; core's login view cannot call a later app): a fresh
    login owes its second step again, unless the account has no authenticator and its role needs none,
    which is decided here, once, rather than on the session's first page."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(SESSION_PASSED, None)
    if not has_device(user) and not required_for(user):
        session[SESSION_PASSED] = user.pk


def reauthenticate(*, request, password: str, code: str = "") -> None:
    """Confirm the person at the keyboard: the password, and a code when an authenticator is enrolled.
    Valid for MFA_REAUTH_SECONDS in this session. Raises TwoFactorError (audited, counts toward the
    lockout) when something is wrong."""
    user = request.user
    _check_password(user, password)
    if has_device(user):
        result = check_code(user=user, code=code)
        if not result.ok:
            raise TwoFactorError(result.error)
        mark_passed(request)
    else:
        mark_authenticated(request)
