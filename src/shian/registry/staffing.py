"""The 两员 rule engine: which roles a business must staff, and what it lacks. Pure functions over
the StaffingRule table, shared by the services, the importer and the demo generator.

A business is described by its type, scale, diners per meal and the attributes the rules ask about
(``ATTRIBUTES``: Business boolean fields such as ``special_food``). Callers holding a Business (or any
object with those fields) use ``required_for``/``evaluate_for``; callers reading rows with
``values_list`` add ``*ATTRIBUTES`` to the columns and pass ``true_attributes(flags)``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .choices import StaffRole
from .models import StaffingRule

ROLE_ORDER = [StaffRole.DIRECTOR, StaffRole.OFFICER]
ATTRIBUTES: list[str] = [a.value for a in StaffingRule.Attribute]


def true_attributes(flags: Iterable[bool]) -> frozenset[str]:
    """The attribute names whose flag is set; ``flags`` in ``ATTRIBUTES`` order."""
    return frozenset(name for name, on in zip(ATTRIBUTES, flags, strict=True) if on)


def attributes_of(business) -> frozenset[str]:
    return frozenset(name for name in ATTRIBUTES if getattr(business, name, False))


class RuleBook:
    def __init__(self, rules: Iterable[StaffingRule]):
        self.by_type: dict[str, list[StaffingRule]] = defaultdict(list)
        for rule in rules:
            if rule.active:
                self.by_type[rule.business_type].append(rule)

    @classmethod
    def load(cls) -> RuleBook:
        return cls(StaffingRule.objects.all())

    def required(
        self, business_type: str, scale: int, diners: int | None, attributes: frozenset[str] | set[str] = frozenset()
    ) -> list[str]:
        roles = {
            r.role
            for r in self.by_type.get(business_type, [])
            if r.applies_to(business_type, scale, diners, attributes)
        }
        return [r for r in ROLE_ORDER if r in roles]

    def evaluate(
        self,
        business_type: str,
        scale: int,
        diners: int | None,
        present: set[str],
        attributes: frozenset[str] | set[str] = frozenset(),
    ) -> tuple[bool, str]:
        """(complete, missing roles as "director,officer")."""
        missing = [r for r in self.required(business_type, scale, diners, attributes) if r not in present]
        return (not missing, ",".join(str(m) for m in missing))

    def required_for(self, business) -> list[str]:
        return self.required(business.type, business.scale, business.diners_per_meal, attributes_of(business))

    def evaluate_for(self, business, present: set[str]) -> tuple[bool, str]:
        return self.evaluate(business.type, business.scale, business.diners_per_meal, present, attributes_of(business))
