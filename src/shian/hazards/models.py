"""Hazards (隐患) and their closed loop: found → ordered → rectifying → evidence → verified → closed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shian.core.models import User
from shian.core.scoping import ScopedQuerySet
from shian.registry.models import Business

from .choices import OPEN_STATES, SEVERITY_TONE, STATE_TONE, HazardSource, HazardState, Severity

IMAGE_TYPES = ("image/jpeg", "image/png")


class DeadlineRule(models.Model):
    """Days allowed to rectify, per severity, and how long overdue before escalation. Editable data."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, unique=True)
    days_to_rectify = models.PositiveSmallIntegerField(_("days to rectify"))
    escalate_after_days = models.PositiveSmallIntegerField(_("escalate when overdue by (days)"), default=0)
    escalate_immediately = models.BooleanField(_("escalate to a case at once"), default=False)
    source = models.CharField(_("source"), max_length=255)

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["days_to_rectify"]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.days_to_rectify}"


class Hazard(models.Model):
    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="hazards")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    source = models.CharField(_("source"), max_length=12, choices=HazardSource.choices, default=HazardSource.MANUAL)
    state = models.CharField(_("state"), max_length=20, choices=HazardState.choices, default=HazardState.FOUND)
    found_on = models.DateField(_("found on"), default=timezone.localdate)
    found_by = models.ForeignKey(
        User, verbose_name=_("found by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # what raised it, as "app.model:id" (an inspection, a 包保 visit, a self-check) — a reference, not a
    # foreign key, so hazards depend on no module that raises them
    origin = models.CharField(_("raised by"), max_length=64, blank=True, db_index=True, editable=False)
    order_text = models.TextField(_("rectification order"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_on", "-id"]
        indexes = [models.Index(fields=["state", "deadline"], name="hazard_state_deadline_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_open
            and self.state != HazardState.VERIFIED
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )

    @property
    def days_overdue(self) -> int:
        return (timezone.localdate() - self.deadline).days if self.is_overdue else 0

    @property
    def severity_tone(self) -> str:
        return SEVERITY_TONE.get(self.severity, "")

    @property
    def state_tone(self) -> str:
        return "bad" if self.is_overdue else STATE_TONE.get(self.state, "")


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"hazards/{instance.hazard_id}/{timezone.now():%Y%m%d%H%M%S}-{filename[-80:]}"


class Evidence(models.Model):
    """A photo or PDF showing the rectification, kept through Django's storage API."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)  # as the uploader named it
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    note = models.CharField(_("note"), max_length=255, blank=True)
    submitted_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    scope_path_lookup = "hazard__business__region_path"
    scope_business_lookup = "hazard__business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The file's name as its uploader gave it (never the storage path)."""
        return self.original_name or self.file.name.rsplit("/", 1)[-1]

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


class HazardEvent(models.Model):
    """The hazard's timeline: one row per transition (the audit log also gets each one)."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20, choices=HazardState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=HazardState.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    scope_path_lookup = "hazard__business__region_path"
    scope_business_lookup = "hazard__business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.hazard_id}: {self.from_state} → {self.to_state}"


class Notification(models.Model):
    """A message to a user (overdue escalations, rejected evidence); shown on their dashboard."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="hazard_notifications")
    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    scope_owner_lookup = "user"  # a notification is its addressee's
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text
