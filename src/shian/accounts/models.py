"""Account security state that core's User does not hold: sign-in throttles, request-rate counters, and
each account's password state (when it was changed, whether it must be changed) and history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shian.core.choices import Role
from shian.core.models import Region, ShianUserManager, User
from shian.core.scoping import ScopedQuerySet


class ChangeReason(models.TextChoices):
    """Why a password must be changed before anything else."""

    INITIAL = "initial", _("Initial password set by an administrator")
    RESET = "reset", _("Password reset by an administrator")
    COMMON = "common", _("A common password (on the deny-list)")
    DEMO = "demo", _("The published demo password")
    EXPIRED = "expired", _("Password older than the policy allows")


class LoginThrottle(models.Model):
    """Password attempts counted per account name (``user:<name>``, also for names that match no
    account, so that they behave alike) and per source address (``ip:<address>``). A slot is reserved
    under a row lock before the password is hashed (accounts.throttle)."""

    key = models.CharField(max_length=200, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    scope_city_wide = True  # security bookkeeping: no role is granted to read it
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.key}: {self.attempts}"


class RateCounter(models.Model):
    """Requests counted per key (an address, an account, a token) and fixed time slot, shared by every
    server process (accounts.ratelimit). Incremented with one atomic upsert."""

    bucket = models.CharField(max_length=200)
    slot = models.BigIntegerField()  # the slot's start, in seconds since the epoch
    count = models.PositiveIntegerField(default=0)

    scope_city_wide = True
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bucket", "slot"], name="accounts_ratecounter_bucket_slot")]
        indexes = [models.Index(fields=["slot"], name="accounts_ratecounter_slot")]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.slot}: {self.count}"


class PasswordState(models.Model):
    """When an account's password was last changed and whether it must be changed before anything else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="password_state"
    )
    changed_at = models.DateTimeField(_("password changed"), default=timezone.now)
    must_change = models.CharField(_("must change"), max_length=16, choices=ChangeReason.choices, blank=True)

    scope_owner_lookup = "user"
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.user_id}: {self.changed_at:%Y-%m-%d}"


class PasswordHistory(models.Model):
    """The hashes of an account's previous passwords (the 等保 policy refuses the last five again)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    scope_owner_lookup = "user"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_pwhistory_user")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"


# --- 三员: the administrators' city-wide view of accounts, and the create → authorise split -------------------------
class Account(User):
    """Every account of the deployment, as the system and security administrators see it: city-wide
    (officials, a business's staff, pending and deactivated accounts alike), read and changed through the
    administrators' grants only (``accounts.account``). Same table as core's User (a proxy)."""

    scope_city_wide = True
    scope_region_lookup = None  # not core.user's region scope: the administrators see every account
    objects = ShianUserManager()

    class Meta:
        proxy = True
        verbose_name = _("account")
        verbose_name_plural = _("accounts")


class Authorisation(models.Model):
    """The 三员 split of account creation: the system administrator creates an account with a *requested*
    role and region; it stays inactive, with no role, until the security administrator confirms (or
    changes) the role and scope. One row per account made this way."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting authorisation")
        CONFIRMED = "confirmed", _("Authorised")
        REFUSED = "refused", _("Refused")

    user = models.OneToOneField(
        User, primary_key=True, on_delete=models.CASCADE, related_name="authorisation", verbose_name=_("account")
    )
    requested_role = models.CharField(_("requested role"), max_length=32, choices=Role.choices)
    requested_region = models.ForeignKey(
        Region, verbose_name=_("requested region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    scope_city_wide = True  # read and decided through the administrators' grants
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("authorisation")
        verbose_name_plural = _("authorisations")
        indexes = [models.Index(fields=["state", "requested_at"], name="accounts_authorisation_state")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.state}"
