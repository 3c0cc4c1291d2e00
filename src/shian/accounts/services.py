"""Account writes: password changes (by the person, or set by an administrator), the forced change, and
what a changed password sets off (history, tokens revoked). Each audits in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import services as core_services
from shian.core.audit import audit
from shian.core.choices import AuditAction
from shian.core.models import User

from . import passwords
from .models import ChangeReason, PasswordHistory, PasswordState


def state_of(user: User) -> PasswordState:
    """The account's password state; an account without one (made before this version, or by a
    factory) starts its clock now."""
    state, _created = PasswordState.objects.get_or_create(user=user)
    return state


def mark_must_change(user: User, reason: str) -> None:
    PasswordState.objects.update_or_create(user=user, defaults={"must_change": reason})


def password_expired(state: PasswordState, now: dt.datetime | None = None) -> bool:
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days:
        return False
    return (now or timezone.now()) - state.changed_at > dt.timedelta(days=days)


def change_required_at_login(user: User, password: str) -> str:
    """Why this person must change their password before anything else ("" if they need not): the
    password is the published demo password (production profile), is on the deny-list, was set by an
    administrator, or is older than the 等保 policy allows. A demo or deny-listed password also revokes
    the account's API tokens at once (they were minted with a password anyone may know)."""
    reason = ""
    if settings.PRODUCTION and passwords.is_demo_password(password):
        reason = ChangeReason.DEMO
    elif not passwords.is_demo_password(password) and passwords.is_denied(password):
        reason = ChangeReason.COMMON
    state = state_of(user)
    if reason:
        with transaction.atomic():
            if state.must_change != reason:
                PasswordState.objects.filter(pk=state.pk).update(must_change=reason)
            core_services.api_tokens_revoke_all(user=user, actor=None, reason=f"password change required: {reason}")
        return reason
    if state.must_change:
        return state.must_change
    if password_expired(state):
        return ChangeReason.EXPIRED
    return ""


def change_required_message(reason: str) -> str:
    messages = {
        ChangeReason.INITIAL: _("Your password was set by an administrator: choose your own before you continue."),
        ChangeReason.RESET: _("Your password was reset by an administrator: choose a new one before you continue."),
        ChangeReason.COMMON: _("Your password is on the list of common passwords: choose another before you continue."),
        ChangeReason.DEMO: _("This account still has the published demo password: choose another before you continue."),
        ChangeReason.EXPIRED: _(
            "Your password is older than %(days)d days, as the password policy allows: choose a new one."
        )
        % {"days": settings.PASSWORD_MAX_AGE_DAYS},
    }
    return messages.get(reason, _("Choose a new password before you continue."))


def password_was_changed(user: User) -> None:
    """After any new password is saved (called by PasswordChangedHook, whatever set it: this app's page,
    an administrator, ``manage.py changepassword``): restart its clock, clear a forced change, keep the
    history the policy asks for, and revoke the account's API tokens. Django itself ends the account's
    other sessions (their session hash no longer matches)."""
    if user.pk is None:
        return
    now = timezone.now()
    with transaction.atomic():
        PasswordState.objects.update_or_create(user=user, defaults={"changed_at": now, "must_change": ""})
        keep = settings.PASSWORD_HISTORY
        if keep and user.has_usable_password():
            PasswordHistory.objects.create(user=user, password=user.password, created_at=now)
            old = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", flat=True)
            PasswordHistory.objects.filter(pk__in=list(old[keep:])).delete()
        core_services.api_tokens_revoke_all(user=user, actor=None, reason="password changed")


@transaction.atomic
def password_change(*, user: User, new_password: str) -> None:
    """The person chose a new password (the caller has checked the current one). Validated against the
    deployment's policy (length, classes, deny-list, history) before anything is written."""
    if passwords.is_demo_password(new_password) or passwords.is_denied(new_password):
        raise ValidationError(_("This password is on the list of common passwords: choose another."))
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])  # PasswordChangedHook: clock, history, tokens
    audit(actor=user, action=AuditAction.UPDATE, obj=user, note="password changed")


@transaction.atomic
def password_set_by_admin(*, user: User, new_password: str, actor: User) -> None:
    """An administrator set (reset) someone's password: validated, and the person must change it at
    their next sign-in."""
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    mark_must_change(user, ChangeReason.RESET)
    audit(actor=actor, action=AuditAction.UPDATE, obj=user, note="password reset by an administrator")
