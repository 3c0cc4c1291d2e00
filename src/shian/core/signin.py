"""The sign-in seam: how the accounts app (lockout and throttles, password policy) takes part in every
password check without core importing it (apps depend inward, docs/architecture.md).

``core.services.login_attempt`` asks the registered guard, in this order:

1. ``reserve(username=…, source=…)`` — *before* the password is hashed, reserve an attempt slot for
   the account name and for the source address, atomically (a row lock), so that parallel requests
   cannot all be evaluated before the first failure is counted. Returns a ticket, or a
   :class:`Refusal` (locked account: 401; throttled address: 429 with ``retry_after``).
2. ``settle(ticket, user=…)`` — after the check: a success gives the slots back, a failure keeps
   them and locks when the limit is reached.
3. ``password_change_required(user, password)`` — after a success: a reason code ("" for none) when
   the password must be changed before anything else (a common or demo password, an initial
   password set by an administrator, an expired password under the 等保 policy).

``initial_password(user)`` marks an account whose password an administrator set (``user_create``).
The accounts app registers its guard in ``AppConfig.ready``.

The second factor takes part the same way: the twofactor app registers a :class:`SecondFactor`, which the
API token endpoint asks after the password (the web login goes through the twofactor middleware).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import User


# session keys the login view writes and the accounts middleware reads
SIGNED_IN_AT = "shian_signed_in_at"  # when this session signed in (seconds since the epoch): absolute lifetime
MUST_CHANGE = "shian_must_change_password"  # why the password must be changed before anything else


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was not even evaluated: ``status`` 401 (account locked) or 429 (too many attempts
    from this address); ``reason`` for the audit log; ``retry_after`` in seconds."""

    message: str
    status: int
    reason: str
    retry_after: int | None = None


class Guard(Protocol):
    def reserve(self, *, username: str, source: str) -> tuple[Any, Refusal | None]: ...

    def settle(self, ticket: Any, *, user: User | None) -> None: ...

    def password_change_required(self, user: User, password: str) -> str: ...

    def change_required_message(self, reason: str) -> str: ...

    def initial_password(self, user: User) -> None: ...


_guard: Guard | None = None


def register(guard: Guard) -> None:
    global _guard
    _guard = guard


def guard() -> Guard:
    if _guard is None:
        raise ImproperlyConfigured("no sign-in guard is registered: add shian.accounts to INSTALLED_APPS")
    return _guard


class SecondFactor(Protocol):
    def has_device(self, user: User) -> bool: ...

    def needs_enrolment(self, user: User) -> bool: ...

    def verify_second_factor(self, user: User, code: str) -> bool: ...


_second_factor: SecondFactor | None = None


def register_second_factor(provider: SecondFactor) -> None:
    global _second_factor
    _second_factor = provider


def second_factor() -> SecondFactor | None:
    """The registered second factor, or None when no app provides one."""
    return _second_factor
