"""包保督导: officials at city, district and street level assigned to supervise businesses, with a
required visit frequency per level (editable), and their visit records."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shian.core.models import User
from shian.core.scoping import ScopedQuerySet
from shian.registry.models import Business


class Level(models.TextChoices):
    CITY = "city", _("City level")
    DISTRICT = "district", _("District level")
    STREET = "street", _("Street level")


class FrequencyRule(models.Model):
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, unique=True)
    every_days = models.PositiveSmallIntegerField(_("at least one visit every (days)"))
    source = models.CharField(_("source"), max_length=255)

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit frequency")
        verbose_name_plural = _("visit frequencies")
        ordering = ["every_days"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.every_days}"


class Assignment(models.Model):
    official = models.ForeignKey(
        User, verbose_name=_("official"), on_delete=models.PROTECT, related_name="oversight_assignments"
    )
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="oversight_assignments"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    starts_on = models.DateField(pgettext_lazy("start of a window", "from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    commitment_signed = models.BooleanField(_("commitment letter signed"), default=False)

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision assignment (包保)")
        verbose_name_plural = _("supervision assignments (包保)")
        ordering = ["business", "level"]
        constraints = [models.UniqueConstraint(fields=["business", "level", "official"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.official} → {self.business} ({self.level})"


class Visit(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"), default=timezone.localdate)
    findings = models.TextField(_("findings"), blank=True)
    problem_found = models.BooleanField(_("problem found"), default=False)
    hazard_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="hazard raised from this visit")
    recorded_at = models.DateTimeField(default=timezone.now)

    scope_path_lookup = "assignment__business__region_path"
    scope_business_lookup = "assignment__business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision visit (包保)")
        verbose_name_plural = _("supervision visits (包保)")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.visited_on}"
