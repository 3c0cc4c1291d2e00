"""Risk grading (风险分级) as versioned, editable rule sets: static points by business type and scale,
dynamic points from indicators, score bands to grades, and the inspection frequency each grade needs."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shian.core.scoping import ScopedQuerySet
from shian.registry.choices import BusinessType, Scale
from shian.registry.models import Business

NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]
ZERO = Decimal("0")


class Attribute(models.TextChoices):
    """Business attributes (registry.Business boolean fields) that rules may name."""

    SPECIAL_FOOD = "special_food", _("special foods")
    IMPORTS_FOOD = "imports_food", _("imports food")
    CHAIN_HEADQUARTERS = "chain_headquarters", _("chain headquarters")
    CANTEEN_OUTSOURCED = "canteen_outsourced", _("canteen outsourced")


class Sector(models.TextChoices):
    """Order 49 speaks of 食品生产者 (SC licence) and 食品经营者 (everyone else: sales, catering, canteens)."""

    PRODUCER = "producer", _("food producers")
    SELLER = "seller", _("food sellers and caterers")


PRODUCER_TYPES = frozenset({BusinessType.FOOD_PRODUCTION.value})


def sector_of(business_type: str) -> str:
    return Sector.PRODUCER if business_type in PRODUCER_TYPES else Sector.SELLER


class RiskRuleSet(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    version = models.CharField(_("version"), max_length=20)
    source = models.TextField(_("source"))
    active = models.BooleanField(
        _("in force"), default=False, help_text=_("Exactly one rule set is in force; it grades every business.")
    )
    static_max = models.DecimalField(
        _("static points, at most"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("The cap on static points (SAMR 2016: 40). Empty: no cap."),
    )
    dynamic_max = models.DecimalField(
        _("dynamic points, at most"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("The cap on the sum of dynamic points (SAMR 2016: 60). Empty: no cap."),
    )

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk rule set")
        verbose_name_plural = _("risk rule sets")
        ordering = ["-active", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.pk:
            top = self.static_factors.order_by("-points").first()
            if self.static_max is not None and top and top.points > self.static_max:
                errors.setdefault("static_max", []).append(
                    _("The cap %(cap)s is below a static factor's points (%(row)s).")
                    % {"cap": self.static_max, "row": top}
                )
            top = self.dynamic_factors.order_by("-max_points").first()
            if self.dynamic_max is not None and top and top.max_points > self.dynamic_max:
                errors.setdefault("dynamic_max", []).append(
                    _("The cap %(cap)s is below a dynamic factor's maximum (%(row)s at most %(max)s).")
                    % {"cap": self.dynamic_max, "row": top.indicator, "max": top.max_points}
                )
            highest = self.bands.order_by("-min_score").first()
            reach = self.max_score
            if highest and reach is not None and highest.min_score >= reach:
                errors.setdefault("dynamic_max", []).append(
                    _("With these caps no score exceeds %(max)s, so grade %(g)s (above %(min)s) is never reached.")
                    % {"max": reach, "g": highest.grade, "min": highest.min_score}
                )
        if errors:
            raise ValidationError(errors)

    @property
    def max_score(self) -> Decimal | None:
        """The highest score the caps allow (None when either part is uncapped)."""
        if self.static_max is None or self.dynamic_max is None:
            return None
        return self.static_max + self.dynamic_max

    def problems(self) -> list[str]:
        """Every contradiction in the whole rule set (the caps, each row, the bands together): empty when
        it can grade. Checked before a rule set is put in force and whenever it is loaded to grade."""
        out: list[str] = []
        rows = [self, *self.static_factors.all(), *self.dynamic_factors.all(), *self.bands.all()]
        rows += list(self.key_rules.all())
        for row in rows:
            try:
                row.clean()
            except ValidationError as exc:
                label = str(row) if row is not self else str(self._meta.verbose_name)
                out += [f"{label}: {m}" for m in exc.messages]
        if not self.bands.exists():
            out.append(str(_("The rule set has no grade bands.")))
        return out


class StaticFactor(models.Model):
    """Points for what a business is: its type and, optionally, from which scale."""

    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.CASCADE, related_name="static_factors")
    business_type = models.CharField(_("business type"), max_length=20, choices=BusinessType.choices)
    attribute = models.CharField(
        _("only with attribute"),
        max_length=20,
        choices=Attribute.choices,
        blank=True,
        help_text=_("A row with an attribute applies, instead of the plain rows, to businesses that have it."),
    )
    min_scale = models.PositiveSmallIntegerField(_("from scale"), choices=Scale.choices, null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, validators=NOT_NEGATIVE)
    note = models.CharField(_("note"), max_length=255, blank=True)
    source = models.TextField(_("source"), blank=True, help_text=_("Empty: the rule set's source."))

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("static factor")
        verbose_name_plural = _("static factors")
        ordering = ["business_type", "attribute", "min_scale"]

    def __str__(self) -> str:
        extra = f" ({self.get_attribute_display()})" if self.attribute else ""
        return f"{self.get_business_type_display()}{extra}: {self.points}"

    def clean(self) -> None:
        if self.rule_set_id is None:
            return
        cap = self.rule_set.static_max
        if cap is not None and self.points is not None and self.points > cap:
            raise ValidationError(
                {
                    "points": _("%(p)s is above the rule set's cap on static points (%(cap)s).")
                    % {"p": self.points, "cap": cap}
                }
            )
        same = StaticFactor.objects.filter(
            rule_set_id=self.rule_set_id,
            business_type=self.business_type,
            attribute=self.attribute,
            min_scale=self.min_scale,
        ).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError(
                {"min_scale": _("The rule set already has a row for this business type, attribute and scale.")}
            )


class DynamicFactor(models.Model):
    """Points per unit of an indicator (core.indicators), capped."""

    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.CASCADE, related_name="dynamic_factors")
    indicator = models.CharField(_("indicator"), max_length=40)
    points_per_unit = models.DecimalField(_("points per unit"), max_digits=5, decimal_places=1, validators=NOT_NEGATIVE)
    max_points = models.DecimalField(_("at most"), max_digits=5, decimal_places=1, validators=NOT_NEGATIVE)
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

    def clean(self) -> None:
        if self.rule_set_id is None:
            return
        cap = self.rule_set.dynamic_max
        if cap is not None and self.max_points is not None and self.max_points > cap:
            raise ValidationError(
                {
                    "max_points": _("%(p)s is above the rule set's cap on dynamic points (%(cap)s).")
                    % {"p": self.max_points, "cap": cap}
                }
            )


TONE_BY_RISK = {"low": "", "medium": "warn", "high": "bad"}


class GradeBand(models.Model):
    """Scores above ``min_score`` (and up to the next band) give ``grade``, inspected this often."""

    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.CASCADE, related_name="bands")
    grade = models.CharField(_("grade"), max_length=2)
    min_score = models.DecimalField(_("from score (exclusive)"), max_digits=5, decimal_places=1)
    inspections_min = models.DecimalField(
        _("inspections per year, at least"), max_digits=4, decimal_places=2, validators=NOT_NEGATIVE
    )
    inspections_max = models.DecimalField(
        _("inspections per year, at most"), max_digits=4, decimal_places=2, validators=NOT_NEGATIVE
    )
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

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        lo, hi = self.inspections_min, self.inspections_max
        if lo is not None and hi is not None and lo > hi:
            errors["inspections_max"] = [_("At most (%(hi)s) is below at least (%(lo)s).") % {"hi": hi, "lo": lo}]
        if self.rule_set_id is not None and self.min_score is not None:
            others = list(GradeBand.objects.filter(rule_set_id=self.rule_set_id).exclude(pk=self.pk))
            clash = [b for b in others if b.min_score == self.min_score]
            if clash:  # two bands from the same score: one of them is never given (they overlap)
                errors.setdefault("min_score", []).append(
                    _("Grade %(g)s already starts above %(s)s: bands may not overlap.")
                    % {"g": clash[0].grade, "s": self.min_score}
                )
            lowest = min([b.min_score for b in others] + [self.min_score])
            if lowest >= ZERO:  # scores from 0 up to the lowest band's start would have no grade
                errors.setdefault("min_score", []).append(
                    _("The lowest band must start below 0: scores from 0 to %(s)s would have no grade.") % {"s": lowest}
                )
            reach = self.rule_set.max_score
            if reach is not None and self.min_score >= reach:
                errors.setdefault("min_score", []).append(
                    _("Scores never exceed %(max)s under the rule set's caps: this band would never be given.")
                    % {"max": reach}
                )
        if errors:
            raise ValidationError(errors)

    @property
    def tone(self) -> str:
        """The badge colour: decided by the band's risk level (data), never by its letter."""
        return TONE_BY_RISK.get(self.risk, "")


class KeySupervisionRule(models.Model):
    """Who is under 重点监督检查 (key supervision): a business matching every condition a row sets (sector,
    business type, attribute, grades). Key businesses are flagged with their grade and planned more often."""

    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.CASCADE, related_name="key_rules")
    label = models.CharField(_("label"), max_length=120)
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices, blank=True)
    business_type = models.CharField(_("business type"), max_length=20, choices=BusinessType.choices, blank=True)
    attribute = models.CharField(_("attribute"), max_length=20, choices=Attribute.choices, blank=True)
    grades = models.CharField(
        _("grades"), max_length=40, blank=True, help_text=_("Comma-separated, e.g. C,D. Empty: any grade.")
    )
    inspections_min = models.DecimalField(
        _("inspections per year, at least"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("Empty: the upper end of the grade's range."),
    )
    source = models.TextField(_("source"))

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("key-supervision rule")
        verbose_name_plural = _("key-supervision rules")
        ordering = ["rule_set", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def grade_list(self) -> list[str]:
        return [g.strip() for g in self.grades.split(",") if g.strip()]

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if not (self.sector or self.business_type or self.attribute or self.grades.strip()):
            errors["sector"] = [_("Set at least one condition: a rule without one puts every business under it.")]
        if self.sector and self.business_type and sector_of(self.business_type) != self.sector:
            errors["business_type"] = [
                _("%(t)s is not among %(s)s: no business could match.")
                % {"t": self.get_business_type_display(), "s": self.get_sector_display()}
            ]
        if self.rule_set_id is not None and self.grades.strip():
            known = set(GradeBand.objects.filter(rule_set_id=self.rule_set_id).values_list("grade", flat=True))
            unknown = [g for g in self.grade_list if g not in known]
            if unknown:
                errors["grades"] = [
                    _("Not a grade of this rule set: %(g)s (its grades: %(known)s).")
                    % {"g": ", ".join(unknown), "known": ", ".join(sorted(known))}
                ]
        if errors:
            raise ValidationError(errors)

    def matches(self, *, business_type: str, attributes: frozenset[str], grade: str) -> bool:
        return (
            (not self.sector or sector_of(business_type) == self.sector)
            and (not self.business_type or business_type == self.business_type)
            and (not self.attribute or self.attribute in attributes)
            and (not self.grades.strip() or grade in self.grade_list)
        )


class BusinessGrade(models.Model):
    """A business's current grade under the rule set in force, with the score broken down."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="grade")
    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("grade"), max_length=2, db_index=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1)
    static_points = models.DecimalField(_("static points"), max_digits=6, decimal_places=1)
    dynamic_points = models.DecimalField(_("dynamic points"), max_digits=6, decimal_places=1)
    reasons = models.JSONField(_("reasons"), default=list)
    key_supervision = models.BooleanField(_("key supervision"), default=False)
    key_reasons = models.JSONField(_("key-supervision reasons"), default=list)
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
