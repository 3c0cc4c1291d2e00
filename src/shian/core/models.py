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
    scope_business_lookup = None  # a business's staff see no regions
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


class ShianUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """An account. Its ``role`` says what it may do; its scope says where: a region subtree, or one
    business (``business``) for a business's own staff. That link is kept by the registry app
    (``registry.BusinessAccount``); core reads it through ``scoping.business_of``."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.PUBLIC)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    # officials are seen within their region's subtree; a business's staff see no accounts
    scope_region_lookup = "region"
    scope_business_lookup = None
    objects = ShianUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return f"{self.last_name}{self.first_name}" or self.username

    @property
    def business(self):
        """The business a business's own staff act for (None for officials)."""
        from .scoping import business_of

        return business_of(self)

    @property
    def business_id(self) -> int | None:
        business = self.business
        return business.pk if business is not None else None


class AuditQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit log is append-only: rows are never updated")

    def delete(self):
        raise PermissionError("the audit log is append-only: rows are never deleted")

    def bulk_create(self, objs, batch_size=None, **kwargs):
        """Append many entries to the chain at once (``core.audit.audit_many``): one lock, one read of
        the last entry, ids reserved in one query (core.auditchain)."""
        from .auditchain import append

        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise PermissionError("the audit log is append-only: no conflict handling")
        objs = list(objs)
        if any(o.pk is not None for o in objs):
            raise PermissionError("the audit log is append-only: new entries only")
        if not objs:
            return objs
        return append(objs, self.db, lambda: super(AuditQuerySet, self).bulk_create(objs, batch_size, **kwargs))

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("the audit log is append-only: rows are never updated")


class AuditEntry(models.Model):
    """One append-only record of who did what, when, from where, with before → after values.

    Database triggers refuse UPDATE and DELETE (migration 0003) and, on PostgreSQL, TRUNCATE (0007). On
    SQLite a migration that alters this table rebuilds it and drops them: such a migration must put them
    back (see 0004, 0007). Each entry is chained to the one before it (``prev_digest`` → ``digest``,
    core.auditchain): ``shian audit verify`` finds an entry edited, inserted or deleted around the app."""

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
    # where the object lives, copied when the entry is written, so the log is scoped like its objects
    scope_path = models.CharField(max_length=128, blank=True, db_index=True, editable=False)
    scope_business = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    # the hash chain (core.auditchain): "<algorithm>:<key id>:<hex>" of the entry before, and of this one
    prev_digest = models.CharField(max_length=100, blank=True, default="", editable=False)
    digest = models.CharField(max_length=100, blank=True, default="", editable=False)

    scope_path_lookup = "scope_path"
    scope_business_lookup = "scope_business"
    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        """Append this entry to the chain (also ``objects.create``): id, time and digests are set here."""
        from django.db import router

        from .auditchain import append

        if self.pk is not None:
            raise PermissionError("the audit log is append-only: rows are never updated")
        if args or kwargs.get("update_fields") or kwargs.get("force_update"):
            raise PermissionError("the audit log is append-only: rows are never updated")
        using = kwargs.pop("using", None) or router.db_for_write(type(self), instance=self)
        kwargs.pop("force_insert", None)
        append([self], using, lambda: super(AuditEntry, self).save(force_insert=True, using=using, **kwargs))

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

    scope_owner_lookup = "user"  # a token is seen by its owner only
    objects = ScopedQuerySet.as_manager()

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


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """One piece of background work someone asked for (an import, a plan, a regrade): who asked, where it
    applies (its scope: a region subtree and/or one business, so only those who may see that scope see
    its progress), its state and progress, and its outcome. Run by ``core.jobs`` through Django's tasks
    API; see docs/architecture.md, "Background work"."""

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    label = models.CharField(_("job"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=128, blank=True, db_index=True, editable=False)
    # the business the job is about, by id (core has no foreign key to a later app)
    business_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    note = models.CharField(_("step"), max_length=200, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    # a key the caller sends (API Idempotency-Key): the same key from the same user is the same job, ever
    idempotency_key = models.CharField(max_length=64, blank=True)
    # what the job does (kind, parameters, scope): only one queued or running job per fingerprint
    fingerprint = models.CharField(max_length=64)
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=128, blank=True, help_text="host:pid of the process running it")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    scope_path_lookup = "region_path"
    scope_business_lookup = "business_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="job_idempotency_key_unique",
            ),
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=models.Q(state__in=["queued", "running"]),
                name="job_one_active_per_fingerprint",
            ),
        ]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="job_state_heartbeat_idx")]

    def __str__(self) -> str:
        return f"{self.label or self.kind} ({self.get_state_display()})"

    def save(self, *args, **kwargs):
        if self.region_id and not self.region_path:
            self.region_path = self.region.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:job", args=[self.pk])

    @property
    def active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)

    @property
    def percent(self) -> int | None:
        return min(100, round(100 * self.done / self.total)) if self.total else None


class PeriodicRun(models.Model):
    """When the scheduler last enqueued a periodic task: the day whose slot it ran for, so a restart does
    not run a day's job twice and a missed day is caught up once."""

    name = models.CharField(max_length=100, unique=True)
    last_slot = models.DateField(null=True, blank=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    scope_city_wide = True  # the system's own bookkeeping: no business or personal data, granted to no one
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_slot}"


class KpiSnapshot(models.Model):
    """The additive counts one KPI provider needs for one region, computed by the worker
    (core.snapshots). Rows of one ``depth`` (1 city … 4 grid) partition the businesses: a row holds the
    sum over the leaf regions (where businesses are filed) whose path cut at that depth is
    ``region_path`` — a leaf shallower than the depth keeps its own path. A user reads the rows one level
    below their own under their path: their totals and their table by sub-region, in one query.
    ``provider`` "_coverage" rows (depth 0) record that every leaf under ``region_path`` was computed at
    ``computed_at`` ("" is the whole city), so an empty scope reads as zero, not as missing."""

    provider = models.CharField(max_length=40)
    depth = models.PositiveSmallIntegerField()
    region_path = models.CharField(max_length=255)
    counts = models.JSONField(default=dict)
    as_of = models.DateField(help_text="the local day the date-dependent figures (overdue, 365 days) count from")
    computed_at = models.DateTimeField()

    scope_city_wide = True  # aggregate counts read through core.snapshots only, never listed
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "depth", "region_path"], name="kpi_snapshot_one_per_region"),
        ]
        indexes = [models.Index(fields=["depth", "region_path"], name="kpi_snapshot_depth_path_idx")]

    def __str__(self) -> str:
        return f"{self.provider} {self.region_path} @ {self.computed_at:%Y-%m-%d %H:%M}"
