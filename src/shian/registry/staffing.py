"""The 两员 rule engine: which roles a business must staff, and what it lacks. Pure functions over
the StaffingRule table, shared by the services, the importer and the demo generator.

A business is described by its type, scale, diners per meal and the attributes the rules ask about
(``ATTRIBUTES``: Business boolean fields such as ``special_food``). Callers holding a Business (or any
object with those fields) use ``required_for``/``evaluate_for``; callers reading rows with
``values_list`` add ``*ATTRIBUTES`` to the columns and pass ``true_attributes(flags)``.

What a rule requires is a *requirement key*: a role ("director"), or a role employed by the unit itself
or by its contractor ("director_own", "director_contractor": a school canteen run by a contractor has
both, 双食品安全总监). ``present`` is the set of keys the active staff meet (``present_keys``); a bare
role with no employer is taken as the unit's own, the default of ``Staff.employer``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .choices import StaffEmployer, StaffRole
from .models import StaffingRule, requirement_key

ROLE_ORDER = [StaffRole.DIRECTOR, StaffRole.OFFICER]
REQUIREMENT_ORDER = [requirement_key(role, employer) for role in ROLE_ORDER for employer in ("", *StaffEmployer.values)]


def present_keys(staff: Iterable[tuple[str, str]]) -> set[str]:
    """The requirement keys met by active staff given as (role, employer) pairs."""
    keys: set[str] = set()
    for role, employer in staff:
        keys.add(role)
        keys.add(requirement_key(role, employer or StaffEmployer.OWN_UNIT))
    return keys


def _with_default_employer(present: Iterable[str]) -> set[str]:
    keys = set(present)
    for role in ROLE_ORDER:
        if role in keys and not any(k.startswith(f"{role}_") for k in keys):
            keys.add(requirement_key(role, StaffEmployer.OWN_UNIT))
    return keys


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
        keys = {
            r.requirement
            for r in self.by_type.get(business_type, [])
            if r.applies_to(business_type, scale, diners, attributes)
        }
        return [k for k in REQUIREMENT_ORDER if k in keys]

    def evaluate(
        self,
        business_type: str,
        scale: int,
        diners: int | None,
        present: set[str],
        attributes: frozenset[str] | set[str] = frozenset(),
    ) -> tuple[bool, str]:
        """(complete, missing requirements as "director,officer" or "director_own"). A role missing
        outright is not named again when a more specific requirement of it is missing too."""
        have = _with_default_employer(present)
        missing = [k for k in self.required(business_type, scale, diners, attributes) if k not in have]
        missing = [k for k in missing if "_" in k or not any(m.startswith(f"{k}_") for m in missing)]
        return (not missing, ",".join(str(m) for m in missing))

    def required_for(self, business) -> list[str]:
        return self.required(business.type, business.scale, business.diners_per_meal, attributes_of(business))

    def evaluate_for(self, business, present: set[str]) -> tuple[bool, str]:
        return self.evaluate(business.type, business.scale, business.diners_per_meal, present, attributes_of(business))
