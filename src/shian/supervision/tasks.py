"""Background grading (Django's tasks API, see ``core.jobs``).

* ``recompute_grades``: the nightly regrade, enqueued by the scheduler at 02:00 (or `shian recompute_grades`).
* ``regrade_city``: a city-wide regrade someone asked for (now, or as of a past day), as a job.
* ``switch_rule_set``: put a rule set in force and regrade everyone under it, in one transaction.
* ``regrade_businesses``: regrade a few businesses after something about them changed (an inspection
  closed); a failure is a failed job, never the caller's.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from shian.core import jobs
from shian.core.models import Job, Region, User

from . import services
from .models import RiskRuleSet


@task()
def recompute_grades() -> dict:
    return services.grades_recompute(trigger="nightly")


jobs.register_periodic("supervision.nightly_regrade", recompute_grades, at="02:00")


def _actor(actor_id: int | None) -> User | None:
    return User.objects.filter(pk=actor_id).first() if actor_id else None


def _city() -> Region | None:
    return Region.objects.filter(parent__isnull=True).order_by("path").first()


@jobs.job_task("supervision.regrade", label=_("Regrade every business"))
def regrade_city(job: Job, *, actor_id: int | None, as_of: str | None = None, trigger: str = "manual") -> dict:
    day = dt.date.fromisoformat(as_of) if as_of else None
    counts = services.grades_recompute(trigger=trigger, actor=_actor(actor_id), as_of=day)
    jobs.progress(job, counts["graded"], counts["graded"])
    job.result_url = reverse("supervision:grades")
    return counts


def start_regrade(*, actor: User, as_of: dt.date | None = None, trigger: str = "manual", key: str = "") -> Job:
    """Queue a city-wide regrade (checked first: an impossible ``as_of`` is refused here, not in the job)."""
    services.as_of_check(as_of)
    label = _("Regrade every business as of %(d)s") % {"d": as_of} if as_of else _("Regrade every business")
    job, _created = jobs.start(
        regrade_city,
        user=actor,
        params={"actor_id": actor.pk, "as_of": as_of.isoformat() if as_of else None, "trigger": trigger},
        dedupe={"as_of": as_of.isoformat() if as_of else None},
        region=_city(),
        label=label,
        key=key,
    )
    return job


@jobs.job_task("supervision.rule_set_switch", label=_("Put a rule set in force"))
def switch_rule_set(job: Job, *, actor_id: int | None, rule_set_id: int) -> dict:
    actor = _actor(actor_id)
    rule_set = services.rule_set_activate(actor=actor, rule_set=RiskRuleSet.objects.get(pk=rule_set_id))
    counts = services.grades_recompute(trigger="rule set change", actor=actor)
    jobs.progress(job, counts["graded"], counts["graded"])
    job.result_url = reverse("supervision:rules")
    return {**counts, "rule_set": rule_set.code}


def start_rule_set_switch(*, actor: User, rule_set: RiskRuleSet, key: str = "") -> Job:
    job, _created = jobs.start(
        switch_rule_set,
        user=actor,
        params={"actor_id": actor.pk, "rule_set_id": rule_set.pk},
        dedupe={"rule_set_id": rule_set.pk},
        region=_city(),
        label=_("Put %(name)s in force and regrade every business") % {"name": rule_set.name},
        key=key,
    )
    return job


@jobs.job_task("supervision.regrade_businesses", label=_("Regrade"), follow_running=True)
def regrade_businesses(job: Job, *, business_ids: list[int], trigger: str) -> dict:
    return services.grades_recompute(business_ids=business_ids, trigger=trigger)


def regrade_later(*, business, actor: User | None, trigger: str) -> Job:
    """Queue a regrade of one business (e.g. after an inspection closed). Requests for the same business
    while one is queued join it; while one runs, one more is queued after it."""
    job, _created = jobs.start(
        regrade_businesses,
        user=actor,
        params={"business_ids": [business.pk], "trigger": trigger},
        dedupe={"business_ids": [business.pk]},
        business=business,
        label=_("Regrade %(name)s (%(why)s)") % {"name": business.name, "why": trigger},
    )
    return job
