"""Background work for inspections (see ``core.jobs``): generating a district's or the city's yearly plan."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shian.core import jobs
from shian.core.models import Job, Region, User


@jobs.job_task("inspections.plan", label=_("Generate a yearly inspection plan"))
def generate_plan(
    job: Job, *, actor_id: int | None, region_id: int, year: int, random_share: float, seed: int | None = None
) -> dict:
    """The seed is always drawn by the server (``seed`` is ignored: a job queued before that rule may hold one)."""
    from .planning import plan_generate

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    plan = plan_generate(actor=actor, region=Region.objects.get(pk=region_id), year=year, random_share=random_share)
    visits = plan.visits.count()
    jobs.progress(job, visits, visits)
    job.result_url = reverse("inspections:plan_detail", args=[plan.pk])
    return {"plan_id": plan.pk, "visits": visits, "seed": plan.seed, "year": plan.year, "region_id": region_id}


def start_plan(*, actor: User, region: Region, year: int, random_share: float, key: str = "") -> Job:
    """Queue the plan of ``region`` for ``year`` (the caller has checked the region is in the actor's scope).
    The 双随机 seed is drawn by the server when the job runs: no caller chooses it."""
    job, _created = jobs.start(
        generate_plan,
        user=actor,
        params={
            "actor_id": actor.pk,
            "region_id": region.pk,
            "year": year,
            "random_share": random_share,
        },
        dedupe={"region_id": region.pk, "year": year, "random_share": random_share},
        region=region,
        label=_("Plan %(year)d for %(region)s") % {"year": year, "region": region.name},
        key=key,
    )
    return job
