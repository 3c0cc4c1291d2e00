"""包保 writes: assign officials, record visits (a problem found can raise a hazard)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import policy
from shian.core.audit import audit, diff, snapshot
from shian.core.choices import AuditAction, Role
from shian.core.models import User
from shian.core.scoping import ADD, assert_in_scope
from shian.hazards import services as hazard_services
from shian.hazards.choices import HazardSource
from shian.registry.models import Business

from .models import Assignment, Level, Visit

LEVEL_ROLES = {
    Level.CITY: {Role.CITY_ADMIN},
    Level.DISTRICT: {Role.DISTRICT_REGULATOR},
    Level.STREET: {Role.STREET_OFFICER, Role.INSPECTOR},
}


@transaction.atomic
def assignment_create(
    *,
    actor: User | None,
    official: User,
    business: Business,
    level: str,
    starts_on: dt.date | None = None,
    commitment_signed: bool = False,
) -> Assignment:
    policy.check(actor, ADD, "oversight.assignment")
    if official.role not in LEVEL_ROLES.get(level, set()):
        raise ValidationError(
            {
                "official": _("%(name)s (%(role)s) cannot hold a %(level)s assignment.")
                % {"name": official.display_name, "role": official.get_role_display(), "level": Level(level).label}
            }
        )
    if official.region is None or not business.region_path.startswith(official.region.path):
        raise ValidationError(
            {"official": _("%(name)s's region does not cover this business.") % {"name": official.display_name}}
        )
    assignment = Assignment(
        official=official,
        business=business,
        level=level,
        starts_on=starts_on or timezone.localdate(),
        commitment_signed=commitment_signed,
    )
    assignment.full_clean()
    assignment.save()
    assert_in_scope(actor, assignment, ADD)
    audit(actor=actor, action=AuditAction.CREATE, obj=assignment, changes=diff({}, snapshot(assignment)))
    return assignment


@transaction.atomic
def visit_record(
    *,
    actor: User,
    assignment: Assignment,
    visited_on: dt.date | None = None,
    findings: str = "",
    problem_found: bool = False,
    raise_hazard: bool = False,
) -> Visit:
    policy.check(actor, "record_visit", assignment)  # only the assigned official, in their area
    visited_on = visited_on or timezone.localdate()
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("The visit date cannot be in the future.")})
    if visited_on < assignment.starts_on:
        raise ValidationError(
            {"visited_on": _("The visit is before the assignment started (%(d)s).") % {"d": assignment.starts_on}}
        )
    if raise_hazard and not findings.strip():
        raise ValidationError({"findings": _("Describe the problem to raise a hazard.")})
    visit = Visit(
        assignment=assignment, visited_on=visited_on, findings=findings, problem_found=problem_found or raise_hazard
    )
    if raise_hazard:
        hazard = hazard_services.hazard_create(
            actor=actor,
            business=assignment.business,
            title=findings[:200],
            source=HazardSource.MANUAL,
            found_on=visited_on,
            description=_("Found during a supervision (包保) visit."),
        )
        visit.hazard_id = hazard.pk
    visit.save()
    assert_in_scope(actor, visit, ADD)
    audit(actor=actor, action=AuditAction.CREATE, obj=visit, changes=diff({}, snapshot(visit)))
    return visit
