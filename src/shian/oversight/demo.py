"""Demo step: 包保 assignments for the demo officials (city, Haishu and Jiangbei districts, one street),
made through the service, with up to three years of visits written in bulk as seeded history; a few
assignments fall behind on purpose."""

import datetime as dt

from django.utils import timezone

from shian.core.demo import DemoContext
from shian.core.models import User
from shian.registry.models import Business

from . import services
from .models import Level, Visit


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    plan = [
        ("admin", Level.CITY, 20),
        ("haishu", Level.DISTRICT, 60),
        ("jiangbei", Level.DISTRICT, 60),
        ("street", Level.STREET, 40),
    ]
    visits = []
    for username, level, count in plan:
        official = User.objects.filter(username=username).first()
        if official is None or official.region is None:
            continue
        ids = list(
            Business.objects.filter(region_path__startswith=official.region.path, status="operating")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in rng.sample(ids, min(count, len(ids))):
            assignment = services.assignment_create(
                actor=None,
                official=official,
                business=Business.objects.get(pk=pk),
                level=level,
                starts_on=today - dt.timedelta(days=rng.randrange(200, 3 * 365)),
                commitment_signed=True,
            )
            day = assignment.starts_on
            gap = {Level.CITY: 170, Level.DISTRICT: 85, Level.STREET: 28}[level]
            lazy = rng.random() < 0.12  # some officials stop visiting
            while True:
                day += dt.timedelta(days=rng.randrange(gap // 2, gap + 10))
                if day > today or (lazy and day > today - dt.timedelta(days=gap * 2)):
                    break
                visits.append(
                    Visit(
                        assignment=assignment,
                        visited_on=day,
                        findings=rng.choice(["", "", "现场检查未见明显问题", "督促落实日管控记录"]),
                        recorded_at=timezone.make_aware(dt.datetime.combine(day, dt.time(17, 30))),
                    )
                )
    Visit.objects.bulk_create(visits, batch_size=2000)
    ctx.progress("包保 visits", len(visits), len(visits))
