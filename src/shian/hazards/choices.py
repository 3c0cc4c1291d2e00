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


class IncidentLevel(models.TextChoices):
    """食品安全事故 grading of the national emergency plan (国家食品安全事故应急预案, 2011, §1.3):
    I 特别重大, II 重大, III 较大, IV 一般. Blank while not yet graded."""

    GENERAL = "iv", _("General (level IV)")
    LARGER = "iii", _("Larger (level III)")
    MAJOR = "ii", _("Major (level II)")
    ESPECIALLY_MAJOR = "i", _("Especially major (level I)")


class IncidentSource(models.TextChoices):
    """How the incident came to the bureau (Food Safety Law Art. 103: the business, the treating medical
    institution, a report by the public, or the bureau's own work)."""

    MEDICAL = "medical", _("Report by a medical institution")
    BUSINESS = "business", _("Report by the business")
    COMPLAINT = "complaint", _("Complaint or tip-off")
    INSPECTION = "inspection", _("Found in supervision")
    OTHER = "other", pgettext_lazy("incident source", "Other")


class LeadReason(models.TextChoices):
    """Why a case lead (案件线索) was raised."""

    SERIOUS = "serious", _("Serious hazard")
    OVERDUE = "overdue", _("Rectification overdue")
    REFERRAL = "referral", _("Referred by an official")


class LeadState(models.TextChoices):
    OPEN = "open", pgettext_lazy("case lead state", "Awaiting decision")
    ACCEPTED = "accepted", pgettext_lazy("case lead state", "Case opened (立案)")
    DECLINED = "declined", pgettext_lazy("case lead state", "Not opened (不予立案)")


class DeclineGround(models.TextChoices):
    """Grounds for not opening a case, 市场监督管理行政处罚程序规定 (SAMR Order 2, 2018, rev. 2021/2022) Art. 20."""

    MINOR_CORRECTED = "minor", _("Minor, corrected in time, no harm (Art. 20 (1))")
    FIRST_MINOR = "first", _("First offence, slight harm, corrected in time (Art. 20 (2))")
    NO_FAULT = "no_fault", _("The business proves it was not at fault (Art. 20 (3))")
    OTHER = "other", _("Other ground allowed by law (Art. 20 (4))")


LEAD_STATE_TONE = {LeadState.OPEN: "warn", LeadState.ACCEPTED: "bad", LeadState.DECLINED: ""}
