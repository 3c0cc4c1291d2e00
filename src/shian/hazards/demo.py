"""Demo step: hazards in every state for a sample of businesses, driven through the real services so
timelines and audit entries are genuine."""

import datetime as dt

from django.utils import timezone

from shian.core.demo import DemoContext
from shian.core.models import User
from shian.registry.models import Business

from . import services
from .choices import HazardSource, HazardState, Severity
from .models import DeadlineRule, Evidence, Hazard, HazardEvent

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


RECENT_DAYS = 14  # hazards found in the last fortnight are left as found, awaiting an order


def _lifecycle(rng, found: dt.date, rule: DeadlineRule | None) -> tuple[list[tuple], dt.date]:
    """The closed loop a hazard found on ``found`` went through, as (day, action, from, to, note, by
    business) steps, with the deadline it was given; escalations follow the deadline rule's grace days."""
    S = HazardState
    days = rule.days_to_rectify if rule else 15
    grace = rule.escalate_after_days if rule else 0
    deadline = found + dt.timedelta(days=days)
    start = found + dt.timedelta(days=rng.randrange(0, 3))
    steps = [(found, "order", S.FOUND, S.ORDERED, "", False), (start, "start", S.ORDERED, S.RECTIFYING, "", True)]
    late_by = rng.randrange(1, 12) if rng.random() < 0.12 else 0
    if late_by > grace:  # the daily job escalated it the day after the grace days ran out
        escalated = deadline + dt.timedelta(days=grace + 1)
        closed = escalated + dt.timedelta(days=rng.randrange(30, 90))
        return steps + [
            (escalated, "escalate", S.RECTIFYING, S.ESCALATED, f"逾期未整改（期限 {deadline}）", False),
            (closed, "close", S.ESCALATED, S.CLOSED, "案件办结，已作出行政处罚", False),
        ], deadline
    submitted = (
        deadline + dt.timedelta(days=late_by)
        if late_by
        else start + dt.timedelta(days=rng.randrange(0, max(1, (deadline - start).days - 2)))
    )
    steps.append((submitted, "submit", S.RECTIFYING, S.EVIDENCE_SUBMITTED, "", True))
    if rng.random() < 0.1:
        rejected = submitted + dt.timedelta(days=rng.randrange(1, 3))
        submitted = rejected + dt.timedelta(days=rng.randrange(2, 6))
        steps += [
            (rejected, "reject", S.EVIDENCE_SUBMITTED, S.RECTIFYING, "整改不到位，请重新整改", False),
            (submitted, "submit", S.RECTIFYING, S.EVIDENCE_SUBMITTED, "", True),
        ]
    verified = submitted + dt.timedelta(days=rng.randrange(1, 3))
    return steps + [
        (verified, "verify", S.EVIDENCE_SUBMITTED, S.VERIFIED, "现场复查合格", False),
        (verified + dt.timedelta(days=rng.randrange(0, 2)), "close", S.VERIFIED, S.CLOSED, "", False),
    ], deadline


def generate_history(ctx: DemoContext) -> None:
    """Hazards raised by the demo's past inspections (three years of them) have lived their closed loop
    since: each gets its dated timeline, evidence, deadline, escalation and closing date, written in bulk
    as seeded history (steps that would fall after today are not taken, so recent ones are still open)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    rng = ctx.rng
    today = timezone.localdate()
    rules = {r.severity: r for r in DeadlineRule.objects.all()}
    admin = User.objects.filter(username="admin").first()
    photo = _png()
    stored = default_storage.save("hazards/demo/整改照片.png", ContentFile(photo))
    hazards = list(
        Hazard.objects.filter(
            state=HazardState.FOUND,
            source=HazardSource.INSPECTION,
            found_on__lt=today - dt.timedelta(days=RECENT_DAYS),
        ).order_by("pk")
    )
    found = {h.pk: h.found_on for h in hazards}
    created = list(HazardEvent.objects.filter(hazard_id__in=found, action="create"))
    for event in created:  # recorded when the inspection closed, that day
        event.at = timezone.make_aware(dt.datetime.combine(found[event.hazard_id], dt.time(8, 30)))
    HazardEvent.objects.bulk_update(created, ["at"], batch_size=1000)
    events, evidence = [], []
    for hazard in hazards:
        regulator = hazard.found_by or admin
        steps, deadline = _lifecycle(rng, hazard.found_on, rules.get(hazard.severity))
        steps = [s for s in steps if s[0] < today]
        at = None
        for day, action, source, target, note, by_business in steps:
            hour = 9 + rng.randrange(0, 9)
            when = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randrange(60))))
            at = when if at is None or when > at else at + dt.timedelta(minutes=rng.randrange(10, 90))
            actor = None if by_business or action == "escalate" else regulator
            name = "企业食品安全员" if by_business else (actor.username if actor else "system")
            events.append(
                HazardEvent(
                    hazard=hazard,
                    action=action,
                    from_state=source,
                    to_state=target,
                    actor=actor,
                    actor_name=name,
                    note=note,
                    at=at,
                )
            )
            if action == "submit":
                evidence.append(
                    Evidence(
                        hazard=hazard,
                        file=stored,
                        content_type="image/png",
                        size=len(photo),
                        note="整改后照片",
                        submitted_at=at,
                    )
                )
            if action == "order":
                hazard.deadline, hazard.order_text = deadline, "责令限期整改"
            if action == "escalate":
                hazard.escalated_on = day
            if action == "close":
                hazard.closed_on = day
            hazard.state = target
        hazard.version += len(steps)
        hazard.updated_at = at or hazard.updated_at
    HazardEvent.objects.bulk_create(events, batch_size=2000)
    Evidence.objects.bulk_create(evidence, batch_size=2000)
    Hazard.objects.bulk_update(
        hazards,
        ["state", "deadline", "order_text", "escalated_on", "closed_on", "version", "updated_at"],
        batch_size=1000,
    )
    ctx.progress("hazard history", len(hazards), len(hazards))
