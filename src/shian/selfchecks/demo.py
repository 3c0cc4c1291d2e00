"""Demo step: 30 days of daily checks, 8 weekly reviews and 3 monthly reports for a sample of
businesses, some diligent and some not; the first 20 of the sample keep three years of them (seeded
history, bulk-written: rows for every business for three years would be millions)."""

import datetime as dt

from django.utils import timezone

from shian.core.demo import DemoContext
from shian.registry.models import Business

from . import services
from .models import Kind, SelfCheck

LONG_HISTORY = 20


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    ids = list(Business.objects.filter(status="operating").order_by("pk").values_list("pk", flat=True))
    sample = rng.sample(ids, min(len(ids), max(10, ctx.businesses // 20)))
    types = dict(Business.objects.filter(pk__in=sample).values_list("pk", "type"))
    items_by_type: dict[str, list] = {}
    rows = []
    for n, pk in enumerate(sample):
        days, weeks, months = (3 * 365, 3 * 52, 36) if n < LONG_HISTORY else (30, 8, 3)
        if types[pk] not in items_by_type:
            items_by_type[types[pk]] = services.daily_items_for_type(types[pk])
        items = items_by_type[types[pk]]
        diligence = rng.choice([0.98, 0.9, 0.7, 0.3])
        for i in range(1, days + 1):
            if rng.random() < diligence:
                failed = {it.pk for it in items if rng.random() < 0.03}
                rows.append(
                    SelfCheck(
                        business_id=pk,
                        kind=Kind.DAILY,
                        period_start=today - dt.timedelta(days=i),
                        items=[{"id": it.pk, "text": it.text, "ok": it.pk not in failed} for it in items],
                        problems=len(failed),
                    )
                )
        for w in range(1, weeks + 1):
            if rng.random() < diligence:
                rows.append(
                    SelfCheck(
                        business_id=pk,
                        kind=Kind.WEEKLY,
                        report="本周排查未发现重大问题",
                        period_start=services.period_start(Kind.WEEKLY, today) - dt.timedelta(weeks=w),
                    )
                )
        first = today.replace(day=1)
        for _m in range(months):
            first = (first - dt.timedelta(days=1)).replace(day=1)
            if rng.random() < diligence:
                rows.append(
                    SelfCheck(
                        business_id=pk,
                        kind=Kind.MONTHLY,
                        period_start=first,
                        report="听取食品安全总监汇报，部署下月重点工作",
                    )
                )
    # seeded history is bulk-written (one demo generator, not a user, files it)
    SelfCheck.objects.bulk_create(rows, batch_size=2000)
