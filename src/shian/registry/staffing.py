"""The 两员 rule engine: which roles a business must staff, and what it lacks. Pure functions over
the StaffingRule table, shared by the services, the importer and the demo generator."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .choices import StaffRole
from .models import StaffingRule

ROLE_ORDER = [StaffRole.DIRECTOR, StaffRole.OFFICER]


class RuleBook:
    def __init__(self, rules: Iterable[StaffingRule]):
        self.by_type: dict[str, list[StaffingRule]] = defaultdict(list)
        for rule in rules:
            if rule.active:
                self.by_type[rule.business_type].append(rule)

    @classmethod
    def load(cls) -> RuleBook:
        return cls(StaffingRule.objects.all())

    def required(self, business_type: str, scale: int, diners: int | None) -> list[str]:
        roles = {r.role for r in self.by_type.get(business_type, []) if r.applies_to(business_type, scale, diners)}
        return [r for r in ROLE_ORDER if r in roles]

    def evaluate(self, business_type: str, scale: int, diners: int | None, present: set[str]) -> tuple[bool, str]:
        """(complete, missing roles as "director,officer")."""
        missing = [r for r in self.required(business_type, scale, diners) if r not in present]
        return (not missing, ",".join(str(m) for m in missing))
