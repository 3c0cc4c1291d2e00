"""Core writes: regions, accounts, API tokens, logins. Each writes its audit entry in the same
transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import signin
from .audit import audit
from .choices import AuditAction, Role
from .context import current_source
from .models import ApiToken, AuditEntry, Region, User
from .scoping import BUSINESS_SCOPED_ROLES, link_business


@transaction.atomic
def region_create(*, code: str, name: str, level: int, parent: Region | None, actor: User | None = None) -> Region:
    region = Region(code=code, name=name, level=level, parent=parent)
    region.full_clean()
    region.save()
    audit(actor=actor, action=AuditAction.CREATE, obj=region)
    return region


def _check_scope_fields(role: str, region: Region | None, business) -> None:
    if role in BUSINESS_SCOPED_ROLES:
        if business is None:
            raise ValidationError({"business": _("This role is scoped to one business: choose it.")})
    elif role != Role.PUBLIC and region is None:
        raise ValidationError({"region": _("This role is scoped to a region: choose it.")})


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    region: Region | None = None,
    business=None,
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
    actor: User | None = None,
    validate_password: bool = True,
) -> User:
    _check_scope_fields(role, region, business)
    user = User(
        username=username,
        role=role,
        region=region,
        first_name=first_name,
        last_name=last_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password:
        if validate_password:
            from django.contrib.auth.password_validation import validate_password as check

            check(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if business is not None:
        link_business(user, business)
    if password and actor is not None:
        signin.guard().initial_password(user)  # set by an administrator: changed at the first login
    audit(actor=actor, action=AuditAction.CREATE, obj=user, changes={"role": [None, role]})
    return user


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a password check. ``user`` is None when refused: ``error`` says why, ``status`` is
    the HTTP answer (401 wrong or locked, 429 too many attempts from this address) and ``retry_after``
    the seconds to wait. ``must_change`` is a reason code when the password is right but must be changed
    before anything else (``change_message`` says so to the person)."""

    user: User | None
    error: str = ""
    status: int = 200
    retry_after: int | None = None
    must_change: str = ""
    change_message: str = ""


def login_attempt(*, request, username: str, password: str, purpose: str = "login") -> LoginResult:
    """Authenticate with lockout and throttles (``core.signin``; kept by the accounts app).

    An attempt slot is reserved for the account name and for the source address *before* the password
    is hashed, so parallel guesses cannot outrun the count: after LOGIN_MAX_FAILURES failures the name is
    locked for LOGIN_LOCKOUT_SECONDS, and an address is throttled after LOGIN_IP_MAX_FAILURES failures.
    Names that match no account are counted and locked the same way, with the same messages, so the
    answers do not tell which accounts exist. Every attempt is audited. ``purpose`` "reauth" checks the
    password of someone already signed in (minting a token, changing the password): it counts the same,
    and a success is not audited as a login."""
    guard = signin.guard()
    source = current_source.get()
    username = username[:150]
    ticket, refusal = guard.reserve(username=username, source=source)
    if refusal is not None:
        _log_failure(username, refusal.reason, purpose)
        return LoginResult(None, refusal.message, refusal.status, refusal.retry_after)
    user = None
    try:
        user = authenticate(request, username=username, password=password)
    finally:
        guard.settle(ticket, user=user)
    if user is None:
        _log_failure(username, "bad credentials", purpose)
        return LoginResult(None, _("Wrong username or password."), 401)
    reason = guard.password_change_required(user, password)
    if purpose == "login":
        AuditEntry.objects.create(
            actor=user,
            actor_name=user.username,
            source=source,
            action=AuditAction.LOGIN,
            object_type="core.user",
            object_id=str(user.pk),
            object_repr=str(user)[:255],
            note=f"password change required: {reason}" if reason else "",
        )
    return LoginResult(user, must_change=reason, change_message=guard.change_required_message(reason) if reason else "")


def reauthenticate(*, request, user: User, password: str) -> LoginResult:
    """Ask a signed-in person for their password again (before minting a token): the lockout counts it
    like a login, so a stolen session cannot guess the password here."""
    return login_attempt(request=request, username=user.username, password=password, purpose="reauth")


def _log_failure(username: str, reason: str, purpose: str = "login") -> None:
    candidate = User.objects.filter(username=username).only("pk").first()
    AuditEntry.objects.create(
        actor=None,
        actor_name=username[:150],
        source=current_source.get(),
        action=AuditAction.LOGIN_FAILED,
        object_type="core.user",
        object_id=str(candidate.pk) if candidate else "",
        object_repr=username[:255],
        note=reason if purpose == "login" else f"{reason} (re-authentication)",
    )


def logout_audit(*, user: User, note: str = "") -> None:
    """A session ended: the person logged out, or (``note``) its absolute lifetime ran out."""
    audit(actor=user, action=AuditAction.LOGOUT, obj=user, note=note)


@transaction.atomic
def api_token_create(*, user: User, name: str = "", ttl_days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token; returns it and the clear key, which is never stored and shown only this once.
    An account holds at most API_TOKEN_MAX_PER_USER unexpired tokens (ValidationError beyond): a stolen
    session or password cannot mint them without limit."""
    now = timezone.now()
    User.objects.select_for_update().filter(pk=user.pk).first()  # one mint at a time per account: the cap holds
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    cap = settings.API_TOKEN_MAX_PER_USER
    if ApiToken.objects.filter(user=user).count() >= cap:
        raise ValidationError(
            _("You already have %(n)d active API tokens, the most allowed: revoke one on your account page first.")
            % {"n": cap}
        )
    key = ApiToken.new_key()
    days = ttl_days if ttl_days is not None else settings.API_TOKEN_TTL_DAYS
    token = ApiToken.objects.create(
        user=user,
        digest=ApiToken.hash_key(key),
        prefix=key[6:14],
        name=name,
        expires_at=now + dt.timedelta(days=days),
    )
    audit(actor=user, action=AuditAction.CREATE, obj=token, note=f"API token {token.prefix}…")
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    audit(actor=actor, action=AuditAction.DELETE, obj=token, note=f"API token {token.prefix}… revoked")
    token.delete()


@transaction.atomic
def api_tokens_revoke_all(*, user: User, actor: User | None, reason: str) -> int:
    """Revoke every API token of an account (its password changed, it was deactivated, its password was
    found on the deny-list). One audit entry on the account says how many and why."""
    count, _detail = ApiToken.objects.filter(user=user).delete()
    if count:
        audit(actor=actor, action=AuditAction.DELETE, obj=user, note=f"{count} API token(s) revoked: {reason}")
    return count


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None) -> User:
    """Deactivate an account: it can no longer sign in, its sessions end (Django refuses inactive users on
    every request) and its API tokens are revoked."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    audit(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"is_active": [True, False]})
    api_tokens_revoke_all(user=user, actor=actor, reason="account deactivated")
    return user


def api_token_authenticate(key: str) -> User | None:
    """The account a bearer token stands for, or None: unknown, expired, the account inactive, or locked
    (while an account is locked after failed logins, its tokens are suspended too)."""
    token = ApiToken.objects.select_related("user", "user__region").filter(digest=ApiToken.hash_key(key)).first()
    now = timezone.now()
    if token is None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.user.locked_until is not None and token.user.locked_until > now:
        return None
    if token.user.is_superuser:
        break_glass_expire_if_due(token.user, now=now)  # a break-glass grant ends on time for the API too
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_reactivate(*, user: User, actor: User | None) -> User:
    """Let a deactivated account sign in again (with the role and scope it had)."""
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    audit(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"is_active": [False, True]})
    return user


@transaction.atomic
def user_set_role(
    *, user: User, role: str, region: Region | None, actor: User | None, activate: bool = False, note: str = ""
) -> User:
    """Give an account its role and region (the security administrator's power; ``activate`` also lets a
    pending account sign in). Nobody changes their own account's role, and an administrator role (三员)
    never goes to a superuser: one account, one of the three powers at most."""
    from .choices import ADMIN_ROLES

    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if actor is not None and actor.pk == user.pk:
        raise ValidationError({"role": _("Nobody may change the role of their own account.")})
    if role in BUSINESS_SCOPED_ROLES:
        raise ValidationError(
            {"role": _("A business's own staff are given their account where the business is registered.")}
        )
    if role in ADMIN_ROLES and user.is_superuser:
        raise ValidationError({"role": _("An administrator role cannot go to a superuser account.")})
    if role == Role.PUBLIC:
        region = None
    _check_scope_fields(role, region, None)
    before = {"role": user.role, "region_id": user.region_id, "is_active": user.is_active}
    user.role, user.region = role, region
    fields = ["role", "region"]
    if activate and not user.is_active:
        user.is_active = True
        fields.append("is_active")
    user.full_clean(exclude=["password"])
    user.save(update_fields=fields)
    after = {"role": user.role, "region_id": user.region_id, "is_active": user.is_active}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit(actor=actor, action=AuditAction.UPDATE, obj=user, changes=changes, note=note or "role and scope set")
    return user


# --- break-glass: a time-limited superuser (docs/security/administrators.md) ---------------------------
BREAK_GLASS_MAX_HOURS = 24


def break_glass_grant(user: User) -> AuditEntry | None:
    """The break-glass grant in force for ``user`` (its audit entry), or None. The state lives in the
    audit log itself: the last BREAK_GLASS entry about the account says "granted … until" or "ended"."""
    entry = (
        AuditEntry.objects.filter(object_type="core.user", object_id=str(user.pk), action=AuditAction.BREAK_GLASS)
        .order_by("-id")
        .first()
    )
    if entry is None or not isinstance(entry.changes, dict) or "until" not in entry.changes:
        return None
    return entry


def break_glass_until(user: User) -> dt.datetime | None:
    entry = break_glass_grant(user)
    if entry is None:
        return None
    try:
        return dt.datetime.fromisoformat(entry.changes["until"])
    except (TypeError, ValueError):
        return timezone.now()  # unreadable: treat as ended now


@transaction.atomic
def break_glass_start(*, user: User, reason: str, hours: float = 4, operator: str = "") -> dt.datetime:
    """Make ``user`` a superuser for ``hours`` (at most BREAK_GLASS_MAX_HOURS), audited with the reason.
    Run from the server's command line only (``shian break_glass``): no page or API can do it."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say why, in at least 10 characters.")})
    if not 0 < hours <= BREAK_GLASS_MAX_HOURS:
        raise ValidationError({"hours": _("Between 0 and %(n)d hours.") % {"n": BREAK_GLASS_MAX_HOURS}})
    if not user.is_active:
        raise ValidationError({"user": _("The account is deactivated.")})
    from .choices import ADMIN_ROLES

    if user.role in ADMIN_ROLES:
        raise ValidationError(
            {
                "user": _(
                    "An administrator (三员) account is never made a superuser: "
                    "use the person's separate, named break-glass account."
                )
            }
        )
    if user.is_superuser and break_glass_grant(user) is None:
        raise ValidationError({"user": _("The account is already a permanent superuser.")})
    until = timezone.now() + dt.timedelta(hours=hours)
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    user.is_superuser = True
    note = f"break-glass granted for {hours:g} h by {operator or 'the server operator'}: {reason}"
    audit(
        actor=None,
        action=AuditAction.BREAK_GLASS,
        obj=user,
        changes={"is_superuser": [False, True], "until": until.isoformat()},
        note=note[:5000],
    )
    return until


@transaction.atomic
def break_glass_end(*, user: User, why: str) -> bool:
    """End the break-glass grant of ``user`` (expired, or ended by the command). False when none is in force."""
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None or break_glass_grant(user) is None:
        return False
    User.objects.filter(pk=user.pk).update(is_superuser=False)
    user.is_superuser = False
    audit(
        actor=None,
        action=AuditAction.BREAK_GLASS,
        obj=locked,  # the account itself (``user`` may be a request's lazy user)
        changes={"is_superuser": [True, False]},
        note=f"ended: {why}",
    )
    return True


def break_glass_expire_if_due(user: User, *, now: dt.datetime | None = None) -> bool:
    """Called on each request of a superuser (accounts' session middleware, the API token check): a
    break-glass grant past its end is ended here. True when it was ended. A superuser without any
    break-glass record (``createsuperuser`` on a development machine) is left alone."""
    if not user.is_superuser:
        return False
    until = break_glass_until(user)
    if until is None or until > (now or timezone.now()):
        return False
    return break_glass_end(user=user, why="time limit reached")
