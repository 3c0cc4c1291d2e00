"""Supervision writes: recomputing risk grades (all or some businesses), switching and editing rule sets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import indicators
from shian.core.audit import audit, diff, snapshot
from shian.core.choices import AuditAction
from shian.core.models import User
from shian.registry.choices import BusinessStatus
from shian.registry.models import Business

from .grading import RuleBook
from .models import Attribute, BusinessGrade, GradeChange, RiskRuleSet

CHUNK = 5000
ATTRIBUTES = tuple(Attribute.values)  # the Business flags the rules may name


def grades_recompute(
    *,
    business_ids: list[int] | None = None,
    trigger: str = "nightly",
    actor: User | None = None,
    as_of: dt.date | None = None,
) -> dict[str, int]:
    """Grade businesses under the rule set in force; keep a GradeChange (with reasons) for every grade
    that changes. Idempotent: a second run with the same data changes nothing. Returns counts.

    ``as_of`` grades as things stood at the end of a past day (from each module's dated records:
    inspections, hazards, licences), for the businesses on the register by then, and dates the grades
    and changes to that day: how a bureau back-fills grade history after importing past records.
    History only grows forward: a date before grades already computed is refused."""
    book = RuleBook.active()
    at = as_of_check(as_of, business_ids)
    businesses = Business.objects.order_by("pk")
    if business_ids is not None:
        businesses = businesses.filter(pk__in=business_ids)
    if at is not None:
        businesses = businesses.filter(created_at__lte=at)
    else:  # a current grade (and so planned visits) only for businesses that operate
        businesses = businesses.filter(status=BusinessStatus.OPERATING)
    ids = list(businesses.values_list("pk", flat=True))
    # Grading everyone: each indicator answers once for all businesses, and chunks are read by pk range
    # (thousands-long IN lists cost more to build and run than the rows they fetch).
    everyone = business_ids is None
    values = indicators.values(book.indicator_keys, None, as_of) if everyone else None
    counts = {"graded": 0, "changed": 0}
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            graded, changed = _grade_chunk(book, ids[start : start + CHUNK], trigger, as_of, at, values)
        counts["graded"] += graded
        counts["changed"] += changed
    if at is None:
        counts["changed"] += _retire_grades(book, business_ids, trigger)
    if actor is not None:
        audit(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=book.rule_set,
            note=f"grades recomputed ({trigger}{f', as of {as_of}' if as_of else ''}): "
            f"{counts['graded']} graded, {counts['changed']} changed",
        )
    return counts


def as_of_check(as_of: dt.date | None, business_ids: list[int] | None = None) -> dt.datetime | None:
    """Refuse a grading date that cannot extend history (today or later, or before grades already
    computed); return the end of that day. Callers that queue a regrade ask before queueing it."""
    if as_of is None:
        return None
    if as_of >= timezone.localdate():
        raise ValidationError({"as_of": _("Grade history is for past days; leave the date out to grade now.")})
    at = _end_of(as_of)
    later = GradeChange.objects.filter(at__gt=at)
    if business_ids is not None:
        later = later.filter(business_id__in=business_ids)
    first_later = later.order_by("at").values_list("at", flat=True).first()
    if first_later is not None:
        raise ValidationError(
            {
                "as_of": _("Grades were already computed on %(d)s; history can only be extended forward.")
                % {"d": timezone.localtime(first_later).date()}
            }
        )
    return at


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _grade_chunk(
    book: RuleBook,
    ids: list[int],
    trigger: str,
    as_of: dt.date | None,
    at: dt.datetime | None,
    values: dict[str, dict[int, float]] | None,
) -> tuple[int, int]:
    if values is None:  # some businesses: ask the indicators about these only
        values = indicators.values(book.indicator_keys, ids, as_of)
        grades = BusinessGrade.objects.filter(business_id__in=ids)
        rows = Business.objects.filter(pk__in=ids)
    else:  # everyone, in pk order: a range, then only the ids asked for (as_of leaves out later ones)
        grades = BusinessGrade.objects.filter(business_id__gte=ids[0], business_id__lte=ids[-1])
        rows = Business.objects.filter(pk__gte=ids[0], pk__lte=ids[-1])
    wanted = set(ids)
    current = {  # business id → (grade row id, rule set id, grade, score, reasons, key reasons), read as
        # plain rows: model instances for every grade would cost more than the grading
        row[0]: row[1:]
        for row in grades.values_list("business_id", "pk", "rule_set_id", "grade", "score", "reasons", "key_reasons")
        if row[0] in wanted
    }
    now = at or timezone.now()
    rule_set = book.rule_set
    new_rows, updated_rows, changes = [], [], []
    for pk, btype, scale, *flags in rows.values_list("pk", "type", "scale", *ATTRIBUTES):
        if pk not in wanted:
            continue
        attributes = frozenset(name for name, on in zip(ATTRIBUTES, flags, strict=True) if on)
        result = book.grade(btype, scale, {k: v.get(pk, 0) for k, v in values.items()}, attributes)
        row_id, old_rule_set, old_grade, old_score, old_reasons, old_key = current.get(pk, (None,) * 6)
        if (old_rule_set, old_grade, old_score, old_reasons, old_key) != (
            rule_set.pk,
            result.grade,
            result.score,
            result.reasons,
            result.key_reasons,
        ):
            grade = BusinessGrade(
                pk=row_id,
                business_id=pk,
                rule_set=rule_set,
                grade=result.grade,
                score=result.score,
                static_points=result.static_points,
                dynamic_points=result.dynamic_points,
                reasons=result.reasons,
                key_supervision=result.key_supervision,
                key_reasons=result.key_reasons,
                computed_at=now,
            )
            (new_rows if row_id is None else updated_rows).append(grade)
        if (old_rule_set, old_grade) != (rule_set.pk, result.grade):
            changes.append(
                GradeChange(
                    business_id=pk,
                    rule_set=rule_set,
                    old_grade=old_grade or "",
                    new_grade=result.grade,
                    score=result.score,
                    reasons=result.reasons,
                    trigger=trigger,
                    at=now,
                )
            )
    if updated_rows:  # a changed grade replaces its row: far cheaper than a CASE-per-field bulk update
        BusinessGrade.objects.filter(pk__in=[g.pk for g in updated_rows]).delete()
        for grade in updated_rows:
            grade.pk = None
    BusinessGrade.objects.bulk_create(new_rows + updated_rows, batch_size=1000)
    GradeChange.objects.bulk_create(changes, batch_size=1000)
    return len(ids), len(changes)


@transaction.atomic
def _retire_grades(book: RuleBook, business_ids: list[int] | None, trigger: str) -> int:
    """A business that does not operate (deregistered, licence revoked, suspended) keeps its grade history
    but has no current grade: the grade row goes, and a change to "" says when and why; so it has no place
    in the distribution and no planned visits. Suspended (停业) is ShiAn's reading: Order 49 grades and
    inspects businesses that trade, and no rule plans visits to a closed door; the nightly regrade after it
    reopens grades it again from its records."""
    stale = BusinessGrade.objects.exclude(business__status=BusinessStatus.OPERATING)
    if business_ids is not None:
        stale = stale.filter(business_id__in=business_ids)
    rows = list(stale.values_list("pk", "business_id", "grade", "business__status"))
    if not rows:
        return 0
    now = timezone.now()
    GradeChange.objects.bulk_create(
        [
            GradeChange(
                business_id=business_id,
                rule_set=book.rule_set,
                old_grade=grade,
                new_grade="",
                score=0,
                reasons=[{"factor": "status", "key": status, "points": 0, "note": "no longer operating"}],
                trigger=trigger,
                at=now,
            )
            for _pk, business_id, grade, status in rows
        ],
        batch_size=1000,
    )
    BusinessGrade.objects.filter(pk__in=[r[0] for r in rows]).delete()
    return len(rows)


def rule_set_check(rule_set: RiskRuleSet) -> None:
    """Refuse a rule set that contradicts itself (caps below a factor's maximum, overlapping or gapped
    bands, negative points), naming every problem."""
    problems = rule_set.problems()
    if problems:
        raise ValidationError(
            _("%(name)s cannot grade: %(problems)s") % {"name": rule_set.name, "problems": "; ".join(problems)}
        )


@transaction.atomic
def rule_set_activate(*, actor: User | None, rule_set: RiskRuleSet) -> RiskRuleSet:
    rule_set_check(rule_set)
    RiskRuleSet.objects.exclude(pk=rule_set.pk).update(active=False)
    RiskRuleSet.objects.filter(pk=rule_set.pk).update(active=True)
    rule_set.refresh_from_db()
    audit(actor=actor, action=AuditAction.UPDATE, obj=rule_set, note="rule set put in force")
    return rule_set


@transaction.atomic
def rule_row_save(*, actor: User | None, row, **data: Any):
    """Save one row of a rule table (the rule set's caps and source, a static or dynamic factor, a
    band, a key-supervision rule); refused with the field's error when it would contradict the rest of the
    rule set; audited. Grades change at
    the next recompute, which the caller may start."""
    before = snapshot(row) if row.pk else {}
    for name, value in data.items():
        setattr(row, name, value)
    row.full_clean()  # each model's clean() checks the row against the rest of its rule set
    row.save()
    audit(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=row,
        changes=diff(before, snapshot(row)),
    )
    return row
