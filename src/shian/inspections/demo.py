"""Demo steps: closed inspections for a sample of businesses over the last three years, through the
services (failed items raise hazards); then, year by year, the grades as they stood on 1 January and the
plan made from them."""

import datetime as dt

from django.utils import timezone

from shian.core.demo import DemoContext
from shian.core.models import User
from shian.registry.models import Business

from . import services
from .models import Inspection, Outcome


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng
    inspector = User.objects.filter(username="inspector").first()
    admin = User.objects.filter(username="admin").first()
    today = timezone.localdate()
    count = min(600, max(20, ctx.businesses // 15))  # spread over three years
    ids = list(Business.objects.filter(status="operating").order_by("pk").values_list("pk", flat=True))
    for n, pk in enumerate(rng.sample(ids, min(count, len(ids))), start=1):
        business = Business.objects.get(pk=pk)
        actor = inspector if inspector and business.region_path.startswith(inspector.region.path) else admin
        inspection = services.inspection_start(actor=actor, business=business)
        day = today - dt.timedelta(days=rng.randrange(1, 3 * 365))
        Inspection.objects.filter(pk=inspection.pk).update(inspected_on=day)  # as if done on a past day
        inspection.refresh_from_db()
        fail_rate = rng.choice([0.0, 0.0, 0.05, 0.1, 0.2])
        results = {
            r.item_id: {
                "outcome": Outcome.FAIL if rng.random() < fail_rate else Outcome.PASS,
                "note": "现场发现问题" if rng.random() < fail_rate else "",
            }
            for r in inspection.results.all()
        }
        inspection = services.inspection_record(actor=actor, inspection=inspection, results=results)
        services.inspection_close(  # graded afterwards, as of each year's start and today
            actor=actor, inspection=inspection, summary="", representative="负责人", regrade=False
        )
        closed_at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randrange(9, 17), rng.randrange(60))))
        Inspection.objects.filter(pk=inspection.pk).update(closed_at=closed_at)
        ctx.progress("inspections", n, count)


def generate_plans(ctx: DemoContext) -> None:
    """For this year and the two before: grade the city as it stood at the end of the previous year (grade
    history, dated), then make every district's plan for the year from those grades, as the bureau did
    then. Fixed seeds: the same demo city always gets the same plans."""
    import datetime as dt

    from shian.core.choices import RegionLevel
    from shian.core.models import Region
    from shian.supervision.services import grades_recompute

    from .planning import plan_generate

    admin = User.objects.filter(username="admin").first()
    this_year = timezone.localdate().year
    districts = list(Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code"))
    for year in (this_year - 2, this_year - 1, this_year):
        counts = grades_recompute(as_of=dt.date(year - 1, 12, 31), trigger="demo history")
        ctx.progress(f"grades as of {year - 1}-12-31", counts["graded"], counts["graded"])
        for i, district in enumerate(districts):
            plan_generate(actor=admin, region=district, year=year, random_share=0.2, seed=ctx.seed + i * 10 + year)
