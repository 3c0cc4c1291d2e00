"""Hazards (隐患) and their closed loop: found → ordered → rectifying → evidence → verified → closed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shian.core.models import User
from shian.core.scoping import ScopedQuerySet
from shian.registry.models import Business

from .choices import (
    LEAD_STATE_TONE,
    OPEN_STATES,
    SEVERITY_TONE,
    STATE_TONE,
    DeclineGround,
    HazardSource,
    HazardState,
    IncidentLevel,
    IncidentSource,
    LeadReason,
    LeadState,
    Severity,
)

IMAGE_TYPES = ("image/jpeg", "image/png")


class DeadlineRule(models.Model):
    """Days allowed to rectify, per severity, and how long overdue before escalation. Editable data."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, unique=True)
    days_to_rectify = models.PositiveSmallIntegerField(_("days to rectify"))
    # the column names are kept from before case leads; they now say when a case lead is raised (立案 itself
    # is a regulator's decision on the lead)
    escalate_after_days = models.PositiveSmallIntegerField(_("raise a case lead when overdue by (days)"), default=0)
    escalate_immediately = models.BooleanField(_("raise a case lead at once"), default=False)
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
    escalated_on = models.DateField(_("case opened on"), null=True, blank=True)  # 立案: the lead's approval date
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


class CaseLead(models.Model):
    """A case lead (案件线索) about a hazard: raised by the nightly job (a serious hazard, a hazard overdue
    past the rule's grace days) or referred by an official; a regulator with the grant decides it — opens a
    case (立案, with the approving head and the approval date; 市场监督管理行政处罚程序规定 Arts. 18–19) or
    declines it (不予立案, with the ground and the reason; Art. 20). ``services.case_lead_decide`` applies
    ``transitions.LEAD_TRANSITIONS``; nothing else changes ``state``."""

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="leads")
    reason = models.CharField(_("reason"), max_length=10, choices=LeadReason.choices)
    detail = models.CharField(_("details"), max_length=255, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=LeadState.choices, default=LeadState.OPEN)
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    raised_by = models.ForeignKey(
        User, verbose_name=_("raised by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # None: the nightly job
    decided_by = models.ForeignKey(
        User, verbose_name=_("decision recorded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decision recorded at"), null=True, blank=True)
    approver = models.CharField(_("approved by"), max_length=100, blank=True)  # the bureau's head (负责人)
    approved_on = models.DateField(_("approval date"), null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=64, blank=True)
    decline_ground = models.CharField(_("ground"), max_length=10, choices=DeclineGround.choices, blank=True)
    decline_reason = models.TextField(_("reason for not opening a case"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    scope_path_lookup = "hazard__business__region_path"
    scope_business_lookup = "hazard__business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case lead")
        verbose_name_plural = _("case leads")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"], condition=models.Q(state="open"), name="caselead_one_open_per_hazard"
            ),
        ]
        indexes = [models.Index(fields=["state", "raised_on"], name="caselead_state_idx")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.hazard}"

    @property
    def state_tone(self) -> str:
        return LEAD_STATE_TONE.get(self.state, "")


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


class Incident(models.Model):
    """A recorded food-safety incident (食品安全事故, Food Safety Law Art. 150: food poisoning, food-borne
    disease, contamination or another food-borne accident that harms or may harm health) at a business.
    Only a record here counts as an incident for other rules (e.g. 量化分级: no dynamic level for six
    months after an incident); an escalated hazard is not an incident."""

    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="incidents"
    )
    occurred_on = models.DateField(_("occurred on"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    diners_affected = models.PositiveIntegerField(_("diners exposed"), null=True, blank=True)
    ill_count = models.PositiveIntegerField(_("people ill"), null=True, blank=True)
    level = models.CharField(_("incident level"), max_length=4, choices=IncidentLevel.choices, blank=True)
    source = models.CharField(
        _("reported through"), max_length=12, choices=IncidentSource.choices, default=IncidentSource.OTHER
    )
    reported_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("food-safety incident")
        verbose_name_plural = _("food-safety incidents")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["business", "occurred_on"], name="incident_business_day_idx")]

    def __str__(self) -> str:
        return self.title
