"""Supervision reads: grades within the user's scope."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shian.core.models import User
from shian.core.rollup import RegionTally, child_level
from shian.core.scoping import VIEW
from shian.registry.search import businesses_named

from .models import BusinessGrade, GradeBand, GradeChange, KeySupervisionRule, RiskRuleSet


def active_rule_set() -> RiskRuleSet | None:
    return RiskRuleSet.objects.filter(active=True).first()


def grade_list(
    user: User,
    *,
    grade: str | None = None,
    region_path: str | None = None,
    q: str | None = None,
    key_supervision: bool | None = None,
) -> QuerySet[BusinessGrade]:
    qs = BusinessGrade.objects.restrict(user, VIEW).select_related("business")
    if grade:
        qs = qs.filter(grade=grade)
    if key_supervision is not None:
        qs = qs.filter(key_supervision=key_supervision)
    if region_path:
        qs = qs.filter(business__region_path__startswith=region_path)
    if q:  # the business names from the register's search index (a subquery), not a LIKE on every grade
        qs = qs.filter(business__in=businesses_named(q).values("pk"))
    # served by supervision_grade_score_idx (score DESC, business_id): a page reads about a page of grades
    return qs.order_by("-score", "business__name")


def grade_distribution(user: User) -> dict:
    """Counts per grade overall and per sub-region, and the inspections the grades require per year."""
    rule_set = active_rule_set()
    bands = list(GradeBand.objects.filter(rule_set=rule_set).order_by("min_score")) if rule_set else []
    qs = BusinessGrade.objects.restrict(user, VIEW).filter(rule_set=rule_set)
    totals = Counter(dict(qs.values_list("grade").annotate(n=Count("id")).values_list("grade", "n")))
    position = {b.grade: i for i, b in enumerate(bands)}
    by_region = RegionTally(level=child_level(user), width=len(bands))
    for row in qs.values(path=F("business__region_path"), g=F("grade")).annotate(n=Count("id")):
        if row["g"] in position:
            counts = [0] * len(bands)
            counts[position[row["g"]]] = row["n"]
            by_region.add(row["path"], *counts)
    required_min = sum(float(b.inspections_min) * totals.get(b.grade, 0) for b in bands)
    required_max = sum(float(b.inspections_max) * totals.get(b.grade, 0) for b in bands)
    return {
        "rule_set": rule_set,
        "bands": bands,
        "totals": [(b.grade, totals.get(b.grade, 0)) for b in bands],
        "graded": sum(totals.values()),
        "key_supervision": qs.filter(key_supervision=True).count(),
        "inspections_min": round(required_min),
        "inspections_max": round(required_max),
        "by_region": [{"code": r["code"], "name": r["name"], "counts": r["values"]} for r in by_region.rows()],
    }


def inspections_required(*, rule_set: RiskRuleSet, region_path: str) -> dict[int, tuple[float, bool]]:
    """For the current grades under ``rule_set`` in a region: business id → (inspections a year at least,
    under 重点监督检查). The band's minimum; a key-supervision business gets its rules' frequency (the
    upper end of its band's range where a rule leaves it empty), never less than the band's minimum.
    Businesses without a current grade (not operating, or not graded yet) are not in the answer."""
    bands = {b.grade: b for b in GradeBand.objects.filter(rule_set=rule_set)}
    rules = {r.pk: r for r in KeySupervisionRule.objects.filter(rule_set=rule_set)}
    out: dict[int, tuple[float, bool]] = {}
    rows = BusinessGrade.objects.filter(business__region_path__startswith=region_path, rule_set=rule_set)
    for business_id, grade, key, key_reasons in rows.values_list(
        "business_id", "grade", "key_supervision", "key_reasons"
    ):
        band = bands.get(grade)
        need = float(band.inspections_min) if band else 1.0
        if key:
            for reason in key_reasons:
                rule = rules.get(reason.get("rule"))
                if rule is None:  # a rule deleted since the grade was computed: the band's upper end
                    wanted = band.inspections_max if band else None
                else:
                    wanted = (
                        rule.inspections_min if rule.inspections_min is not None else (band and band.inspections_max)
                    )
                if wanted is not None:
                    need = max(need, float(wanted))
        out[business_id] = (need, key)
    return out


def key_rules(rule_set: RiskRuleSet | None) -> list[KeySupervisionRule]:
    return list(KeySupervisionRule.objects.filter(rule_set=rule_set)) if rule_set else []


def grade_history(business_id: int) -> QuerySet[GradeChange]:
    return GradeChange.objects.filter(business_id=business_id).select_related("rule_set")


def year_end_days(years: int = 3) -> list[dt.date]:
    """The last ``years`` 31 Decembers before today, oldest first, then today."""
    today = timezone.localdate()
    return [*(dt.date(today.year - n, 12, 31) for n in range(years, 0, -1)), today]


def grade_distribution_on(user: User, days: list[dt.date]) -> dict:
    """How many businesses in the user's scope held each grade (active rule set) at the end of each
    day, read from the grade history: what a bureau reports for each year end. One pass over the
    history, in business and time order; businesses not yet graded on a day are not counted."""
    rule_set = active_rule_set()
    bands = list(GradeBand.objects.filter(rule_set=rule_set).order_by("min_score")) if rule_set else []
    days = sorted(days)
    ends = [timezone.make_aware(dt.datetime.combine(d, dt.time.max)) for d in days]
    counts = [Counter() for _ in days]
    if rule_set and days:
        rows = (
            GradeChange.objects.restrict(user, VIEW)
            .filter(rule_set=rule_set, at__lte=ends[-1])
            .order_by("business_id", "at", "id")
            .values_list("business_id", "at", "new_grade")
        )
        current_business, grade_then, i = None, None, 0
        for business_id, at, grade in rows.iterator(chunk_size=5000):
            if business_id != current_business:
                _tally(counts, ends, i, grade_then)  # the previous business's grade on the remaining days
                current_business, grade_then, i = business_id, None, 0
            while i < len(ends) and at > ends[i]:  # days before this change keep the grade before it
                if grade_then:
                    counts[i][grade_then] += 1
                i += 1
            grade_then = grade
        _tally(counts, ends, i, grade_then)
    return {
        "rule_set": rule_set,
        "bands": bands,
        "rows": [
            {"day": d, "counts": [c.get(b.grade, 0) for b in bands], "graded": sum(c.values())}
            for d, c in zip(days, counts, strict=True)
        ],
    }


def _tally(counts: list[Counter], ends: list, start: int, grade: str | None) -> None:
    if grade:
        for i in range(start, len(ends)):
            counts[i][grade] += 1


# --- words for people: a grade's reasons and the triggers of its changes ------------------------
TRIGGER_LABELS = {
    "nightly": _("nightly regrade"),
    "manual": _("recomputed by an administrator"),
    "api": _("recomputed through the API"),
    "rule set change": _("rule set changed"),
    "inspection closed": _("inspection closed"),
    "history": _("back-filled history"),
    "demo": _("demo city"),
    "demo history": _("demo city history"),
}


def reason_label(reason: dict) -> str:
    """A grade reason's factor as people say it: the business type (static points), the indicator's
    label (dynamic points), or the status that ended the grade."""
    from shian.core import indicators
    from shian.registry.choices import BusinessStatus, BusinessType

    key = reason.get("key", "")
    if reason.get("factor") == "static":
        label = str(dict(BusinessType.choices).get(key, key))
        if reason.get("attribute"):
            from .models import Attribute

            label += f" · {dict(Attribute.choices).get(reason['attribute'], reason['attribute'])}"
        return label
    if reason.get("factor") == "status":
        return str(_("no longer operating: %(s)s") % {"s": dict(BusinessStatus.choices).get(key, key)})
    if reason.get("factor") == "cap":
        return str(_("cap on dynamic points"))
    indicator = indicators.get(key)
    return str(indicator.label) if indicator else key


def reason_note(reason: dict) -> str:
    """A grade reason's note in the viewer's language: the notes the grading engine writes (the cap, the
    end of a grade) are keys stored in English; a factor's own note is shown as stored."""
    factor = reason.get("factor")
    if factor == "cap":
        return str(_("dynamic points capped at %(n)s") % {"n": reason.get("cap") or reason.get("note", "").split()[-1]})
    if factor == "status":
        return ""  # the label already says it: "no longer operating: …"
    return reason.get("note", "")


def trigger_label(trigger: str) -> str:
    return str(TRIGGER_LABELS.get(trigger, trigger))
