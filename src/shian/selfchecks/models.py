"""The businesses' own checks (日管控、周排查、月调度): the officer's daily check against a checklist,
the director's weekly review, the monthly scheduling report. Days without problems are still filed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shian.core.models import User
from shian.core.scoping import ScopedQuerySet
from shian.registry.models import Business


class Kind(models.TextChoices):
    DAILY = "daily", _("Daily check")
    WEEKLY = "weekly", _("Weekly review")
    MONTHLY = "monthly", _("Monthly scheduling")


class DailyItem(models.Model):
    """An item of the daily risk-control checklist (日管控), asked of the business types it lists (none listed:
    every type) — a producer or a seller is not asked about 生熟分开 or tableware disinfection."""

    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("item"), max_length=255)
    business_types = models.JSONField(
        _("business types"),
        default=list,
        blank=True,
        help_text=_("The business types asked this item (registry business type codes); empty: every type."),
    )
    source = models.CharField(_("source"), max_length=255, blank=True)
    active = models.BooleanField(pgettext_lazy("rule in force", "active"), default=True)

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily check item")
        verbose_name_plural = _("daily check items")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.text

    def applies_to(self, business_type: str) -> bool:
        return not self.business_types or business_type in self.business_types

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from shian.registry.choices import BusinessType

        unknown = [t for t in self.business_types or [] if t not in BusinessType.values]
        if not isinstance(self.business_types, list) or unknown:
            raise ValidationError({"business_types": _("Unknown business types: %(t)s.") % {"t": unknown}})


class SelfCheck(models.Model):
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="self_checks"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(
        _("period"), help_text=_("The day, the Monday of the week, or the 1st of the month.")
    )
    filed_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    items = models.JSONField(_("checklist"), default=list, blank=True)
    problems = models.PositiveSmallIntegerField(_("problems found"), default=0)
    report = models.TextField(_("report"), blank=True)
    filed_late = models.BooleanField(
        _("filed late"), default=False, help_text=_("Filed after its period had ended (a day, week or month).")
    )

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-check")
        verbose_name_plural = _("self-checks")
        ordering = ["-period_start", "kind"]
        constraints = [models.UniqueConstraint(fields=["business", "kind", "period_start"], name="selfcheck_unique")]
        indexes = [models.Index(fields=["kind", "period_start"], name="selfcheck_kind_period_idx")]

    def __str__(self) -> str:
        return f"{self.business_id} {self.kind} {self.period_start}"

    @property
    def period_label(self) -> str:
        """The day, "2026年第48周 (11-23 – 11-29)" or "2026年11月"."""
        from .periods import period_label

        return period_label(self.kind, self.period_start)
