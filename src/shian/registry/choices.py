from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BusinessType(models.TextChoices):
    FOOD_PRODUCTION = "production", _("Food production")
    FOOD_SALES = "sales", _("Food sales")
    CATERING = "catering", _("Catering")
    SCHOOL_CANTEEN = "school_canteen", _("School canteen")
    KINDERGARTEN_CANTEEN = "kindergarten_canteen", _("Kindergarten canteen")
    ELDERLY_CANTEEN = "elderly_canteen", _("Elderly-care institution canteen")
    OTHER_CANTEEN = "other_canteen", _("Other workplace canteen")
    CENTRAL_KITCHEN = "central_kitchen", _("Central kitchen")
    GROUP_MEAL = "group_meal", _("Group-meal distributor")
    TAKEOUT = "takeout", _("Online catering provider")
    # Importers are not a licensing category (业态): an importer is a producer or seller that also
    # imports, recorded on Business.imports_food.


class BusinessStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", pgettext_lazy("business status", "Deregistered")
    REVOKED = "revoked", pgettext_lazy("business status", "Licence revoked")


class Scale(models.IntegerChoices):
    SMALL = 1, _("Small")
    MEDIUM = 2, _("Medium")
    LARGE = 3, _("Large")


class LicenceKind(models.TextChoices):
    PRODUCTION = "SC", _("Food production licence")
    BUSINESS = "JY", _("Food business licence")
    FILING = "filing", _("Filing (prepackaged sales only)")


class StaffRole(models.TextChoices):
    DIRECTOR = "director", _("Food-safety director")
    OFFICER = "officer", _("Food-safety officer")


class StaffEmployer(models.TextChoices):
    """Whose employee a staff member is: a canteen run by a contractor (委托承包经营) has the unit's own
    director besides the contractor's (双食品安全总监)."""

    OWN_UNIT = "own", _("The unit itself")
    CONTRACTOR = "contractor", _("The contractor")


class ImportStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
