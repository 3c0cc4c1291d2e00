"""Demo step: 包保 assignments for the demo officials (city, 海曙 and 江北 districts, one street), made
through the service, with their visits since written in bulk as seeded history. Officials take the
businesses that matter most first (canteens, central kitchens, producers, large businesses), and the
demo `shop` and `canteen` businesses are among the street officer's and the district's. Nearly every
official visits on schedule; a few fall behind on purpose (the 包保督导率 is not 100%)."""

import datetime as dt

from django.utils import timezone

from shian.core.demo import DemoContext
from shian.core.models import User
from shian.registry.choices import BusinessStatus, BusinessType, Scale
from shian.registry.models import Business

from . import services
from .models import FrequencyRule, Level, Visit

PLAN = [  # who, at which level, how many businesses
    ("admin", Level.CITY, 20),
    ("haishu", Level.DISTRICT, 60),
    ("jiangbei", Level.DISTRICT, 60),
    ("street", Level.STREET, 40),
]
KEY_TYPES = {
    BusinessType.SCHOOL_CANTEEN,
    BusinessType.ELDERLY_CANTEEN,
    BusinessType.CENTRAL_KITCHEN,
    BusinessType.FOOD_PRODUCTION,
}
BEHIND = 0.05  # officials who stopped visiting a business a while ago
FINDINGS = [
    "",
    "",
    "",
    "现场检查未见明显问题",
    "督促落实日管控记录",
    "查看进货查验记录，未见异常",
    "提醒更新从业人员健康证",
]


def _covered_below(row: tuple, below: list[str]) -> bool:
    return any(row[-1].startswith(path) for path in below)


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    periods = dict(FrequencyRule.objects.values_list("level", "every_days"))
    logins = ctx.data.get("demo_businesses", {})
    below = [  # the areas of the district and street officials
        user.region.path
        for user in User.objects.filter(username__in=[u for u, level, _n in PLAN if level != Level.CITY])
        .exclude(region=None)
        .select_related("region")
    ]
    visits = []
    for username, level, count in PLAN:
        official = User.objects.filter(username=username).first()
        if official is None or official.region is None:
            continue
        rows = list(
            Business.objects.filter(region_path__startswith=official.region.path, status=BusinessStatus.OPERATING)
            .order_by("pk")
            .values_list("pk", "type", "scale", "created_at", "region_path")
        )
        key = [r for r in rows if r[1] in KEY_TYPES or r[2] == Scale.LARGE]
        rest = [r for r in rows if not (r[1] in KEY_TYPES or r[2] == Scale.LARGE)]
        chosen = rng.sample(key, min(len(key), count * 2 // 3))
        chosen += rng.sample(rest, min(len(rest), count - len(chosen)))
        ids = {r[0] for r in chosen}
        in_area = {r[0]: r for r in rows}
        for pk in logins.values():  # the demo logins' businesses: by the street and the district, else the city
            if pk in in_area and pk not in ids and (level != Level.CITY or not _covered_below(in_area[pk], below)):
                chosen.append(in_area[pk])
                ids.add(pk)
        period = periods.get(level, 90)
        for pk, _type, _scale, created_at, _path in chosen:
            opened = timezone.localtime(created_at).date()
            starts_on = max(  # up to three years ago, and not before the business opened
                today - dt.timedelta(days=rng.randrange(120, 3 * 365)), opened + dt.timedelta(days=rng.randrange(7, 60))
            )
            assignment = services.assignment_create(
                actor=None,
                official=official,
                business=Business.objects.get(pk=pk),
                level=level,
                starts_on=min(starts_on, today),
                commitment_signed=True,
            )
            behind = pk not in logins.values() and rng.random() < BEHIND
            stopped = today - dt.timedelta(days=rng.randrange(period + 10, period * 3)) if behind else today
            day = assignment.starts_on
            while True:
                # a visit some weeks before the period runs out, now and then a few days late
                day += dt.timedelta(days=rng.randrange(period * 2 // 3, period + 4))
                if day >= stopped:
                    break
                visits.append(
                    Visit(
                        assignment=assignment,
                        visited_on=day,
                        findings=rng.choice(FINDINGS),
                        recorded_at=timezone.make_aware(dt.datetime.combine(day, dt.time(17, 30))),
                    )
                )
    Visit.objects.bulk_create(visits, batch_size=2000)
    ctx.progress("包保 visits", len(visits), len(visits))
