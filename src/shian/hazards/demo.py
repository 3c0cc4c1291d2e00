"""Demo step: hazards in every state for a sample of businesses, driven through the real services so
timelines and audit entries are genuine."""

import datetime as dt

from django.utils import timezone

from shian.core.demo import DemoContext
from shian.core.models import User
from shian.registry.models import Business

from . import services
from .choices import Severity

TITLES = [
    "后厨地面积水未清理",
    "冷藏柜温度超标",
    "原料与成品混放",
    "从业人员健康证过期",
    "防鼠设施缺失",
    "留样不足 48 小时",
    "垃圾桶未加盖",
    "消毒记录缺失",
    "进货查验记录不全",
    "食品添加剂未专柜存放",
]
PATHS = [  # the steps each sample hazard has gone through
    [],
    ["order"],
    ["order", "start"],
    ["order", "start", "submit"],
    ["order", "start", "submit", "verify"],
    ["order", "start", "submit", "verify", "close"],
    ["order", "start", "submit", "reject"],
    ["order", "start", "submit", "verify", "close"],
]


def _png() -> bytes:
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )


def generate(ctx: DemoContext) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    rng = ctx.rng
    inspector = User.objects.filter(username="inspector").first()  # scoped to 海曙区
    admin = User.objects.filter(username="admin").first()  # city-wide
    today = timezone.localdate()
    count = min(600, max(20, ctx.businesses // 50))  # enough to show every state; bounded for large cities
    ids = list(Business.objects.order_by("pk").values_list("pk", flat=True))
    for i, pk in enumerate(rng.sample(ids, min(count, len(ids)))):
        business = Business.objects.get(pk=pk)
        actor = inspector if inspector and business.region_path.startswith(inspector.region.path) else admin
        found = today - dt.timedelta(days=rng.randrange(1, 120))
        hazard = services.hazard_create(
            actor=actor,
            business=business,
            title=rng.choice(TITLES),
            severity=rng.choices(list(Severity.values), [70, 25, 5])[0],
            found_on=found,
        )
        for action in PATHS[i % len(PATHS)]:
            if action == "submit":
                services.evidence_add(
                    actor=actor, hazard=hazard, upload=SimpleUploadedFile("整改照片.png", _png(), "image/png")
                )
            deadline = today + dt.timedelta(days=rng.choice([-20, -3, 5, 12])) if action == "order" else None
            hazard = services.hazard_transition(
                actor=actor,
                hazard=hazard,
                action=action,
                note="整改不到位" if action == "reject" else "",
                deadline=deadline if deadline and deadline >= today else None,
            )
            if action == "order" and deadline and deadline < today:
                # an order made weeks ago whose deadline has passed: backdate as it would have been
                type(hazard).objects.filter(pk=hazard.pk).update(deadline=deadline)
                hazard.refresh_from_db()
        ctx.progress("hazards", i + 1, count)
    services.escalate_overdue()
