"""The grading engine: a rule book loaded once, applied to many businesses in memory."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import RiskRuleSet

ZERO = Decimal("0")


@dataclass(frozen=True)
class Result:
    grade: str
    score: Decimal
    static_points: Decimal
    dynamic_points: Decimal
    reasons: list[dict]


class RuleBook:
    def __init__(self, rule_set: RiskRuleSet):
        self.rule_set = rule_set
        self.static: dict[str, list[tuple[int, Decimal, str]]] = {}
        for f in rule_set.static_factors.all():
            self.static.setdefault(f.business_type, []).append((f.min_scale or 0, f.points, f.note))
        for rows in self.static.values():
            rows.sort(key=lambda r: r[0])
        self.dynamic = [(f.indicator, f.points_per_unit, f.max_points, f.note) for f in rule_set.dynamic_factors.all()]
        self.bands = sorted(rule_set.bands.all(), key=lambda b: b.min_score)
        if not self.bands:
            raise ValueError(f"rule set {rule_set.code} has no grade bands")

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

    def grade(self, business_type: str, scale: int, indicators: dict[str, float]) -> Result:
        static_points, static_note = ZERO, ""
        for min_scale, points, note in self.static.get(business_type, []):
            if scale >= min_scale:  # the row for the largest scale the business reaches
                static_points, static_note = points, note
        reasons = [{"factor": "static", "key": business_type, "points": float(static_points), "note": static_note}]
        dynamic_points = ZERO
        for key, per_unit, cap, note in self.dynamic:
            units = indicators.get(key, 0)
            if units:
                points = min(cap, per_unit * Decimal(str(units)))
                dynamic_points += points
                reasons.append({"factor": "dynamic", "key": key, "units": units, "points": float(points), "note": note})
        score = static_points + dynamic_points
        return Result(
            grade=self.band_for(score).grade,
            score=score,
            static_points=static_points,
            dynamic_points=dynamic_points,
            reasons=reasons,
        )
