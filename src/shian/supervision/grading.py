"""The grading engine: a rule book loaded once, applied to many businesses in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .models import RiskRuleSet

ZERO = Decimal("0")


class RuleSetContradiction(ValueError):
    """The rule set in force contradicts itself (edited outside the validated pages): grading refuses it."""


@dataclass(frozen=True)
class Result:
    grade: str
    score: Decimal
    static_points: Decimal
    dynamic_points: Decimal
    reasons: list[dict]
    key_reasons: list[dict] = field(default_factory=list)

    @property
    def key_supervision(self) -> bool:
        return bool(self.key_reasons)


class RuleBook:
    def __init__(self, rule_set: RiskRuleSet):
        problems = rule_set.problems()
        if problems:
            raise RuleSetContradiction(f"rule set {rule_set.code} contradicts itself: " + "; ".join(problems))
        self.rule_set = rule_set
        self.static_max = rule_set.static_max
        self.dynamic_max = rule_set.dynamic_max
        # business type → attribute ("" for the plain rows) → [(from scale, points, note)] by scale
        self.static: dict[str, dict[str, list[tuple[int, Decimal, str]]]] = {}
        for f in rule_set.static_factors.all():
            rows = self.static.setdefault(f.business_type, {}).setdefault(f.attribute, [])
            rows.append((f.min_scale or 0, f.points, f.note))
        for by_attribute in self.static.values():
            for rows in by_attribute.values():
                rows.sort(key=lambda r: r[0])
        self.dynamic = [(f.indicator, f.points_per_unit, f.max_points, f.note) for f in rule_set.dynamic_factors.all()]
        self.bands = sorted(rule_set.bands.all(), key=lambda b: b.min_score)
        self.key_rules = list(rule_set.key_rules.all())

    @classmethod
    def active(cls) -> RuleBook:
        return cls(RiskRuleSet.objects.get(active=True))

    @property
    def indicator_keys(self) -> list[str]:
        return [key for key, *_rest in self.dynamic]

    def band_for(self, score: Decimal):
        chosen = self.bands[0]
        for band in self.bands:
            if score > band.min_score:
                chosen = band
        return chosen

    def _static(self, business_type: str, scale: int, attributes: frozenset[str]) -> tuple[Decimal, str, str]:
        """The row for the largest scale the business reaches; rows for an attribute the business has
        take precedence over the plain rows (the highest if it has several)."""
        best: tuple[Decimal, str, str] | None = None
        by_attribute = self.static.get(business_type, {})
        for attribute in sorted(a for a in by_attribute if a and a in attributes):
            found = _by_scale(by_attribute[attribute], scale)
            if found and (best is None or found[0] > best[0]):
                best = (found[0], found[1], attribute)
        if best is None:
            found = _by_scale(by_attribute.get("", []), scale)
            best = (found[0], found[1], "") if found else (ZERO, "", "")
        return best

    def grade(
        self,
        business_type: str,
        scale: int,
        indicators: dict[str, float],
        attributes: frozenset[str] = frozenset(),
    ) -> Result:
        static_points, static_note, attribute = self._static(business_type, scale, attributes)
        if self.static_max is not None and static_points > self.static_max:
            static_points = self.static_max
        static_reason = {"factor": "static", "key": business_type, "points": float(static_points), "note": static_note}
        if attribute:
            static_reason["attribute"] = attribute
        reasons = [static_reason]
        dynamic_points = ZERO
        for key, per_unit, cap, note in self.dynamic:
            units = indicators.get(key, 0)
            if units:
                points = min(cap, per_unit * Decimal(str(units)))
                dynamic_points += points
                reasons.append({"factor": "dynamic", "key": key, "units": units, "points": float(points), "note": note})
        if self.dynamic_max is not None and dynamic_points > self.dynamic_max:
            # the rule set caps the dynamic part (SAMR 2016: 60); the reasons say how much was cut
            reasons.append(
                {
                    "factor": "cap",
                    "key": "dynamic_max",
                    "points": float(self.dynamic_max - dynamic_points),
                    "cap": float(self.dynamic_max),
                    "note": f"dynamic points capped at {self.dynamic_max}",
                }
            )
            dynamic_points = self.dynamic_max
        score = static_points + dynamic_points
        grade = self.band_for(score).grade
        key_reasons = [
            {"rule": rule.pk, "label": rule.label}
            for rule in self.key_rules
            if rule.matches(business_type=business_type, attributes=attributes, grade=grade)
        ]
        return Result(
            grade=grade,
            score=score,
            static_points=static_points,
            dynamic_points=dynamic_points,
            reasons=reasons,
            key_reasons=key_reasons,
        )


def _by_scale(rows: list[tuple[int, Decimal, str]], scale: int) -> tuple[Decimal, str] | None:
    found = None
    for min_scale, points, note in rows:
        if scale >= min_scale:
            found = (points, note)
    return found
