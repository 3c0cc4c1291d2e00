"""包保 writes: assign officials, record visits (a problem found can raise a hazard)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import checklists, policy
from shian.core.audit import audit, diff, snapshot
from shian.core.choices import AuditAction, Role
from shian.core.models import User
from shian.core.scoping import ADD, assert_in_scope
from shian.core.validators import (
    ASSIGNMENT_WINDOW_DAYS,
    VISIT_BACKFILL_DAYS,
    days_ago,
    days_ahead,
    validate_date_window,
    validate_recorded_day,
)
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


def check_assignment_start(starts_on: dt.date | None) -> None:
    """An assignment entered now starts at most ``ASSIGNMENT_WINDOW_DAYS`` before or after today (the demo's
    history, written by the generator, may start earlier)."""
    validate_date_window(
        starts_on,
        field="starts_on",
        earliest=days_ago(ASSIGNMENT_WINDOW_DAYS),
        latest=days_ahead(ASSIGNMENT_WINDOW_DAYS),
        earliest_reason=_("An assignment is entered at most %(n)d days after it started.")
        % {"n": ASSIGNMENT_WINDOW_DAYS},
        latest_reason=_("An assignment is entered at most %(n)d days before it starts.")
        % {"n": ASSIGNMENT_WINDOW_DAYS},
    )


def check_visit_day(visited_on: dt.date | None) -> None:
    """A visit recorded now (a form, the API): at most ``VISIT_BACKFILL_DAYS`` ago, not in the future (the
    demo's and tests' history, written through ``visit_record``, may be older)."""
    validate_recorded_day(visited_on, field="visited_on", days=VISIT_BACKFILL_DAYS)


DAILY_CHECKLIST = "selfchecks.daily"  # the business's daily-control items (core.checklists), answered on a visit


def visit_checklist(business: Business) -> list[checklists.Item]:
    """The items an official answers on a visit: the business's own daily-control checklist."""
    return checklists.items(DAILY_CHECKLIST, business=business)


def visit_findings(
    items: list[checklists.Item], answers: dict[int, str], notes: dict[int, str], other: str = ""
) -> str:
    """The findings text of a visit answered on the checklist: how many items, the 否 items with their
    notes (each on its own line), then what the official wrote besides."""
    no = [i for i in items if answers.get(i.id) == checklists.NO]
    na = sum(1 for i in items if answers.get(i.id) == checklists.NA)
    lines = []
    if items:
        lines.append(
            _("Daily-control items checked: %(t)d; in order: %(yes)d; not in order: %(no)d; not applicable: %(na)d.")
            % {"t": len(items), "yes": len(items) - len(no) - na, "no": len(no), "na": na}
        )
        lines += [_problem(i.text, notes.get(i.id, "")) for i in no]
    if other.strip():
        lines.append(other.strip())
    return "\n".join(lines)


def _problem(text: str, note: str) -> str:
    note = note.strip()
    if note:
        return _("%(note)s (not met: %(item)s)") % {"note": note, "item": text}
    return _("Not met: %(item)s") % {"item": text}


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@transaction.atomic
def visit_record(
    *,
    actor: User,
    assignment: Assignment,
    visited_on: dt.date | None = None,
    findings: str = "",
    problem_found: bool = False,
    raise_hazard: bool = False,
    answers: dict[int, str] | None = None,
    notes: dict[int, str] | None = None,
    all_ok: bool = False,
) -> Visit:
    """Record a visit. With ``answers`` ``{item id: "yes"|"no"|"na"}`` the official answered the business's
    daily-control checklist: every item (unless ``all_ok``, 全部符合: the rest are 是); the 否 items and
    their ``notes`` become the findings, before any ``findings`` text, and a 否 is a problem found. The
    optional hazard is titled by the 否 items (or the findings) and carries the whole text."""
    policy.check(actor, "record_visit", assignment)  # only the assigned official, in their area
    visited_on = visited_on or timezone.localdate()
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("The visit date cannot be in the future.")})
    if visited_on < assignment.starts_on:
        raise ValidationError(
            {"visited_on": _("The visit is before the assignment started (%(d)s).") % {"d": assignment.starts_on}}
        )
    title = findings.strip()
    if answers is not None:
        items = visit_checklist(assignment.business)
        answers = checklists.complete(items, answers, all_ok=all_ok)
        notes = notes or {}
        failed = [i for i in items if answers[i.id] == checklists.NO]
        problem_found = problem_found or bool(failed)
        if failed:
            title = "; ".join(_problem(i.text, notes.get(i.id, "")) for i in failed)
        findings = visit_findings(items, answers, notes, findings)
    if raise_hazard and not title:
        raise ValidationError({"findings": _("Describe the problem to raise a hazard.")})
    visit = Visit(
        assignment=assignment, visited_on=visited_on, findings=findings, problem_found=problem_found or raise_hazard
    )
    visit.save()
    assert_in_scope(actor, visit, ADD)
    if raise_hazard:
        hazard = hazard_services.hazard_create(
            actor=actor,
            business=assignment.business,
            title=_shorten(title),
            source=HazardSource.MANUAL,
            origin=f"oversight.visit:{visit.pk}",
            found_on=visited_on,
            description=_("Found during a supervision (包保) visit.") + ("\n" + findings if findings != title else ""),
        )
        visit.hazard_id = hazard.pk
        visit.save(update_fields=["hazard_id"])
    audit(actor=actor, action=AuditAction.CREATE, obj=visit, changes=diff({}, snapshot(visit)))
    return visit
