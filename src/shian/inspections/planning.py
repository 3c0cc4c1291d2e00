"""Generating a year's inspection plan from grades (routine share) and 双随机 (random share)."""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
import secrets
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from shian.core.audit import audit
from shian.core.choices import AuditAction, Role
from shian.core.models import Region, User
from shian.registry.choices import BusinessStatus
from shian.registry.models import Business
from shian.supervision import selectors as supervision_selectors
from shian.supervision.models import RiskRuleSet

from .models import Inspection, InspectionPlan, InspectionState, PlannedVisit

INSPECTOR_ROLES = (Role.INSPECTOR, Role.STREET_OFFICER)
PLAN_YEARS_BACK, PLAN_YEARS_AHEAD = 1, 1  # a plan asked for now: last year (a late one), this year or the next


def _visit(plan, business_id: int, inspector, kind: str, year: int, month: int, day_index: int) -> PlannedVisit:
    """A visit due within the month, on the month's ``day_index``-th working day (wrapping round)."""
    return PlannedVisit(
        plan=plan,
        business_id=business_id,
        inspector=inspector,
        kind=kind,
        window_start=dt.date(year, month, 1),
        due_on=_month_end(year, month),
        planned_on=_working_day(year, month, day_index),
    )


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)


def _working_day(year: int, month: int, n: int) -> dt.date:
    """The n-th working day (Monday–Friday) of a month, wrapping round."""
    days = _working_days(year, month)
    return days[n % len(days)]


@functools.cache
def _working_days(year: int, month: int) -> tuple[dt.date, ...]:
    every = (dt.date(year, month, d) for d in range(1, _month_end(year, month).day + 1))
    return tuple(day for day in every if day.weekday() < 5)


def _spread(n: int, offset: int) -> list[int]:
    """n visits spread evenly over 12 months (months 1..12), shifted so workload is level."""
    return [((offset + round(i * 12 / n)) % 12) + 1 for i in range(n)] if n else []


@transaction.atomic
def plan_generate(
    *,
    actor: User | None,
    region: Region,
    year: int,
    random_share: float = 0.2,
    seed: int | None = None,
    as_of: dt.date | None = None,
) -> InspectionPlan:
    """Routine visits: each operating business gets the minimum inspections per year its grade requires
    (at least one every two years: grades below one a year are inspected in alternate years by business id).
    A business under 重点监督检查 (SAMR Order 49 Art. 22: the key-supervision rules of the rule set) gets the
    frequency its rules set (by default the upper end of its grade's range) and is in every year's plan.
    Only operating businesses are planned: suspended, deregistered and revoked ones get no visits (they
    hold no current grade either). Random visits: ``random_share`` × routine count of
    extra business × inspector pairs drawn with a seed the server draws (``draw_seed``), among the same businesses;
    ``seed`` is for re-running a recorded draw (a check of a published plan, the demo, tests) and is never
    taken from a request. Generating again keeps the region's current plan for the year, marked superseded
    by the new one (with its visits), and audits both. Inspectors in the
    region's subtree get visits in a balanced way (least loaded first, among those whose area covers the
    business). ``as_of`` plans from the register as it stood at the end of that day (a plan made back
    then: businesses registered later are left out); None, as it is now."""
    rule_set = RiskRuleSet.objects.get(active=True)
    drawn = seed is None
    seed = draw_seed() if drawn else seed
    rng = random.Random(seed)
    # the region's current plan for the year is kept, marked superseded (its visits stay as they were drawn)
    previous = (
        InspectionPlan.objects.select_for_update()  # no outer join: PostgreSQL locks no nullable side
        .filter(region=region, year=year, superseded_at__isnull=True)
        .first()
    )
    if previous is not None:
        previous.superseded_at = timezone.now()
        previous.save(update_fields=["superseded_at"])
    plan = InspectionPlan.objects.create(
        region=region,
        year=year,
        random_share=random_share,
        seed=seed,
        seed_drawn=drawn,
        rule_set=rule_set,
        created_by=actor if actor and actor.pk else None,
    )
    if previous is not None:
        previous.superseded_by = plan
        previous.save(update_fields=["superseded_by"])
        audit(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=previous,
            changes={"superseded_by": [None, plan.pk]},
            note=f"superseded by plan {plan.pk} (seed {seed}); kept with its {previous.visits.count()} visits "
            f"(seed {previous.seed}, made {previous.created_at:%Y-%m-%d %H:%M} by "
            f"{previous.created_by.username if previous.created_by else 'the system'})",
        )
    required = supervision_selectors.inspections_required(rule_set=rule_set, region_path=region.path)
    on_register = Business.objects.filter(region_path__startswith=region.path, status=BusinessStatus.OPERATING)
    if as_of is not None:
        end_of_day = timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))
        on_register = on_register.filter(created_at__lte=end_of_day)
    businesses = list(on_register.order_by("pk").values_list("pk", "region_path"))
    inspectors = list(
        User.objects.filter(role__in=INSPECTOR_ROLES, is_active=True, region__path__startswith=region.path)
        .select_related("region")
        .order_by("pk")
    )
    if not inspectors:
        inspectors = list(
            User.objects.filter(role__in=INSPECTOR_ROLES, is_active=True, region__path__in=_ancestors(region))
            .select_related("region")
            .order_by("pk")
        )
    load: dict[int, int] = defaultdict(int)
    covering: dict[str, list[User]] = {}  # per business region path: the inspectors whose area covers it

    def local_to(path: str) -> list[User]:
        if path not in covering:
            covering[path] = [u for u in inspectors if path.startswith(u.region.path)] or inspectors
        return covering[path]

    def pick(path: str) -> User | None:
        local = local_to(path)
        if not local:
            return None
        chosen = min(local, key=lambda u: (load[u.pk], u.pk))
        load[chosen.pk] += 1
        return chosen

    rows = []
    key_count = 0
    for index, (pk, path) in enumerate(businesses):
        need, key = required.get(pk, (1.0, False))  # not graded yet: once a year
        count = _routine_count(need, pk, year)
        if key:  # key supervision: in every year's plan
            count = max(count, 1)
            key_count += 1
        for month in _spread(count, index):
            inspector = pick(path)
            day_index = load[inspector.pk] if inspector else index  # each inspector's visits fill the working days
            rows.append(_visit(plan, pk, inspector, PlannedVisit.Kind.ROUTINE, year, month, day_index))
    random_count = min(len(businesses), round(len(rows) * random_share))
    for pk, path in rng.sample(businesses, random_count):
        month = rng.randrange(1, 13)
        inspector = rng.choice(local_to(path)) if inspectors else None
        if inspector:
            load[inspector.pk] += 1
        rows.append(_visit(plan, pk, inspector, PlannedVisit.Kind.RANDOM, year, month, rng.randrange(31)))
    PlannedVisit.objects.bulk_create(rows, batch_size=2000)
    mark_done(plan=plan)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        note=f"{len(rows)} visits ({random_count} 双随机, seed {seed} "
        f"{'drawn by the server (CSPRNG)' if drawn else 'given by the caller'}) for {len(businesses)} businesses "
        f"({key_count} under 重点监督检查)"
        + (f"; replaces plan {previous.pk} (seed {previous.seed})" if previous else ""),
    )
    return plan


def draw_seed() -> int:
    """A 双随机 seed from the operating system's cryptographic random generator (``secrets``): nobody chooses
    it, so nobody can try seeds until the draw suits them. It is recorded and published with the plan; the
    same seed, register and grades draw the same pairs again."""
    return secrets.randbelow(2**63 - 1) + 1


def _routine_count(need: float, pk: int, year: int) -> int:
    """Visits this year for ``need`` inspections a year: rounded up; below one a year, in the years the
    business id picks (every other year for 0.5)."""
    if need <= 0:
        return 0
    if need >= 1:
        return math.ceil(need)
    return 1 if (pk + year) % round(1 / need) == 0 else 0


def _ancestors(region: Region) -> list[str]:
    parts = region.path.strip("/").split("/")
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]


def first_inspection_in_window():
    """The day of the first closed inspection of a planned visit's business within the visit's window
    (from ``window_start`` to ``due_on``), as a subquery on the visit's row."""
    return Subquery(
        Inspection.objects.filter(
            business=OuterRef("business"),
            state=InspectionState.CLOSED,
            inspected_on__gte=OuterRef("window_start"),
            inspected_on__lte=OuterRef("due_on"),
        )
        .order_by("inspected_on")
        .values("inspected_on")[:1]
    )


def mark_done(*, business_ids=None, plan=None) -> int:
    """Set ``PlannedVisit.done_on`` of the visits not yet done (of these businesses, or of this plan, or all)
    that a closed inspection in their window has now done; one UPDATE. Called when an inspection closes,
    after a plan is made (its windows may hold inspections already) and after the demo's bulk history."""
    visits = PlannedVisit.objects.filter(done_on__isnull=True)
    if business_ids is not None:
        visits = visits.filter(business_id__in=list(business_ids))
    if plan is not None:
        visits = visits.filter(plan=plan)
    done = Exists(
        Inspection.objects.filter(
            business=OuterRef("business"),
            state=InspectionState.CLOSED,
            inspected_on__gte=OuterRef("window_start"),
            inspected_on__lte=OuterRef("due_on"),
        )
    )
    return visits.filter(done).update(done_on=first_inspection_in_window())


def visit_status(visits, today: dt.date | None = None) -> dict[int, str]:
    """done / overdue / due / upcoming for planned visits: done when a closed inspection of the business
    falls in the visit's window (from its month's start to its due date), as ``done_on`` records it
    (``mark_done``); no query."""
    today = today or timezone.localdate()
    out = {}
    for v in visits:
        if v.done_on is not None:
            out[v.pk] = "done"
        elif v.due_on < today:
            out[v.pk] = "overdue"
        elif v.window_start <= today:
            out[v.pk] = "due"
        else:
            out[v.pk] = "upcoming"
    return out
