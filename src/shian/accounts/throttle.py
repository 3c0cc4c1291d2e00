"""The sign-in guard (core.signin): a race-free lockout per account name and a throttle per source address.

The old lockout read ``locked_until``, hashed the password (slow), then counted the failure: sixteen
parallel guesses were all evaluated before the first failure was counted. Here each attempt first
*reserves* a slot, under a row lock (SQLite serialises the write transaction), and only then is the
password hashed:

- per account name (``user:<name>``): at most LOGIN_MAX_FAILURES attempts; the last slot locks the name
  at once for LOGIN_LOCKOUT_SECONDS (provisionally: a success gives it back), so further parallel
  requests are refused without being evaluated. A failure keeps its slot; a success clears the count.
  Names that match no account are counted and locked the same way, with the same answers.
- per source address (``ip:<address>``): at most LOGIN_IP_MAX_FAILURES failed attempts within
  LOGIN_IP_WINDOW_SECONDS, then the address is throttled for LOGIN_IP_LOCKOUT_SECONDS (HTTP 429): password
  spraying across many accounts is bounded too. A success gives its slot back, so an office behind one
  address is not throttled by its own people signing in.

The account's ``failed_logins`` and ``locked_until`` (core's User) mirror the name's count, for display
and so that a locked account's API tokens are suspended (core.services.api_token_authenticate).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.models import User
from shian.core.signin import Refusal

from .models import LoginThrottle

SMALLINT_MAX = 32767  # User.failed_logins is a small integer


@dataclass(frozen=True)
class Limit:
    max_attempts: int
    lock_seconds: int
    window_seconds: int | None  # None: the count lasts until a success or a lock


def account_limit() -> Limit:
    return Limit(settings.LOGIN_MAX_FAILURES, settings.LOGIN_LOCKOUT_SECONDS, None)


def source_limit() -> Limit:
    return Limit(settings.LOGIN_IP_MAX_FAILURES, settings.LOGIN_IP_LOCKOUT_SECONDS, settings.LOGIN_IP_WINDOW_SECONDS)


def account_key(username: str) -> str:
    return f"user:{username[:150]}"


def source_key(source: str) -> str:
    return f"ip:{source[:150]}"


@dataclass
class Ticket:
    username: str
    keys: dict[str, Limit]


class _Locked(Exception):
    def __init__(self, key: str, seconds: int):
        self.key, self.seconds = key, seconds


def _row(key: str) -> LoginThrottle:
    """The key's row, locked for this transaction (created on first use; a parallel creation is fine)."""
    try:
        with transaction.atomic():
            LoginThrottle.objects.get_or_create(key=key)
    except IntegrityError:  # created by a parallel request between the read and the insert
        pass
    return LoginThrottle.objects.select_for_update().get(key=key)


def _reserve_one(key: str, limit: Limit, now: dt.datetime) -> None:
    row = _row(key)
    if row.locked_until is not None and row.locked_until > now:
        raise _Locked(key, math.ceil((row.locked_until - now).total_seconds()))
    expired = row.locked_until is not None or (
        limit.window_seconds is not None and (now - row.window_started).total_seconds() > limit.window_seconds
    )
    if expired:
        row.attempts, row.locked_until, row.window_started = 0, None, now
    row.attempts += 1
    if row.attempts >= limit.max_attempts:
        row.locked_until = now + dt.timedelta(seconds=limit.lock_seconds)  # the last slot: nobody else gets in
    row.save(update_fields=["attempts", "locked_until", "window_started"])


def _mirror(username: str, row: LoginThrottle | None) -> None:
    """Copy the name's count onto the account (the same query whether or not the account exists)."""
    attempts = min(row.attempts, SMALLINT_MAX) if row else 0
    locked = row.locked_until if row else None
    User.objects.filter(username=username).update(failed_logins=attempts, locked_until=locked)


class SignInGuard:
    """Registered with core.signin by AccountsConfig.ready."""

    def reserve(self, *, username: str, source: str):
        now = timezone.now()
        keys = {source_key(source): source_limit(), account_key(username): account_limit()}
        try:
            with transaction.atomic():
                for key, limit in keys.items():  # always the address first, then the name: no deadlock
                    _reserve_one(key, limit, now)
        except _Locked as locked:  # nothing reserved: the transaction rolled back
            if locked.key.startswith("ip:"):
                message = _(
                    "Too many failed sign-in attempts from your network address: try again in %(s)d seconds."
                ) % {"s": locked.seconds}
                return None, Refusal(message, 429, "throttled address", retry_after=locked.seconds)
            message = _("Too many failed attempts: this account is locked for %(s)d more seconds.") % {
                "s": locked.seconds
            }
            return None, Refusal(message, 401, "locked", retry_after=locked.seconds)
        return Ticket(username=username, keys=keys), None

    def settle(self, ticket: Ticket, *, user) -> None:
        now = timezone.now()
        with transaction.atomic():
            for key, limit in ticket.keys.items():
                row = LoginThrottle.objects.select_for_update().filter(key=key).first()
                if row is None:
                    continue
                is_account = key.startswith("user:")
                if user is not None:
                    if is_account:
                        row.attempts, row.locked_until = 0, None  # a success clears the name's count
                    else:
                        row.attempts = max(row.attempts - 1, 0)  # an address gets its slot back
                        if row.locked_until is not None and row.attempts < limit.max_attempts:
                            row.locked_until = None  # the provisional lock this attempt had set
                elif row.attempts >= limit.max_attempts:
                    row.locked_until = now + dt.timedelta(seconds=limit.lock_seconds)  # counted from the last failure
                row.save(update_fields=["attempts", "locked_until"])
                if is_account:
                    _mirror(ticket.username, row)

    def password_change_required(self, user, password: str) -> str:
        from . import services

        return services.change_required_at_login(user, password)

    def change_required_message(self, reason: str) -> str:
        from . import services

        return services.change_required_message(reason)

    def initial_password(self, user) -> None:
        from . import services

        services.mark_must_change(user, "initial")
