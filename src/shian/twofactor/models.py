"""Second factor: one TOTP device per account and its one-time recovery codes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shian.core.scoping import ScopedQuerySet


class TotpDevice(models.Model):
    """An authenticator app enrolled by an account (RFC 6238, SHA-1, 6 digits, 30 s).

    The secret is stored encrypted (``crypto.seal``) and shown only while enrolment is pending; the
    device counts once ``confirmed_at`` is set (the first code was right). ``last_used_step`` is the
    time step of the last code accepted: a code is accepted once, and no earlier one after it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    scope_owner_lookup = "user"  # an account's own; administrators reset through core.user
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return f"TOTP · {self.user.username}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator is lost: only its keyed digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("account")
    )
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    scope_owner_lookup = "user"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="twofactor_recovery_unique")]

    def __str__(self) -> str:
        return f"{self.user.username}: {'used' if self.used_at else 'unused'}"
