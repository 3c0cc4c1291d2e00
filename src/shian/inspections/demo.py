"""Demo steps for inspections.

``generate`` (the step "inspections.sample"): three years of inspection history, year by year as the
bureau lived it. For each year: the city graded as it stood on the previous 31 December (dated grade
history); every district's plan made from those grades, for the businesses on the register then (routine
visits by grade plus the 双随机 share, spread over the district's inspectors); then the plan carried out:
most visits done within their window by the inspector they were planned for, a few missed (overdue), the
rest of the current month still to come. The inspections are written in bulk as seeded history — closed,
with one result per checklist item, the conclusion and score by the rule tables — and every failed item
is a hazard, written with the closed loop it has lived since (``hazards.demo.live``), before the next
year is graded.

``generate_recent`` (the step "inspections.plans", after the hazard history): the last days' inspections
made through the services, so their audit entries are genuine: the demo `shop`'s (one item failed, its
hazard ordered and being rectified by the shop in its own login), the demo `canteen`'s, and a few of the
current month's visits still due. The demo `inspector` is given a round of visits planned for today.

Every inspection uses its business type's active checklist (``ChecklistTemplate``, one per type), and the
量化分级 shown for it is computed from the conclusion and score when read (``rating.rating_for``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shian.core.choices import RegionLevel, Role
from shian.core.demo import DemoContext, insert_rows, insert_rows_ids
from shian.core.models import Region, User
from shian.hazards import services as hazard_services
from shian.hazards.choices import HazardSource, HazardState, Severity
from shian.hazards.models import Hazard
from shian.registry.models import Business

from . import services
from .models import ChecklistTemplate, Inspection, InspectionState, ItemResult, Outcome, PlannedVisit, RatingPolicy
from .planning import mark_done, plan_generate, visit_status
from .rating import inspection_score

YEARS = 3  # this year and the two before
RANDOM_SHARE = 0.2
# how businesses fare at an inspection: share of businesses, the chance some general items fail (and at
# most how many), the chance a key item fails. Overall about 78% 符合, 20% 基本符合, 2% 不符合.
QUALITY = {"good": (70, 0.12, 1, 0.004), "fair": (23, 0.4, 3, 0.03), "poor": (7, 0.65, 6, 0.12)}
# the share of their planned visits inspectors carry out within the window: most nearly all, some fewer
DILIGENCE = [(0.985, 75), (0.95, 25)]
DEFECT_NOTES = [
    "现场检查发现不符合要求",
    "相关记录不全",
    "设施设备维护不到位",
    "部分物品未按要求存放",
    "从业人员操作不规范",
    "标签标识不规范",
]
REPRESENTATIVES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁"
CHUNK = 4000  # inspections written per batch
# plain values for the raw inserts
PASS, FAIL, CLOSED = Outcome.PASS.value, Outcome.FAIL.value, InspectionState.CLOSED.value
FOUND, INSPECTION = HazardState.FOUND.value, HazardSource.INSPECTION.value
GENERAL, MAJOR = Severity.GENERAL.value, Severity.MAJOR.value


def generate(ctx: DemoContext) -> None:
    from shian.supervision.services import grades_recompute

    admin = User.objects.filter(username="admin").first()
    this_year = timezone.localdate().year
    districts = list(Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code"))
    kit = _Kit(ctx)
    for year in range(this_year - YEARS + 1, this_year + 1):
        as_of = dt.date(year - 1, 12, 31)
        counts = grades_recompute(as_of=as_of, trigger="demo history")
        ctx.progress(f"grades as of {as_of}", counts["graded"], counts["graded"])
        for i, district in enumerate(districts):
            plan_generate(
                actor=admin,
                region=district,
                year=year,
                random_share=RANDOM_SHARE,
                seed=ctx.seed + i * 10 + year,
                as_of=as_of,
            )
        _carry_out(ctx, kit, year)
    mark_done()  # the history was written in bulk: the planned visits it did


class _Kit:
    """What writing inspections in bulk needs, read once: each type's checklist, the conclusions and
    scores by the rule tables, the businesses' types, and how each business and inspector fares."""

    def __init__(self, ctx: DemoContext):
        self.rng = ctx.rng
        self.templates: dict[str, tuple[int, list[tuple]]] = {}  # type -> (template id, items)
        for template in ChecklistTemplate.objects.filter(active=True).order_by("business_type", "-version"):
            if template.business_type not in self.templates:
                items = list(template.items.order_by("order").values_list("pk", "is_key", "text", "order"))
                self.templates[template.business_type] = (template.pk, items)
        self.types = dict(Business.objects.values_list("pk", "type"))
        self.usernames = dict(User.objects.values_list("pk", "username"))
        self.admin_id = User.objects.filter(username="admin").values_list("pk", flat=True).first()
        self.policy = RatingPolicy.objects.first()
        self.logins = set(ctx.data.get("demo_businesses", {}).values())
        self.first_fail = set(self.logins)  # the logins' businesses: their first inspection found one thing
        self._quality: dict[int, str] = {}
        self._diligence: dict[int | None, float] = {}
        self._conclusions: dict[tuple[int, int], str] = {}
        self._scores: dict[tuple[int, int], object] = {}
        self._days: dict[dt.date, object] = {}

    def quality(self, business_id: int) -> tuple:
        if business_id not in self._quality:
            names = list(QUALITY)
            self._quality[business_id] = (
                "good" if business_id in self.logins else self.rng.choices(names, [QUALITY[n][0] for n in names])[0]
            )
        return QUALITY[self._quality[business_id]]

    def diligence(self, inspector_id: int | None) -> float:
        if inspector_id not in self._diligence:
            self._diligence[inspector_id] = self.rng.choices([d for d, _w in DILIGENCE], [w for _d, w in DILIGENCE])[0]
        return self._diligence[inspector_id]

    def conclusion(self, key: int, general: int) -> str:
        if (key, general) not in self._conclusions:
            self._conclusions[key, general] = services.conclude(key, general)
        return self._conclusions[key, general]

    def score(self, key: int, general: int):
        """The score as the database takes it."""
        if (key, general) not in self._scores:
            field = Inspection._meta.get_field("score")
            self._scores[key, general] = field.get_db_prep_save(inspection_score(key, general, self.policy), connection)
        return self._scores[key, general]

    def day(self, day: dt.date):
        """A date as the database takes it."""
        if day not in self._days:
            self._days[day] = connection.ops.adapt_datefield_value(day)
        return self._days[day]

    @staticmethod
    def at(moment: dt.datetime):
        """A moment as the database takes it."""
        return connection.ops.adapt_datetimefield_value(moment)


def _working_day(day: dt.date, first: dt.date, last: dt.date) -> dt.date:
    """``day`` moved off a weekend, within [first, last] where that allows."""
    if day.weekday() >= 5:
        back = day - dt.timedelta(days=day.weekday() - 4)
        day = back if back >= first else day + dt.timedelta(days=7 - day.weekday())
    return min(max(day, first), last)


def _carry_out(ctx: DemoContext, kit: _Kit, year: int) -> None:
    """The year's planned visits whose window has opened, done (or not) as described above: one
    inspection per business and window, on about the planned day, by the planned inspector."""
    rng = ctx.rng
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    visits = (
        PlannedVisit.objects.filter(plan__year=year, window_start__lte=yesterday)
        .order_by("pk")
        .values_list("business_id", "inspector_id", "window_start", "due_on", "planned_on")
    )
    seen: set[tuple[int, dt.date]] = set()
    batch: list[tuple[int, int | None, dt.date]] = []
    done = 0
    for business_id, inspector_id, start, due, planned in visits.iterator(chunk_size=5000):
        if (business_id, start) in seen or business_id not in kit.types:
            continue
        seen.add((business_id, start))
        last = min(due, yesterday)
        planned = planned or start
        if due >= today and planned > yesterday:
            continue  # this month's visit, not reached yet: still due
        if business_id not in kit.logins and rng.random() >= kit.diligence(inspector_id):
            continue  # missed: overdue
        day = _working_day(planned + dt.timedelta(days=rng.randrange(-3, 4)), start, last)
        batch.append((business_id, inspector_id, day))
        if len(batch) >= CHUNK:
            done += _write(ctx, kit, batch)
            batch = []
            ctx.progress(f"inspections {year}", done, done)
    done += _write(ctx, kit, batch)
    ctx.progress(f"inspections {year}", done, done)


INSPECTION_FIELDS = [
    "business",
    "template",
    "inspector",
    "inspected_on",
    "state",
    "conclusion",
    "key_failures",
    "general_failures",
    "score",
    "summary",
    "representative",
    "inspector_signature",
    "representative_signature",
    "closed_at",
    "version",
]
RESULT_FIELDS = ["inspection", "item", "outcome", "note"]


def _write(ctx: DemoContext, kit: _Kit, batch: list[tuple[int, int | None, dt.date]]) -> int:
    """Closed inspections, their item results, and the hazards their failed items raised with the loop
    each has lived since: plain rows, every value prepared once (a few hundred distinct days and scores)."""
    from shian.hazards import demo as hazards_demo

    if not batch:
        return 0
    rng = ctx.rng
    rows, made = [], []
    for business_id, inspector_id, day in batch:
        template_id, items = kit.templates[kit.types[business_id]]
        _share, p_general, most, p_key = kit.quality(business_id)
        general = [i for i in items if not i[1]]
        key = [i for i in items if i[1]]
        failed = []
        if business_id in kit.first_fail and general:
            kit.first_fail.discard(business_id)
            failed.append(rng.choice(general))
        elif general and rng.random() < p_general:
            failed += rng.sample(general, min(len(general), rng.randint(1, most)))
        if key and rng.random() < p_key:
            failed.append(rng.choice(key))
        k = sum(1 for i in failed if i[1])
        g = len(failed) - k
        inspector_id = inspector_id or kit.admin_id
        closed_at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randrange(9, 17), rng.randrange(60))))
        representative = rng.choice(REPRESENTATIVES) + rng.choice(["经理", "店长", "负责人", "主管"])
        rows.append(
            (
                business_id,
                template_id,
                inspector_id,
                kit.day(day),
                CLOSED,
                kit.conclusion(k, g),
                k,
                g,
                kit.score(k, g),
                "",
                representative,
                "",
                "",
                kit.at(closed_at),
                3,
            )
        )
        made.append((business_id, inspector_id, day, closed_at, {i[0]: rng.choice(DEFECT_NOTES) for i in failed}))
    ids = insert_rows_ids(Inspection, INSPECTION_FIELDS, rows, prepared=tuple(INSPECTION_FIELDS))
    results, hazards = [], []
    with translation.override(settings.LANGUAGE_CODE):  # the records are written in the bureau's language
        for pk, (business_id, inspector_id, day, closed_at, failed) in zip(ids, made, strict=True):
            for item_id, is_key, text, order in kit.templates[kit.types[business_id]][1]:
                note = failed.get(item_id, "")
                results.append((pk, item_id, FAIL if item_id in failed else PASS, note))
                if item_id in failed:
                    hazards.append(
                        Hazard(
                            business_id=business_id,
                            title=services.failed_item_title(text, note),
                            description=_("Inspection of %(d)s, item %(n)d (%(item)s) not met: %(note)s")
                            % {"d": day, "n": order, "item": text, "note": note},
                            severity=MAJOR if is_key else GENERAL,
                            source=INSPECTION,
                            origin=f"inspections.inspection:{pk}",
                            found_on=day,
                            found_by_id=inspector_id,
                            updated_at=closed_at,
                        )
                    )
    insert_rows(ItemResult, RESULT_FIELDS, results, prepared=tuple(RESULT_FIELDS))  # ids and plain text
    created = [  # recorded when the inspection closed (rows as hazards.demo.EVENT_FIELDS)
        [h, "create", "", FOUND, h.found_by_id, kit.usernames.get(h.found_by_id, "system"), "", h.updated_at]
        for h in hazards
    ]
    events, evidence = hazards_demo.live(ctx, [(h, h.updated_at) for h in hazards])
    hazards_demo.write_hazards(hazards)
    hazards_demo.write_timelines(created + events, evidence)
    return len(rows)


DEMO_INSPECTOR = "inspector"  # the login of core.demo_city (海曙区)
TODAY_VISITS = 4  # the demo inspector's round today (a weekend has none in the plan: the demo plans one)


def plan_todays_round(today: dt.date | None = None) -> list[PlannedVisit]:
    """The demo `inspector` has visits planned for today, whatever day the demo is made (the plan puts
    visits on working days only, and by chance on other days): the first of the inspector's visits still
    open — due ones first, then overdue, then upcoming — are moved to today, up to ``TODAY_VISITS``."""
    today = today or timezone.localdate()
    inspector = User.objects.filter(username=DEMO_INSPECTOR, role=Role.INSPECTOR).first()
    if inspector is None:
        return []
    mine = PlannedVisit.objects.filter(inspector=inspector, plan__year=today.year).select_related("business")
    planned = list(mine.filter(planned_on=today))
    if len(planned) >= TODAY_VISITS:
        return planned
    others = list(mine.exclude(planned_on=today).order_by("due_on", "pk"))
    status = visit_status(others, today)
    rank = {"due": 0, "overdue": 1, "upcoming": 2}
    open_visits = sorted((v for v in others if status[v.pk] in rank), key=lambda v: (rank[status[v.pk]], v.due_on))
    moved = open_visits[: TODAY_VISITS - len(planned)]
    PlannedVisit.objects.filter(pk__in=[v.pk for v in moved]).update(planned_on=today)
    return planned + moved


def generate_recent(ctx: DemoContext) -> None:
    """The last days' inspections, through the services (see the module's docstring)."""
    rng = ctx.rng
    today = timezone.localdate()
    todays_round = {v.pk for v in plan_todays_round(today)}
    logins = ctx.data.get("demo_businesses", {})
    shop = Business.objects.filter(pk=logins.get("shop")).first()
    inspector = _inspector_for(shop) if shop else None
    if shop and inspector:
        inspection = _inspect(ctx, shop, inspector, today - dt.timedelta(days=3), fail_general=1)
        staff = User.objects.filter(username="shop").first()
        for hazard in Hazard.objects.filter(origin=f"inspections.inspection:{inspection.pk}"):
            hazard = hazard_services.hazard_transition(
                actor=inspector,
                hazard=hazard,
                action="order",
                deadline=hazard_services.deadline_for(hazard.severity, hazard.found_on),
                order_text="责令限期整改",
            )
            if staff is not None:  # the shop has started on it, in its own login; the evidence is still to come
                hazard_services.hazard_transition(actor=staff, hazard=hazard, action="start")
    canteen = Business.objects.filter(pk=logins.get("canteen")).first()
    if canteen and _inspector_for(canteen):
        _inspect(ctx, canteen, _inspector_for(canteen), today - dt.timedelta(days=6))
    # a few of this month's visits still due, done in the last days by the inspector they were planned for
    count = min(12, max(3, ctx.businesses // 500))
    visits = list(
        PlannedVisit.objects.filter(
            plan__year=today.year,
            window_start__lte=today,
            due_on__gte=today,
            inspector__role=Role.INSPECTOR,
        )
        .exclude(business_id__in=logins.values())
        .select_related("business", "inspector")
        .order_by("pk")
    )
    status = visit_status(visits, today)
    due = [v for v in visits if status[v.pk] == "due" and v.pk not in todays_round]  # today's round still to do
    for n, visit in enumerate(rng.sample(due, min(count, len(due))), start=1):
        day = max(visit.window_start, today - dt.timedelta(days=rng.randrange(0, 4)))
        _inspect(ctx, visit.business, visit.inspector, day, fail_general=rng.choice([0, 0, 0, 1, 2]))
        ctx.progress("recent inspections", n, count)


def _inspector_for(business: Business) -> User | None:
    """An inspector whose area covers the business: the `inspector` login in its 海曙区, else the first of
    the district's."""
    for user in User.objects.filter(role=Role.INSPECTOR, is_active=True).select_related("region").order_by("pk"):
        if user.region is not None and business.region_path.startswith(user.region.path):
            return user
    return None


def _inspect(ctx: DemoContext, business: Business, actor: User, day: dt.date, fail_general: int = 0) -> Inspection:
    """One inspection on ``day`` through the services: started, every item recorded (``fail_general``
    general items failed, with a note), closed — its failed items become hazards, as found on that day."""
    rng = ctx.rng
    inspection = services.inspection_start(actor=actor, business=business)
    Inspection.objects.filter(pk=inspection.pk).update(inspected_on=day)  # as if done on that day
    inspection.refresh_from_db()
    rows = list(inspection.results.select_related("item"))
    general = [r.item_id for r in rows if not r.item.is_key]
    failed = set(rng.sample(general, min(fail_general, len(general))))
    results = {
        r.item_id: {
            "outcome": Outcome.FAIL if r.item_id in failed else Outcome.PASS,
            "note": rng.choice(DEFECT_NOTES) if r.item_id in failed else "",
        }
        for r in rows
    }
    with translation.override(settings.LANGUAGE_CODE):
        inspection = services.inspection_record(actor=actor, inspection=inspection, results=results)
        inspection = services.inspection_close(  # graded with everyone at the end of the demo
            actor=actor, inspection=inspection, summary="", representative="负责人", regrade=False
        )
    closed_at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randrange(9, 12), rng.randrange(60))))
    Inspection.objects.filter(pk=inspection.pk).update(closed_at=min(closed_at, timezone.now()))
    return inspection


# registered under this name (inspections/apps.py): after the plans, the last days' inspections
generate_plans = generate_recent
