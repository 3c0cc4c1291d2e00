"""Core writes: regions, accounts, API tokens, logins. Each writes its audit entry in the same
transaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit
from .choices import AuditAction, Role
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
    audit(actor=actor, action=AuditAction.CREATE, obj=user, changes={"role": [None, role]})
    return user


def login_attempt(*, request, username: str, password: str) -> tuple[User | None, str]:
    """Authenticate with lockout: after LOGIN_MAX_FAILURES failures the account is locked for
    LOGIN_LOCKOUT_SECONDS. Every attempt is audited. Returns (user or None, error message)."""
    now = timezone.now()
    candidate = User.objects.filter(username=username).first()
    if candidate and candidate.locked_until and candidate.locked_until > now:
        _log_failure(candidate, username, "locked")
        seconds = int((candidate.locked_until - now).total_seconds()) + 1
        return None, _("Too many failed attempts: this account is locked for %(s)d more seconds.") % {"s": seconds}
    user = authenticate(request, username=username, password=password)
    if user is None:
        if candidate is not None:
            with transaction.atomic():
                locked = User.objects.select_for_update().get(pk=candidate.pk)
                locked.failed_logins += 1
                fields = ["failed_logins"]
                if locked.failed_logins >= settings.LOGIN_MAX_FAILURES:
                    locked.locked_until = now + dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
                    locked.failed_logins = 0
                    fields.append("locked_until")
                locked.save(update_fields=fields)
        _log_failure(candidate, username, "bad credentials")
        return None, _("Wrong username or password.")
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    AuditEntry.objects.create(
        actor=user,
        actor_name=user.username,
        source=request.META.get("REMOTE_ADDR", ""),
        action=AuditAction.LOGIN,
        object_type="core.user",
        object_id=str(user.pk),
        object_repr=str(user),
    )
    return user, ""


def _log_failure(candidate: User | None, username: str, reason: str) -> None:
    from .context import current_source

    AuditEntry.objects.create(
        actor=None,
        actor_name=username[:150],
        source=current_source.get(),
        action=AuditAction.LOGIN_FAILED,
        object_type="core.user",
        object_id=str(candidate.pk) if candidate else "",
        object_repr=username[:255],
        note=reason,
    )


@transaction.atomic
def api_token_create(*, user: User, name: str = "", ttl_days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token; returns it and the clear key, which is never stored and shown only this once."""
    key = ApiToken.new_key()
    days = ttl_days if ttl_days is not None else settings.API_TOKEN_TTL_DAYS
    token = ApiToken.objects.create(
        user=user,
        digest=ApiToken.hash_key(key),
        prefix=key[6:14],
        name=name,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit(actor=user, action=AuditAction.CREATE, obj=token, note=f"API token {token.prefix}…")
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    audit(actor=actor, action=AuditAction.DELETE, obj=token, note=f"API token {token.prefix}… revoked")
    token.delete()


def api_token_authenticate(key: str) -> User | None:
    token = ApiToken.objects.select_related("user", "user__region").filter(digest=ApiToken.hash_key(key)).first()
    now = timezone.now()
    if token is None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
