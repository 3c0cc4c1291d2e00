"""Inspections (监督检查): checklist templates per business type, the inspection record with one result
per item, and the rule that turns item results into 符合 / 基本符合 / 不符合."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shian.core.models import Region, User
from shian.core.scoping import ScopedQuerySet
from shian.registry.choices import BusinessType
from shian.registry.models import Business
from shian.supervision.models import RiskRuleSet


class Conclusion(models.TextChoices):
    CONFORM = "conform", _("Conforms")
    BASICALLY = "basically", _("Basically conforms")
    NONCONFORM = "nonconform", _("Does not conform")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not checked")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NA = "na", _("Not applicable")


class InspectionState(models.TextChoices):
    DRAFT = "draft", _("In progress")
    CLOSED = "closed", pgettext_lazy("inspection state", "Closed")


class ChecklistTemplate(models.Model):
    name = models.CharField(_("name"), max_length=120)
    business_type = models.CharField(_("business type"), max_length=20, choices=BusinessType.choices)
    version = models.CharField(_("version"), max_length=20, default="1")
    source = models.TextField(_("source"))
    active = models.BooleanField(pgettext_lazy("rule in force", "active"), default=True)

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["business_type", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"))
    section = models.CharField(_("section"), max_length=60)
    text = models.CharField(_("item"), max_length=255)
    is_key = models.BooleanField(_("key item (重点项)"), default=False)

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "order"]

    def __str__(self) -> str:
        return self.text


class ResultRule(models.Model):
    """Rows are tried in order; the first whose limits the failures stay within gives the conclusion."""

    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    max_key_failures = models.PositiveSmallIntegerField(_("key items failed, at most"))
    max_general_failures = models.PositiveSmallIntegerField(_("general items failed, at most"))
    conclusion = models.CharField(_("conclusion"), max_length=12, choices=Conclusion.choices)
    source = models.TextField(_("source"))

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("result rule")
        verbose_name_plural = _("result rules")
        ordering = ["order"]

    def __str__(self) -> str:
        return f"≤{self.max_key_failures}/≤{self.max_general_failures} → {self.conclusion}"


class Inspection(models.Model):
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="inspections"
    )
    template = models.ForeignKey(ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT)
    inspector = models.ForeignKey(
        User, verbose_name=_("inspector"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField(_("inspected on"), default=timezone.localdate)
    state = models.CharField(_("state"), max_length=8, choices=InspectionState.choices, default=InspectionState.DRAFT)
    conclusion = models.CharField(_("conclusion"), max_length=12, choices=Conclusion.choices, blank=True)
    key_failures = models.PositiveSmallIntegerField(default=0)
    general_failures = models.PositiveSmallIntegerField(default=0)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("For the catering quantified grading (量化分级)."),
    )
    summary = models.TextField(_("summary"), blank=True)
    representative = models.CharField(_("business representative"), max_length=50, blank=True)
    inspector_signature = models.FileField(_("inspector's signature"), upload_to="inspections/signatures/", blank=True)
    representative_signature = models.FileField(
        _("representative's signature"), upload_to="inspections/signatures/", blank=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.business} {self.inspected_on}"


class ItemResult(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_path_lookup = "inspection__business__region_path"
    scope_business_lookup = "inspection__business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item__order"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="item_result_unique")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.outcome}"


def photo_path(instance: ItemPhoto, filename: str) -> str:
    result = instance.result
    return f"inspections/{result.inspection_id}/{result.item_id}-{timezone.now():%H%M%S}-{filename[-60:]}"


class ItemPhoto(models.Model):
    """A photo taken for one checklist item, kept through Django's storage API."""

    result = models.ForeignKey(ItemResult, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    scope_path_lookup = "result__inspection__business__region_path"
    scope_business_lookup = "result__inspection__business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.file.name


class RatedLevel(models.TextChoices):
    """The best dynamic level an inspection with a given conclusion may give (the RatingBand levels, or none)."""

    EXCELLENT = "excellent", pgettext_lazy("dynamic level", "Excellent (优秀)")
    GOOD = "good", pgettext_lazy("dynamic level", "Good (良好)")
    FAIR = "fair", pgettext_lazy("dynamic level", "Fair (一般)")
    NONE = "none", pgettext_lazy("dynamic level", "No level")


class RatingPolicy(models.Model):
    """The catering quantified grading (餐饮服务食品安全监督量化分级): how an inspection is scored, the best
    level an inspection's conclusion allows, and when no level is given. One row; editable."""

    key_deduction = models.DecimalField(_("points off per failed key item"), max_digits=4, decimal_places=1)
    general_deduction = models.DecimalField(_("points off per failed general item"), max_digits=4, decimal_places=1)
    no_level_key_failures = models.PositiveSmallIntegerField(_("no level from this many failed key items"))
    months_after_new_licence = models.PositiveSmallIntegerField(_("no dynamic level for months after a new licence"))
    months_after_incident = models.PositiveSmallIntegerField(_("no dynamic level for months after an incident"))
    best_level_basically = models.CharField(
        _("best level of a 基本符合 inspection"),
        max_length=12,
        choices=RatedLevel.choices,
        default=RatedLevel.EXCELLENT,
    )
    best_level_nonconform = models.CharField(
        _("best level of a 不符合 inspection"),
        max_length=12,
        choices=RatedLevel.choices,
        default=RatedLevel.FAIR,
        help_text=_("An inspection that does not conform cannot give 优秀 or 良好, whatever its score."),
    )
    source = models.TextField(_("source"))

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating policy")
        verbose_name_plural = _("rating policy")

    def __str__(self) -> str:
        return "rating policy"

    def best_level(self, conclusion: str) -> str:
        """The best dynamic level an inspection with ``conclusion`` may give."""
        return {
            Conclusion.BASICALLY: self.best_level_basically,
            Conclusion.NONCONFORM: self.best_level_nonconform,
        }.get(conclusion, RatedLevel.EXCELLENT)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        order = list(RatedLevel.values)  # best first
        if self.best_level_nonconform in (RatedLevel.EXCELLENT, RatedLevel.GOOD):
            raise ValidationError(
                {
                    "best_level_nonconform": _(
                        "An inspection that does not conform cannot give 优秀 or 良好, whatever its score."
                    )
                }
            )
        if order.index(self.best_level_nonconform) < order.index(self.best_level_basically):
            raise ValidationError(
                {"best_level_nonconform": _("A 不符合 inspection cannot be rated above a 基本符合 one.")}
            )


class RatingBand(models.Model):
    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic level")
        ANNUAL = "annual", _("Annual level")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    min_score = models.DecimalField(_("from score"), max_digits=5, decimal_places=1)
    level = models.CharField(_("level"), max_length=12)
    label = models.CharField(_("label"), max_length=20)

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating band")
        verbose_name_plural = _("rating bands")
        ordering = ["kind", "-min_score"]

    def __str__(self) -> str:
        return f"{self.kind} ≥{self.min_score}: {self.level}"


class InspectionPlan(models.Model):
    """A year's inspection plan for a region: routine visits from each business's grade, plus a
    双随机 share drawn with a recorded seed (the same seed draws the same pairs: auditable)."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    random_share = models.DecimalField(_("random (双随机) share"), max_digits=3, decimal_places=2, default=0.2)
    seed = models.BigIntegerField(_("random seed"))
    seed_drawn = models.BooleanField(
        _("seed drawn by the server"),
        default=False,  # plans made before the server drew every seed: not known
        help_text=_("The seed was drawn by the server's cryptographic random generator, not chosen by anyone."),
    )
    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("superseded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_region_lookup = "region"
    scope_business_lookup = None  # plans are the officials' own
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-year", "region__path", "-created_at"]
        constraints = [  # one current plan per region and year; the plans it replaced are kept
            models.UniqueConstraint(
                fields=["region", "year"],
                condition=models.Q(superseded_at__isnull=True),
                name="plan_region_year_current_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class PlannedVisit(models.Model):
    class Kind(models.TextChoices):
        ROUTINE = "routine", _("Routine (by grade)")
        RANDOM = "random", _("Double random (双随机)")

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="visits")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="planned_visits")
    inspector = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="planned_visits")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    due_on = models.DateField(_("due"))
    window_start = models.DateField(pgettext_lazy("start of a window", "from"))
    planned_on = models.DateField(_("planned day"), null=True, blank=True)
    # the day of the first closed inspection of the business within the window (planning.mark_done keeps
    # it): "behind schedule" is then an indexed look-up, not a search of every business's inspections
    done_on = models.DateField(_("done on"), null=True, blank=True, editable=False)

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["inspector", "due_on"], name="planned_inspector_due_idx"),
            models.Index(fields=["due_on"], condition=models.Q(done_on__isnull=True), name="planned_not_done_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.business_id} by {self.due_on}"
