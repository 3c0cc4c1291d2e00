from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")
    SERIOUS = "serious", _("Serious")


class HazardState(models.TextChoices):
    FOUND = "found", _("Found")
    ORDERED = "ordered", _("Rectification ordered")
    RECTIFYING = "rectifying", _("Rectifying")
    EVIDENCE_SUBMITTED = "evidence_submitted", _("Evidence submitted")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", pgettext_lazy("hazard state", "Closed")
    ESCALATED = "escalated", _("Escalated to a case")


class HazardSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    INSPECTION = "inspection", _("Inspection")
    SELF_CHECK = "self_check", _("Business self-check")


OPEN_STATES = (
    HazardState.FOUND,
    HazardState.ORDERED,
    HazardState.RECTIFYING,
    HazardState.EVIDENCE_SUBMITTED,
    HazardState.VERIFIED,
)


# how each severity and state is shown (a badge's tone: "bad", "warn", "good" or "" for neutral)
SEVERITY_TONE = {Severity.GENERAL: "", Severity.MAJOR: "warn", Severity.SERIOUS: "bad"}
STATE_TONE = {
    HazardState.FOUND: "warn",
    HazardState.ORDERED: "warn",
    HazardState.RECTIFYING: "warn",
    HazardState.EVIDENCE_SUBMITTED: "",
    HazardState.VERIFIED: "good",
    HazardState.CLOSED: "good",
    HazardState.ESCALATED: "bad",
}
