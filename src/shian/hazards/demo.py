"""Demo steps for hazards.

``generate``: the last weeks' hazards entered by hand (from 包保 visits, complaints, …), driven through the
real services so their timelines and audit entries are genuine, in the proportions of a city that keeps
up: most ordered and within their deadline, some verified on site or closed, a few just found, a few
overdue within the grace days, and now and then one past them: the nightly job raises a case lead (案件线索)
that the district bureau decides — mostly a case opened (立案) with its head's approval, some declined with
their ground, the newest still open. A few serious hazards get leads the day after they are found. A
handful of recorded food-safety incidents (食品安全事故) at catering businesses and canteens.

``generate_history``: the closed loop of the hazards the demo's past inspections raised (seeded history,
bulk-written), called by the inspection history year by year."""

import datetime as dt

from django.utils import timezone

from shian.core.choices import Role
from shian.core.demo import DemoContext, insert_rows, insert_rows_ids
from shian.core.models import User
from shian.registry.choices import BusinessStatus
from shian.registry.models import Business

from . import services
from .choices import HazardSource, HazardState, LeadReason, LeadState, Severity
from .models import CaseLead, DeadlineRule, Evidence, Hazard, HazardEvent

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
# where each hand-entered hazard stands today, with its share: (kind, weight)
STAGES = [
    ("found", 12),  # found in the last days, the order still to be written
    ("ordered", 45),  # rectification ordered, deadline ahead
    ("overdue", 6),  # past its deadline, within the grace days before escalation
    ("verified", 12),  # rectification checked on site (复查), closing to follow
    ("closed", 22),  # closed by the deadline
    ("escalated", 3),  # past the grace days: the nightly job raised a case lead, the bureau decided it
]


def _png() -> bytes:
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )


def _regulators() -> dict[str, list[User]]:
    """Each district's inspectors by division code, and the city administrator under "" (the fallback)."""
    out: dict[str, list[User]] = {"": list(User.objects.filter(username="admin"))}
    for user in User.objects.filter(role=Role.INSPECTOR, is_active=True).select_related("region").order_by("pk"):
        if user.region is not None:
            out.setdefault(user.region.path, []).append(user)
    return out


def generate(ctx: DemoContext) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    rng = ctx.rng
    today = timezone.localdate()
    rules = {r.severity: r for r in DeadlineRule.objects.all()}
    regulators = _regulators()
    count = min(300, max(12, ctx.businesses // 100))
    ids = list(
        Business.objects.filter(status=BusinessStatus.OPERATING)
        .exclude(pk__in=ctx.data.get("demo_businesses", {}).values())  # theirs come from their inspections
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    stages = [k for k, _w in STAGES]
    weights = [w for _k, w in STAGES]
    for i, pk in enumerate(rng.sample(ids, min(count, len(ids))), start=1):
        business = Business.objects.get(pk=pk)
        district_path = "/".join(business.region_path.split("/")[:2]) + "/"
        actor = rng.choice(regulators.get(district_path) or regulators[""])
        stage = rng.choices(stages, weights)[0]
        severity = rng.choices([Severity.GENERAL, Severity.MAJOR, Severity.SERIOUS], [76, 20, 4])[0]
        rule = rules.get(severity)
        days = rule.days_to_rectify if rule else 15
        grace = rule.escalate_after_days if rule else 0
        if stage == "found":
            found = today - dt.timedelta(days=rng.randrange(0, 3))
        elif stage == "overdue":
            found = today - dt.timedelta(days=days + rng.randrange(1, grace + 1 if grace else 2))
        elif stage == "escalated":
            found = today - dt.timedelta(days=days + grace + rng.randrange(1, 10))
        else:
            found = today - dt.timedelta(days=rng.randrange(0, max(1, days)))
        hazard = services.hazard_create(
            actor=actor,
            business=business,
            title=rng.choice(TITLES),
            severity=severity,
            found_on=found,
        )
        if stage != "found":
            deadline = found + dt.timedelta(days=days)  # ordered on the day it was found
            hazard = services.hazard_transition(
                actor=actor,
                hazard=hazard,
                action="order",
                deadline=max(deadline, today),
                order_text="责令限期整改",
            )
            if deadline < today:  # an order made weeks ago whose deadline has passed: dated as it was
                type(hazard).objects.filter(pk=hazard.pk).update(deadline=deadline)
                hazard.refresh_from_db()
        if stage in ("verified", "closed"):
            services.evidence_add(
                actor=actor, hazard=hazard, upload=SimpleUploadedFile("复查照片.png", _png(), "image/png")
            )
            hazard = services.hazard_transition(
                actor=actor, hazard=hazard, action="verify", note="现场复查，已整改到位"
            )
        if stage == "closed":
            hazard = services.hazard_transition(actor=actor, hazard=hazard, action="close")
        if stage == "escalated" or (severity == Severity.SERIOUS and stage in ("found", "ordered", "overdue")):
            _lead_and_decision(
                ctx, hazard, raised=found + dt.timedelta(days=days + grace + 1 if stage == "escalated" else 1)
            )
        ctx.progress("hazards", i, count)
    services.raise_case_leads()  # the nightly job: any lead still due (left open, for the bureau's queue)
    _incidents(ctx)


def _lead_and_decision(ctx: DemoContext, hazard: Hazard, *, raised: dt.date) -> None:
    """A case lead the nightly job raised on ``raised``, and the district bureau's decision a few days later
    (through the services): mostly a case opened with the head's approval, some declined with their
    ground, and the ones raised in the last days still open."""
    from shian.core.models import Region

    rng, today = ctx.rng, timezone.localdate()
    raised = min(raised, today)
    serious = hazard.severity == Severity.SERIOUS
    reason = LeadReason.SERIOUS if serious else LeadReason.OVERDUE
    detail = "严重隐患" if serious else f"逾期未整改（期限 {hazard.deadline}）"
    lead = services.case_lead_raise(actor=None, hazard=hazard, reason=reason, detail=detail, today=raised)
    day = raised + dt.timedelta(days=rng.randrange(2, 10))
    if day > today:
        return  # still awaiting the decision
    district = "/".join(hazard.business.region_path.split("/")[:2]) + "/"
    decider = (
        User.objects.filter(role=Role.DISTRICT_REGULATOR, is_active=True, region__path=district).first()
        or User.objects.filter(role=Role.CITY_ADMIN).first()
    )
    if decider is None:
        return
    if rng.random() < (SERIOUS_ACCEPTED if serious else ACCEPTED):
        ctx.data.setdefault("case_numbers", {})
        region = Region.objects.filter(path=district).values_list("name", flat=True).first() or "市"
        ctx.data.setdefault("district_short", {})[district] = region[0]
        services.case_lead_decide(
            actor=decider,
            lead=lead,
            action="accept",
            approver=_approver(district),
            approved_on=day,
            case_number=_case_number(ctx, district, day),
        )
    else:
        ground = rng.choice(list(DECLINE_NOTES))
        services.case_lead_decide(
            actor=decider, lead=lead, action="decline", ground=ground, reason=DECLINE_NOTES[ground]
        )


INCIDENTS = [
    # (title, description, exposed, ill, level, source, days ago)
    (
        "疑似诺如病毒感染性腹泻",
        "就餐后 12–36 小时内多人出现呕吐、腹泻，疾控采样检出诺如病毒。",
        86,
        17,
        "iv",
        "medical",
        40,
    ),
    ("副溶血性弧菌食物中毒", "凉拌海蜇生熟交叉污染，就餐者出现腹痛腹泻，医疗机构报告。", 23, 9, "iv", "medical", 130),
    ("学校食堂午餐后学生呕吐", "学生午餐后陆续出现恶心呕吐，留样送检，学校报告。", 420, 31, "iii", "business", 250),
    (
        "外卖餐品致腹泻投诉",
        "多名消费者投诉同一批次外卖餐品后腹泻，经调查确认为食源性疾病。",
        15,
        6,
        "",
        "complaint",
        75,
    ),
    ("亚硝酸盐误用致中毒", "厨师误将亚硝酸盐当作食盐使用，2 人就医。", 8, 2, "iv", "inspection", 320),
]


def _incidents(ctx: DemoContext) -> None:
    """A handful of recorded food-safety incidents (食品安全事故) at catering businesses and canteens, spread
    over the last year (the 量化分级 rating leaves their businesses without a dynamic level for six months)."""
    rng, today = ctx.rng, timezone.localdate()
    ids = list(
        Business.objects.filter(status=BusinessStatus.OPERATING, type__in=["catering", "school_canteen", "takeout"])
        .exclude(pk__in=ctx.data.get("demo_businesses", {}).values())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    for title, description, exposed, ill, level, source, ago in INCIDENTS:
        services.incident_create(
            actor=None,
            business=Business.objects.get(pk=rng.choice(ids)),
            occurred_on=today - dt.timedelta(days=ago),
            title=title,
            description=description,
            diners_affected=exposed,
            ill_count=ill,
            level=level,
            source=source,
        )


RECENT_DAYS = 10  # hazards found in the last ten days are still being rectified: no 复查 (verification) yet
LATE = 0.07  # rectified after the deadline (escalated when later than the grace days)
REJECTED = 0.06  # evidence rejected once, rectified again


ACCEPTED = 0.75  # share of overdue leads a district bureau opens as a case (立案); the rest are declined
SERIOUS_ACCEPTED = 0.6  # serious hazards: the rest rectified at once, declined under Art. 20 (1)
APPROVERS = ["王建国", "李卫东", "陈晓燕", "张志强", "刘海波", "周敏", "吴建华", "郑丽萍", "孙国庆", "冯志明"]
DECLINE_NOTES = {
    "minor": "违法行为轻微并及时改正，未造成危害后果",
    "first": "初次违法且危害后果轻微，已及时改正",
}


def _lifecycle(rng, found: dt.date, rule: DeadlineRule | None, diligent: bool = False) -> tuple[list[tuple], dt.date]:
    """The closed loop a hazard found on ``found`` went through, as (day, action, from, to, note, by
    business) steps, with the deadline it was given. Ordered on the spot; most businesses rectify with a
    few days to spare, so the 复查 and the closing fall by the deadline; a few are late, and those later
    than the deadline rule's grace days get a case lead (案件线索) the day after (the nightly job), which
    the district bureau decides a few days later: mostly a case opened (立案, with the head's approval),
    otherwise declined (不予立案) and the loop goes on. A serious hazard gets a lead the day after it is
    found. Now and then the evidence is rejected once. A ``diligent`` business (the demo logins') is never
    late nor rejected, and has no serious hazards' leads."""
    S = HazardState
    days = rule.days_to_rectify if rule else 15
    grace = rule.escalate_after_days if rule else 0
    deadline = found + dt.timedelta(days=days)
    start = found + dt.timedelta(days=rng.randrange(0, min(3, days)))
    steps = [(found, "order", S.FOUND, S.ORDERED, "", False), (start, "start", S.ORDERED, S.RECTIFYING, "", True)]
    floor = start  # nothing of the business's is submitted before a lead's decision it waits for

    def decided(raised: dt.date, accept: bool, state: S, note: str, lo: int, hi: int) -> list[tuple] | None:
        nonlocal floor
        day = raised + dt.timedelta(days=rng.randrange(lo, hi))
        lead = (raised, "lead", state, state, note, False)
        if accept:
            closed = day + dt.timedelta(days=rng.randrange(30, 90))
            return [
                lead,
                (day, "escalate", state, S.ESCALATED, "", False),
                (closed, "close", S.ESCALATED, S.CLOSED, "案件办结，已作出行政处罚", False),
            ]
        ground = rng.choice(list(DECLINE_NOTES))
        steps.extend([lead, (day, "lead_declined", state, state, ground, False)])
        floor = day
        return None

    if rule is not None and rule.escalate_immediately and not diligent:
        raised = found + dt.timedelta(days=1)
        state = S.RECTIFYING if start <= raised else S.ORDERED
        case = decided(raised, rng.random() < SERIOUS_ACCEPTED, state, "严重隐患", 2, 8)
        if case is not None:
            return steps + case, deadline
    late_by = rng.randrange(1, 12) if rng.random() < LATE and not diligent else 0
    if late_by > grace:  # the daily job raised a case lead the day after the grace days ran out
        raised = deadline + dt.timedelta(days=grace + 1)
        case = decided(raised, rng.random() < ACCEPTED, S.RECTIFYING, f"逾期未整改（期限 {deadline}）", 2, 12)
        if case is not None:
            return steps + case, deadline
    room = (deadline - start).days - 2  # submitted by then, the 复查 and the closing fit before the deadline
    submitted = (
        deadline + dt.timedelta(days=late_by) if late_by else start + dt.timedelta(days=rng.randrange(max(1, room)))
    )
    submitted = max(submitted, floor + dt.timedelta(days=1)) if floor > start else submitted
    steps.append((submitted, "submit", S.RECTIFYING, S.EVIDENCE_SUBMITTED, "", True))
    if rng.random() < REJECTED and not diligent:
        rejected = submitted + dt.timedelta(days=rng.randrange(1, 3))
        submitted = rejected + dt.timedelta(days=rng.randrange(2, 6))
        steps += [
            (rejected, "reject", S.EVIDENCE_SUBMITTED, S.RECTIFYING, "整改不到位，请重新整改", False),
            (submitted, "submit", S.RECTIFYING, S.EVIDENCE_SUBMITTED, "", True),
        ]
    verified = submitted + dt.timedelta(days=rng.randrange(1, 3))
    closed = verified + dt.timedelta(days=rng.randrange(0, 2))
    if not late_by and closed > deadline >= verified:
        closed = deadline
    return steps + [
        (verified, "verify", S.EVIDENCE_SUBMITTED, S.VERIFIED, "现场复查合格", False),
        (closed, "close", S.VERIFIED, S.CLOSED, "", False),
    ], deadline


def generate_history(ctx: DemoContext) -> None:
    """Hazards an inspection raised before today that are still as found (made through the services)
    live their closed loop since, written in bulk as seeded history (see ``live``). The demo's past
    inspections give their hazards their loop as they write them; this step takes any left over."""
    hazards = list(
        Hazard.objects.filter(
            state=HazardState.FOUND,
            source=HazardSource.INSPECTION,
            found_on__lt=timezone.localdate(),
        ).order_by("pk")
    )
    if not hazards:
        return
    found = {h.pk: h.found_on for h in hazards}
    recorded: dict[int, dt.datetime] = {}
    moved = []
    for event in HazardEvent.objects.filter(hazard_id__in=found, action="create"):
        if timezone.localtime(event.at).date() != found[event.hazard_id]:  # recorded when the inspection closed
            event.at = timezone.make_aware(dt.datetime.combine(found[event.hazard_id], dt.time(8, 30)))
            moved.append(event)
        recorded[event.hazard_id] = event.at
    HazardEvent.objects.bulk_update(moved, ["at"], batch_size=1000)
    events, evidence = live(ctx, [(h, recorded.get(h.pk)) for h in hazards])
    write_timelines(events, evidence)
    Hazard.objects.bulk_update(
        hazards,
        ["state", "deadline", "order_text", "escalated_on", "closed_on", "version", "updated_at"],
        batch_size=1000,
    )
    ctx.progress("hazard history", len(hazards), len(hazards))


EVENT_FIELDS = ["hazard", "action", "from_state", "to_state", "actor", "actor_name", "note", "at"]
EVIDENCE_FIELDS = ["hazard", "file", "original_name", "content_type", "size", "note", "submitted_at"]


def live(ctx: DemoContext, hazards: list[tuple[Hazard, dt.datetime | None]]) -> tuple[list[list], list[list]]:
    """The closed loop each hazard (found, with the time it was recorded) has lived since it was found:
    its state, deadline, escalation and closing dates are set on it, and its timeline events and evidence
    are returned as rows (``EVENT_FIELDS``, ``EVIDENCE_FIELDS``; the hazard itself in the first place),
    for ``write_timelines`` once the hazards are saved (seeded history, bulk-written; the hazards may be
    new). Steps that would fall after today are not taken, and hazards found in the last ``RECENT_DAYS``
    have not been verified yet, so recent ones are still open."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    rng = ctx.rng
    today = timezone.localdate()
    recent = today - dt.timedelta(days=RECENT_DAYS)
    rules = {r.severity: r for r in DeadlineRule.objects.all()}
    if "usernames" not in ctx.data:
        ctx.data["usernames"] = dict(User.objects.values_list("pk", "username"))
        ctx.data["admin_id"] = User.objects.filter(username="admin").values_list("pk", flat=True).first()
    usernames, admin_id = ctx.data["usernames"], ctx.data["admin_id"]
    if "deciders" not in ctx.data:  # each district's regulator decides its leads (the city admin elsewhere)
        ctx.data["deciders"] = {
            u.region.path: u.pk
            for u in User.objects.filter(role=Role.DISTRICT_REGULATOR, is_active=True).select_related("region")
            if u.region is not None
        }
        ctx.data["case_numbers"] = {}
    deciders = ctx.data["deciders"]
    if "business_paths" not in ctx.data:
        ctx.data["business_paths"] = dict(Business.objects.values_list("pk", "region_path"))
    paths = ctx.data["business_paths"]
    diligent = set(ctx.data.get("demo_businesses", {}).values())
    photo = _png()
    if "hazard_photo" not in ctx.data:
        ctx.data["hazard_photo"] = default_storage.save("hazards/demo/整改照片.png", ContentFile(photo))
    stored = ctx.data["hazard_photo"]
    events, evidence = [], []
    for hazard, recorded in hazards:
        regulator = hazard.found_by_id or admin_id
        steps, deadline = _lifecycle(rng, hazard.found_on, rules.get(hazard.severity), hazard.business_id in diligent)
        steps = [s for s in steps if s[0] < today and (hazard.found_on < recent or s[1] not in ("verify", "close"))]
        at = recorded
        district = "/".join(paths.get(hazard.business_id, "").split("/")[:2]) + "/"
        decider = deciders.get(district) or admin_id
        lead = None
        for day, action, source, target, note, by_business in steps:
            hour = 9 + rng.randrange(0, 9)
            when = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randrange(60))))
            at = when if at is None or when > at else at + dt.timedelta(minutes=rng.randrange(10, 90))
            actor = None if by_business or action == "lead" else regulator
            if action in ("escalate", "lead_declined"):
                actor = decider
            if action == "lead":  # raised by the nightly job: open until decided below
                reason = LeadReason.SERIOUS if note == "严重隐患" else LeadReason.OVERDUE
                lead = CaseLead(hazard=hazard, reason=reason, detail=note, raised_on=day)
                _PENDING_LEADS.append(lead)
                note = f"{reason.label}: {note}"
            elif action == "escalate" and lead is not None:
                lead.state, lead.decided_by_id, lead.decided_at = LeadState.ACCEPTED, decider, at
                lead.approver, lead.approved_on = _approver(district), day
                lead.case_number = _case_number(ctx, district, day)
                lead.version = 2
                note = f"经负责人批准立案（审批人 {lead.approver}）" + (
                    f"，案号 {lead.case_number}" if lead.case_number else ""
                )
            elif action == "lead_declined" and lead is not None:
                lead.state, lead.decided_by_id, lead.decided_at = LeadState.DECLINED, decider, at
                lead.decline_ground, lead.decline_reason = note, DECLINE_NOTES[note]
                lead.version = 2
                note = f"{lead.get_decline_ground_display()}: {lead.decline_reason}"
            name = "企业食品安全员" if by_business else usernames.get(actor, "system")
            events.append([hazard, action, source.value, target.value, actor, name, note, at])
            if action == "submit":
                evidence.append([hazard, stored, "整改照片.png", "image/png", len(photo), "整改后照片", at])
            if action == "order":
                hazard.deadline, hazard.order_text = deadline, "责令限期整改"
            if action == "escalate":
                hazard.escalated_on, hazard.closed_on = day, None
            if action == "close":
                hazard.closed_on = day
            hazard.state = target
        hazard.version += len([s for s in steps if s[1] not in ("lead", "lead_declined")])
        hazard.updated_at = at or hazard.updated_at
    return events, evidence


HAZARD_FIELDS = [
    "business",
    "title",
    "description",
    "severity",
    "source",
    "state",
    "found_on",
    "found_by",
    "origin",
    "order_text",
    "deadline",
    "escalated_on",
    "closed_on",
    "updated_at",
    "version",
]


def write_hazards(hazards: list[Hazard]) -> None:
    """Write new hazards (seeded history) as plain rows, and give each its id."""
    meta = {f: Hazard._meta.get_field(f) for f in HAZARD_FIELDS}
    rows = [[getattr(h, meta[f].attname) for f in HAZARD_FIELDS] for h in hazards]
    plain = tuple(
        f for f in HAZARD_FIELDS if f not in ("found_on", "deadline", "escalated_on", "closed_on", "updated_at")
    )
    for hazard, pk in zip(hazards, insert_rows_ids(Hazard, HAZARD_FIELDS, rows, prepared=plain), strict=True):
        hazard.pk = pk


def write_timelines(events: list[list], evidence: list[list]) -> None:
    """Write the rows ``live`` returned, once their hazards are saved (they then have their ids)."""
    from django.db import connection

    moment = connection.ops.adapt_datetimefield_value
    for row in (*events, *evidence):
        row[0] = row[0].pk
        row[-1] = moment(row[-1])
    insert_rows(HazardEvent, EVENT_FIELDS, events, prepared=tuple(EVENT_FIELDS))
    insert_rows(Evidence, EVIDENCE_FIELDS, evidence, prepared=tuple(EVIDENCE_FIELDS))
    leads = [lead for lead in _PENDING_LEADS if lead.hazard.pk is not None]
    _PENDING_LEADS[:] = [lead for lead in _PENDING_LEADS if lead.hazard.pk is None]
    for lead in leads:
        lead.hazard_id = lead.hazard.pk
    CaseLead.objects.bulk_create(leads, batch_size=1000)


# the case leads ``live`` made, written by ``write_timelines`` once their hazards have ids (the callers of
# ``live`` keep their two lists; the leads wait here in between, within one demo run)
_PENDING_LEADS: list[CaseLead] = []


def _approver(district: str) -> str:
    """The head of the district bureau who approves its cases (立案审批), one fictional name per district."""
    return APPROVERS[sum(map(ord, district)) % len(APPROVERS)]


def _case_number(ctx: DemoContext, district: str, day: dt.date) -> str:
    """A 立案 number in the style of Ningbo's district bureaus (甬<district>市监立〔year〕n号); one in ten has none
    recorded (the number is optional)."""
    if ctx.rng.random() < 0.1:
        return ""
    numbers = ctx.data["case_numbers"]
    key = (district, day.year)
    numbers[key] = numbers.get(key, 0) + 1
    short = ctx.data.setdefault("district_short", {})
    if district not in short:
        from shian.core.models import Region

        name = Region.objects.filter(path=district).values_list("name", flat=True).first() or "市"
        short[district] = name[0]
    return f"甬{short[district]}市监立〔{day.year}〕{numbers[key]}号"
