"""Risk grading (风险分级) as versioned, editable rule sets: static points by business type and scale,
dynamic points from indicators, score bands to grades, and the inspection frequency each grade needs."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shian.core.scoping import ScopedQuerySet
from shian.registry.choices import BusinessType, Scale
from shian.registry.models import Business


class RiskRuleSet(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    version = models.CharField(_("version"), max_length=20)
    source = models.TextField(_("source"))
    active = models.BooleanField(
        _("in force"), default=False, help_text=_("Exactly one rule set is in force; it grades every business.")
    )

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk rule set")
        verbose_name_plural = _("risk rule sets")
        ordering = ["-active", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class StaticFactor(models.Model):
    """Points for what a business is: its type and, optionally, from which scale."""

    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.CASCADE, related_name="static_factors")
    business_type = models.CharField(_("business type"), max_length=20, choices=BusinessType.choices)
    min_scale = models.PositiveSmallIntegerField(_("from scale"), choices=Scale.choices, null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("static factor")
        verbose_name_plural = _("static factors")
        ordering = ["business_type", "min_scale"]

    def __str__(self) -> str:
        return f"{self.get_business_type_display()}: {self.points}"


class DynamicFactor(models.Model):
    """Points per unit of an indicator (core.indicators), capped."""

    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.CASCADE, related_name="dynamic_factors")
    indicator = models.CharField(_("indicator"), max_length=40)
    points_per_unit = models.DecimalField(_("points per unit"), max_digits=5, decimal_places=1)
    max_points = models.DecimalField(_("at most"), max_digits=5, decimal_places=1)
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dynamic factor")
        verbose_name_plural = _("dynamic factors")
        ordering = ["indicator"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "indicator"], name="dynamic_factor_unique")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.points_per_unit}"


TONE_BY_RISK = {"low": "", "medium": "warn", "high": "bad"}


class GradeBand(models.Model):
    """Scores above ``min_score`` (and up to the next band) give ``grade``, inspected this often."""

    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.CASCADE, related_name="bands")
    grade = models.CharField(_("grade"), max_length=2)
    min_score = models.DecimalField(_("from score (exclusive)"), max_digits=5, decimal_places=1)
    inspections_min = models.DecimalField(_("inspections per year, at least"), max_digits=4, decimal_places=2)
    inspections_max = models.DecimalField(_("inspections per year, at most"), max_digits=4, decimal_places=2)
    label = models.CharField(_("label"), max_length=60, blank=True)
    risk = models.CharField(
        _("risk level"),
        max_length=8,
        choices=[("low", _("low risk")), ("medium", _("medium risk")), ("high", _("high risk"))],
        default="low",
        help_text=_("How the grade is shown (colour) and which grade counts as the highest risk."),
    )

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["rule_set", "min_score"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "grade"], name="grade_band_unique")]

    def __str__(self) -> str:
        return f"{self.grade} > {self.min_score}"

    @property
    def tone(self) -> str:
        """The badge colour: decided by the band's risk level (data), never by its letter."""
        return TONE_BY_RISK.get(self.risk, "")


class BusinessGrade(models.Model):
    """A business's current grade under the rule set in force, with the score broken down."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="grade")
    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("grade"), max_length=2, db_index=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1)
    static_points = models.DecimalField(_("static points"), max_digits=6, decimal_places=1)
    dynamic_points = models.DecimalField(_("dynamic points"), max_digits=6, decimal_places=1)
    reasons = models.JSONField(_("reasons"), default=list)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk grade")
        verbose_name_plural = _("risk grades")

    def __str__(self) -> str:
        return f"{self.business_id}: {self.grade}"


class GradeChange(models.Model):
    """Every change of a business's grade, with the score and the reasons at that moment."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="grade_changes")
    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.PROTECT, related_name="+")
    old_grade = models.CharField(pgettext_lazy("grade before a change", "from"), max_length=2, blank=True)
    new_grade = models.CharField(_("to"), max_length=2)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1)
    reasons = models.JSONField(_("reasons"), default=list)
    trigger = models.CharField(_("trigger"), max_length=40)
    at = models.DateTimeField(_("time"), default=timezone.now)

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.business_id}: {self.old_grade or '—'} → {self.new_grade}"
