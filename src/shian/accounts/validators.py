"""Password validators for AUTH_PASSWORD_VALIDATORS (settings.py builds the list from the policy preset)."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import passwords


class DenyListValidator:
    """Not one of the deny-listed passwords (Django's common passwords, the Chinese favourites, the demo
    password), ignoring case."""

    def validate(self, password: str, user=None) -> None:
        if passwords.is_denied(password):
            raise ValidationError(
                _("This password is on the list of common passwords: choose another."), code="password_too_common"
            )

    def get_help_text(self) -> str:
        return _("Your password can't be a commonly used password.")


class ComplexityValidator:
    """At least ``min_classes`` of the four character classes (等保: lower case, upper case, digits, others)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if passwords.character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must use at least %(n)d of these: lower-case letters, upper-case letters, digits, "
            "other characters."
        ) % {"n": self.min_classes}


class HistoryValidator:
    """Not the current password nor one of the last ``count`` (等保 policy)."""

    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        from .models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-created_at", "-pk")
            .values_list("password", flat=True)[: self.count]
        )
        from shian.core.models import User

        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current:
            hashes.insert(0, current)
        if any(check_password(password, h) for h in dict.fromkeys(hashes)):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password can't be your current one or the last one you used.",
            "Your password can't be your current one or one of the last %(n)d you used.",
            self.count,
        ) % {"n": self.count}


class PasswordChangedHook:
    """Not a rule: Django calls ``password_changed`` of every configured validator after a new password is
    saved, whoever set it. The accounts app restarts the password's clock, keeps its history and revokes
    the account's API tokens there (accounts.services.password_was_changed)."""

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None:
            from .services import password_was_changed

            password_was_changed(user)

    def get_help_text(self) -> str:
        return ""
