"""Core models: the region tree, accounts with a scope, the append-only audit log, API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, RegionLevel, Role
from .scoping import ScopedQuerySet


class Region(models.Model):
    """A node of the administrative tree: city → district/county → street/town → community grid.

    ``path`` is the materialised path of division codes ("330200/330203/"), so a whole subtree is one
    indexed prefix lookup.
    """

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=128, unique=True, editable=False)

    scope_region_lookup = ""  # a region's own path is its scope
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path if self.parent else ''}{self.code}/"
        super().save(*args, **kwargs)

    @property
    def district_code(self) -> str | None:
        parts = self.path.strip("/").split("/")
        return parts[1] if len(parts) > 1 else None


class ShianUserManager(UserManager):
    pass


class User(AbstractUser):
    """An account. Its ``role`` says what it may do; its scope says where: a region subtree, or one
    business (``business``) for a business's own staff."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.PUBLIC)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    business = models.ForeignKey(
        "registry.Business",
        verbose_name=_("business"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ShianUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return f"{self.last_name}{self.first_name}" or self.username


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit log is append-only: rows are never updated")

    def delete(self):
        raise PermissionError("the audit log is append-only: rows are never deleted")


class AuditEntry(models.Model):
    """One append-only record of who did what, when, from where, with before → after values."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True, help_text="IP address, 'cli' or 'system'")
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit log is append-only: rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only: rows are never deleted")


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})" if self.name else f"{self.prefix}…"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "shian_" + secrets.token_urlsafe(32)
