from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegionLevel(models.IntegerChoices):
    CITY = 1, _("City")
    DISTRICT = 2, _("District/county")
    STREET = 3, _("Street/town")
    GRID = 4, _("Community grid")


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    DISTRICT_REGULATOR = "district_regulator", _("District regulator")
    STREET_OFFICER = "street_officer", _("Street/grid officer")
    INSPECTOR = "inspector", _("Inspector")
    BUSINESS_STAFF = "business_staff", _("Business food-safety staff")
    CANTEEN_MANAGER = "canteen_manager", _("School/canteen manager")
    LABORATORY = "laboratory", _("Laboratory")
    INSURER = "insurer", _("Insurer")
    PUBLIC = "public", _("Public")
    # 三员 (GB/T 22239-2019 level 3, 8.1.4.x / 8.1.10.x): three administrators whose powers do not overlap
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", pgettext_lazy("audit action", "Updated")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("State change")
    IMPORT = "import", _("Imported")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    DENIED = "denied", _("Access denied")
    EXPORT = "export", _("Exported")
    REVEAL = "reveal", _("Personal data shown")  # one masked value shown in full (core/reveal.py)
    BACKUP = "backup", _("Backed up")
    RESTORE = "restore", _("Restored")
    BREAK_GLASS = "break_glass", _("Emergency access")


# who regulates (region-scoped officials) and who speaks for a business (scoped to one business)
REGULATOR_ROLES = (Role.CITY_ADMIN, Role.DISTRICT_REGULATOR, Role.STREET_OFFICER, Role.INSPECTOR)
BUSINESS_ROLES = (Role.BUSINESS_STAFF, Role.CANTEEN_MANAGER)
# the three administrators (三员): accounts and settings / roles and policies / audit; no role is two of them
ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
