"""The register of food businesses, their licences and their food-safety staff."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from shian.core.fields import EncryptedTextField, KeyedHashField
from shian.core.models import Region, User
from shian.core.personal import normalise_id_number, validate_id_number
from shian.core.scoping import ScopedQuerySet
from shian.core.validators import (
    normalise_code,
    normalise_uscc,
    validate_business_licence,
    validate_filing_number,
    validate_phone,
    validate_production_licence,
    validate_uscc,
)

from .choices import BusinessStatus, BusinessType, ImportStatus, LicenceKind, Scale, StaffEmployer, StaffRole

# What the 两员 rules can require: a role, or a role employed by the unit itself / by its contractor
# (``<role>_<employer>``, for a canteen run by a contractor). Business.staffing_missing stores these keys.
REQUIREMENT_LABELS = {
    "director": StaffRole.DIRECTOR.label,
    "director_own": _("food-safety director of the unit itself"),
    "director_contractor": _("contractor's food-safety director"),
    "officer": StaffRole.OFFICER.label,
    "officer_own": _("food-safety officer of the unit itself"),
    "officer_contractor": _("contractor's food-safety officer"),
}


def requirement_key(role: str, employer: str = "") -> str:
    return f"{role}_{employer}" if employer else role


# Plausible licence dates (docs/security.md, "Bad input: dates and numbers"). A food production or business
# licence is valid for five years (食品生产许可管理办法, 2020; 食品经营许可和备案管理办法, 2023), so none held
# today ends more than five years from today; the first food hygiene licences date from the trial Food
# Hygiene Law (中华人民共和国食品卫生法(试行), in force 1983-07-01), so no licence was issued before it.
LICENCE_TERM_YEARS = 5
LICENCE_EARLIEST_ISSUE = dt.date(1983, 7, 1)


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 2, 28)


def _not_future(value, field_label) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(
            _("%(field)s cannot be in the future (%(value)s).") % {"field": field_label, "value": value}
        )


class Business(models.Model):
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    type = models.CharField(_("business type"), max_length=20, choices=BusinessType.choices)
    scale = models.PositiveSmallIntegerField(_("scale"), choices=Scale.choices, default=Scale.SMALL)
    diners_per_meal = models.PositiveIntegerField(
        _("diners per meal"), null=True, blank=True, help_text=_("For canteens and meal suppliers.")
    )
    address = models.CharField(_("address"), max_length=255)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="businesses")
    # copy of region.path: scoping and region filters become one prefix match on this row, no join
    region_path = models.CharField(max_length=128, editable=False, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BusinessStatus.choices, default=BusinessStatus.OPERATING
    )
    # attributes the rules need beyond the licensing category (两员 rules, 重点监督检查, import chain)
    imports_food = models.BooleanField(_("imports food"), default=False)
    chain_headquarters = models.BooleanField(_("chain headquarters"), default=False)
    special_food = models.BooleanField(
        _("special foods"),
        default=False,
        help_text=_("Produces health foods, infant formula or foods for special medical purposes."),
    )
    canteen_outsourced = models.BooleanField(
        _("canteen outsourced"), default=False, help_text=_("The canteen is run by a contracted catering company.")
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    # often the owner's own mobile (a sole trader's, a small shop's): personal data, encrypted like staff phones
    contact_phone = EncryptedTextField(
        _("contact phone"), max_length=20, blank=True, validators=[validate_phone], mask="phone"
    )
    contact_phone_hash = KeyedHashField(source="contact_phone", normalise="shian.core.personal.normalise_phone")
    # derived by services.staffing_refresh from the StaffingRule table and the active staff
    staffing_complete = models.BooleanField(_("two staff complete"), default=False, editable=False)
    staffing_missing = models.CharField(_("missing staff roles"), max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    scope_path_lookup = "region_path"
    scope_business_lookup = "pk"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name", "id"]
        # No single-column indexes on low-selectivity columns (type, status, staffing): at city size a
        # sequential scan beats random index access, and such indexes mislead SQLite's planner.

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.region_path = self.region.path if self.region_id else ""
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.uscc:
            self.uscc = normalise_uscc(self.uscc)
        errors = {}
        if self.latitude is not None and not (-90 <= self.latitude <= 90):
            errors["latitude"] = _("Latitude must be between -90 and 90.")
        if self.longitude is not None and not (-180 <= self.longitude <= 180):
            errors["longitude"] = _("Longitude must be between -180 and 180.")
        if errors:
            raise ValidationError(errors)

    @property
    def staffing_missing_display(self) -> str:
        """The missing roles as people say them ("食品安全总监、食品安全员", "本单位食品安全总监"), not the
        stored keys."""
        keys = [k for k in self.staffing_missing.split(",") if k]
        return pgettext("list separator", "; ").join(str(REQUIREMENT_LABELS.get(k, k)) for k in keys)

    @property
    def staffing_badge(self) -> str:
        """What the 两员 badge says: "配备齐全", or what is missing ("缺本单位食品安全总监")."""
        if self.staffing_complete:
            return str(_("Two staff complete"))
        return pgettext("two staff badge", "Missing %(roles)s") % {"roles": self.staffing_missing_display}


class Licence(models.Model):
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="licences"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=LicenceKind.choices)
    number = models.CharField(_("licence number"), max_length=32, unique=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    issuing_authority = models.CharField(_("issuing authority"), max_length=100, blank=True)
    scope = models.CharField(_("licensed activities"), max_length=255, blank=True)

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["valid_until", "id"]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        errors = {}
        self.number = normalise_code(self.number)
        try:
            if self.kind == LicenceKind.PRODUCTION:
                validate_production_licence(self.number)
            elif self.kind == LicenceKind.BUSINESS:
                validate_business_licence(self.number)
            elif self.kind == LicenceKind.FILING:
                validate_filing_number(self.number)
        except ValidationError as exc:
            errors["number"] = exc.messages
        try:
            _not_future(self.issued_on, _("Issue date"))
        except ValidationError as exc:
            errors["issued_on"] = exc.messages
        if self.issued_on and "issued_on" not in errors and self.issued_on < LICENCE_EARLIEST_ISSUE:
            errors["issued_on"] = _("%(d)s is too early: food hygiene licences began on %(e)s.") % {
                "d": self.issued_on,
                "e": LICENCE_EARLIEST_ISSUE,
            }
        if self.kind != LicenceKind.FILING and self.valid_until is None:
            errors["valid_until"] = _("A licence needs its expiry date.")
        latest_expiry = _years_after(timezone.localdate(), LICENCE_TERM_YEARS)
        if self.valid_until and self.valid_until > latest_expiry:
            errors["valid_until"] = _(
                "%(d)s is too late: a licence is valid for %(n)d years, so no licence held today ends after %(l)s."
            ) % {"d": self.valid_until, "n": LICENCE_TERM_YEARS, "l": latest_expiry}
        if self.issued_on and self.valid_until and self.valid_until < self.issued_on:
            errors["valid_until"] = _("Expiry date is before the issue date.")
        if errors:
            raise ValidationError(errors)

    @property
    def days_left(self) -> int | None:
        if self.valid_until is None:
            return None
        return (self.valid_until - timezone.localdate()).days


class Staff(models.Model):
    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("role"), max_length=12, choices=StaffRole.choices)
    name = models.CharField(_("name"), max_length=50)
    employer = models.CharField(
        _("employed by"),
        max_length=12,
        choices=StaffEmployer.choices,
        default=StaffEmployer.OWN_UNIT,
        help_text=_("A canteen run by a contractor has the unit's own director besides the contractor's."),
    )
    contractor_name = models.CharField(
        _("contractor"), max_length=100, blank=True, help_text=_("The contracted company, when it employs this person.")
    )
    # personal data: encrypted at rest, found by the keyed hash, shown masked (docs/security.md)
    phone = EncryptedTextField(_("phone"), max_length=20, blank=True, validators=[validate_phone], mask="phone")
    phone_hash = KeyedHashField(source="phone", normalise="shian.core.personal.normalise_phone")
    id_number = EncryptedTextField(
        _("identity number"),
        max_length=18,
        blank=True,
        validators=[validate_id_number],
        mask="id_number",
        help_text=_("Resident identity number, commonly recorded for the food-safety director."),
    )
    id_number_hash = KeyedHashField(source="id_number", normalise="shian.core.personal.normalise_id_number")
    trained_on = models.DateField(_("last training"), null=True, blank=True)
    assessed_on = models.DateField(_("last assessment"), null=True, blank=True)
    assessment_passed = models.BooleanField(_("assessment passed"), null=True, blank=True)
    active = models.BooleanField(pgettext_lazy("staff member", "active"), default=True)

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("food-safety staff member")
        verbose_name_plural = _("food-safety staff")
        ordering = ["business", "role", "name"]
        constraints = [models.UniqueConstraint(fields=["business", "role", "name"], name="staff_unique_person_role")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    def clean(self) -> None:
        errors = {}
        for field, label in (("trained_on", _("Training date")), ("assessed_on", _("Assessment date"))):
            try:
                _not_future(getattr(self, field), label)
            except ValidationError as exc:
                errors[field] = exc.messages
        if self.id_number:
            self.id_number = normalise_id_number(self.id_number)
        self.contractor_name = (self.contractor_name or "").strip()
        if self.employer == StaffEmployer.CONTRACTOR and not self.contractor_name:
            errors["contractor_name"] = _("Name the contractor that employs this person.")
        elif self.employer != StaffEmployer.CONTRACTOR:
            self.contractor_name = ""  # only a contractor's employee has one
        if errors:
            raise ValidationError(errors)

    @property
    def requirement_keys(self) -> set[str]:
        """The 两员 requirements this person meets: their role, and their role as the employer's."""
        return {self.role, requirement_key(self.role, self.employer)}

    @property
    def employer_display(self) -> str:
        if self.employer == StaffEmployer.CONTRACTOR and self.contractor_name:
            return f"{self.get_employer_display()}（{self.contractor_name}）"
        return str(self.get_employer_display())


class StaffingRule(models.Model):
    """Which business types must appoint which of the two staff (两员), by attribute, scale and diners.

    A business needs ``role`` when its type matches, it has ``required_attribute`` (if one is given)
    and it meets every threshold given on the row; rows are alternatives. Diners thresholds say how the
    number itself counts: the regulations write 以上 (at least: 300 counts) or 超过 (more than: 1000 does
    not count). Editable by a city administrator: provinces revise these. Contradictory rows (the same
    threshold both inclusive and exclusive, duplicates) are refused by ``clean``."""

    class Attribute(models.TextChoices):
        # values are Business boolean fields
        SPECIAL_FOOD = "special_food", _("special foods")
        CHAIN_HEADQUARTERS = "chain_headquarters", _("chain headquarters")
        CANTEEN_OUTSOURCED = "canteen_outsourced", _("canteen outsourced")

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", _("at least (≥, the number itself counts: 以上)")
        MORE_THAN = "gt", _("more than (>, the number itself does not count: 超过)")

    business_type = models.CharField(_("business type"), max_length=20, choices=BusinessType.choices)
    required_attribute = models.CharField(
        _("only when the business has"),
        max_length=24,
        choices=Attribute.choices,
        blank=True,
        default="",
        help_text=_("Leave blank for every business of the type."),
    )
    role = models.CharField(_("role"), max_length=12, choices=StaffRole.choices)
    employer = models.CharField(
        _("employed by"),
        max_length=12,
        choices=StaffEmployer.choices,
        blank=True,
        default="",
        help_text=_(
            "Leave blank for anyone in the role. For a canteen run by a contractor (dual directors): the unit "
            "itself, or the contractor."
        ),
    )
    min_scale = models.PositiveSmallIntegerField(_("from scale"), choices=Scale.choices, null=True, blank=True)
    min_diners = models.PositiveIntegerField(_("diners per meal threshold"), null=True, blank=True)
    diners_comparison = models.CharField(
        _("diners comparison"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    source = models.CharField(_("source"), max_length=255)
    active = models.BooleanField(pgettext_lazy("rule in force", "active"), default=True)

    scope_city_wide = True  # city-wide configuration, read through a grant
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("staffing rule")
        verbose_name_plural = _("staffing rules")
        ordering = ["business_type", "role", "required_attribute", "min_scale", "min_diners"]

    def __str__(self) -> str:
        return f"{self.get_business_type_display()} → {self.requirement_label}"

    @property
    def requirement(self) -> str:
        """The requirement key this row adds: "director", or "director_own" for the unit's own director."""
        return requirement_key(self.role, self.employer)

    @property
    def requirement_label(self) -> str:
        return str(REQUIREMENT_LABELS.get(self.requirement, self.get_role_display()))

    @property
    def condition(self) -> str:
        """The row's condition in words, e.g. "chain headquarters; > 1000 diners"."""
        parts = []
        if self.required_attribute:
            parts.append(str(self.get_required_attribute_display()))
        if self.min_scale is not None:
            parts.append(_("from %(scale)s") % {"scale": self.get_min_scale_display()})
        if self.min_diners is not None:
            sign = ">" if self.diners_comparison == self.Comparison.MORE_THAN else "≥"
            parts.append(_("%(sign)s %(n)s diners per meal") % {"sign": sign, "n": self.min_diners})
        return "; ".join(parts) or str(_("every business of the type"))

    def applies_to(
        self, business_type: str, scale: int, diners: int | None, attributes: frozenset[str] | set[str] = frozenset()
    ) -> bool:
        if not (self.active and self.business_type == business_type):
            return False
        if self.required_attribute and self.required_attribute not in attributes:
            return False
        if self.min_scale is not None and scale < self.min_scale:
            return False
        if self.min_diners is not None:
            served = diners or 0
            if self.diners_comparison == self.Comparison.MORE_THAN:
                return served > self.min_diners
            return served >= self.min_diners
        return True

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.min_diners is not None and self.min_diners < 0:
            errors["min_diners"] = _("The diners threshold cannot be negative.")
        if self.diners_comparison == self.Comparison.MORE_THAN and self.min_diners is None:
            errors["min_diners"] = _("“More than” needs a diners per meal threshold.")
        if self.employer and self.role != StaffRole.DIRECTOR:
            # the rules name whose director (双食品安全总监); an officer's employer is never required
            errors["employer"] = _("Only a director row can name whose employee the person must be.")
        if errors:
            raise ValidationError(errors)
        if not (self.active and self.business_type and self.role):
            return  # inactive rows take part in nothing, so they contradict nothing
        same = StaffingRule.objects.filter(
            active=True,
            business_type=self.business_type,
            role=self.role,
            employer=self.employer or "",
            required_attribute=self.required_attribute or "",
            min_scale=self.min_scale,
            min_diners=self.min_diners,
        ).exclude(pk=self.pk)
        for other in same:
            if other.diners_comparison != self.diners_comparison:
                raise ValidationError(  # on the threshold: the field every rule form shows
                    {
                        "min_diners": _(
                            "Rule #%(pk)s already counts %(n)s diners for this type and role as “%(other)s”: "
                            "one threshold cannot be both inclusive and exclusive. Edit or deactivate that rule."
                        )
                        % {"pk": other.pk, "n": other.min_diners, "other": other.get_diners_comparison_display()}
                    }
                )
            raise ValidationError(
                _("This rule repeats active rule #%(pk)s (%(source)s).") % {"pk": other.pk, "source": other.source}
            )


class BusinessAccount(models.Model):
    """An account that acts for one business: its food-safety staff (企业食品安全人员) or a canteen's
    manager. The link lives here, not on ``core.User``, so that core knows no later app."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="business_account"
    )
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="accounts"
    )

    scope_path_lookup = "business__region_path"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("business account")
        verbose_name_plural = _("business accounts")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.business_id}"


class ImportRun(models.Model):
    """One import of a file: all rows were written, or none; the errors are kept for the report."""

    kind = models.CharField(max_length=32, default="businesses")
    filename = models.CharField(_("file"), max_length=255)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    business = models.ForeignKey(Business, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)
    seconds = models.FloatField(default=0)

    scope_region_lookup = "region"
    scope_business_lookup = "business"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
