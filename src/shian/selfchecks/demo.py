"""Demo step: the businesses' own checks, as in a city where most businesses keep them up: every operating
business's daily checks (日管控) for the last 30 days, weekly reviews (周排查) for the last 8 weeks and
monthly reports (月调度) for the last 3 months — the compliance windows — filed by most every time and by a
few only now and then; a sample (and the demo `shop` and `canteen` businesses) keep three years of them.
Nothing before a business opened. Today's daily check is in for about half of the businesses (the demo
logins' businesses have theirs still to file). Written in bulk as seeded history: rows for every
business for three years would be millions."""

from __future__ import annotations

import datetime as dt
import functools
import json

from django.db import connection
from django.utils import timezone

from shian.core.demo import DemoContext, insert_rows
from shian.registry.choices import BusinessStatus
from shian.registry.models import Business

from . import services
from .models import Kind, SelfCheck

LONG_HISTORY = 20  # businesses keeping three years of checks (besides the demo logins'), fewer in a tiny city
DAYS, WEEKS, MONTHS = 30, 8, 3  # everyone's recent checks: the compliance windows
LONG_DAYS, LONG_WEEKS, LONG_MONTHS = 3 * 365, 3 * 52, 36
# how regularly a business files: most nearly always, some often, a few seldom (日管控落实率 ≈ 90%)
DILIGENCE = [(0.99, 50), (0.94, 30), (0.8, 15), (0.4, 5)]
DAILY, WEEKLY, MONTHLY = Kind.DAILY.value, Kind.WEEKLY.value, Kind.MONTHLY.value  # plain, for the raw insert
ITEM_PROBLEM = 0.006  # an item found not in order on a given day
PROBLEM_NOTES = ["已当场整改", "已联系维修", "已更换", "已重新培训相关人员", "已补充记录"]


def _checklist(value: list[dict]):
    """A checklist as the database takes it: the JSON field's own preparation, written compactly where the
    database keeps JSON as text (SQLite: the Chinese as UTF-8, not \\u escapes — a third of the size)."""
    if connection.vendor == "sqlite":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return SelfCheck._meta.get_field("items").get_db_prep_save(value, connection)


@functools.cache
def _day(day: dt.date):
    """A date as the database takes it (computed once per day: the rows share a few hundred days)."""
    return connection.ops.adapt_datefield_value(day)


@functools.cache
def _at(day: dt.date, minutes: int):
    """``minutes`` after midnight on ``day``, local time, as the database takes it (once per value)."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0))) + dt.timedelta(minutes=minutes)
    return connection.ops.adapt_datetimefield_value(min(at, timezone.now()))


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    _day.cache_clear()
    _at.cache_clear()
    businesses = list(
        Business.objects.filter(status=BusinessStatus.OPERATING).order_by("pk").values_list("pk", "type", "created_at")
    )
    logins = set(ctx.data.get("demo_businesses", {}).values())
    keeping = min(LONG_HISTORY, max(3, ctx.businesses // 250), len(businesses))
    long = {pk for pk, _t, _c in rng.sample(businesses, keeping)} | logins
    checklists: dict[str, tuple[list[dict], object]] = {}  # per type: the items, and as the database takes them
    levels = [d for d, _w in DILIGENCE]
    weights = [w for _d, w in DILIGENCE]
    this_week = services.period_start(Kind.WEEKLY, today)
    no_items = _checklist([])
    rows: list[tuple] = []  # business, kind, period, filed at, checklist, problems, report
    for n, (pk, btype, created_at) in enumerate(businesses, start=1):
        if btype not in checklists:
            items = [
                {"id": i.pk, "text": i.text, "ok": True, "answer": "yes"} for i in services.daily_items_for_type(btype)
            ]
            checklists[btype] = (items, _checklist(items))
        items, all_ok = checklists[btype]
        opened = timezone.localtime(created_at).date()
        diligence = levels[0] if pk in logins else rng.choices(levels, weights)[0]  # the logins' are diligent
        days, weeks, months = (LONG_DAYS, LONG_WEEKS, LONG_MONTHS) if pk in long else (DAYS, WEEKS, MONTHS)
        first_day = 0 if pk not in logins and rng.random() < 0.5 else 1  # today's check: morning done or not
        for i in range(first_day, days + 1):
            day = today - dt.timedelta(days=i)
            if day < opened:
                break
            if rng.random() >= diligence:
                continue
            filed, problems = all_ok, 0
            if rng.random() < ITEM_PROBLEM * len(items):  # a day with something not in order
                bad = rng.randrange(len(items))
                answered = [dict(it) for it in items]
                answered[bad].update(ok=False, answer="no", note=rng.choice(PROBLEM_NOTES))
                filed, problems = _checklist(answered), 1
            rows.append((pk, DAILY, _day(day), _at(day, rng.randrange(7 * 60, 11 * 60)), filed, problems, ""))
        for w in range(1, weeks + 1):
            start = this_week - dt.timedelta(weeks=w)
            if start < opened:
                break
            if rng.random() < diligence:
                filed_at = _at(start + dt.timedelta(days=4), rng.randrange(15 * 60, 18 * 60))
                rows.append((pk, WEEKLY, _day(start), filed_at, no_items, 0, "本周排查未发现重大问题"))
        first = today.replace(day=1)
        for _m in range(months):
            end = first - dt.timedelta(days=1)
            first = end.replace(day=1)
            if end < opened:
                break
            if rng.random() < diligence:
                filed_at = _at(end, rng.randrange(14 * 60, 17 * 60))
                rows.append((pk, MONTHLY, _day(first), filed_at, no_items, 0, "听取食品安全总监汇报，部署下月重点工作"))
        if len(rows) >= 50_000:
            _write(rows)
            rows = []
            ctx.progress("self-checks", n, len(businesses))
    _write(rows)
    ctx.progress("self-checks", len(businesses), len(businesses))


def _write(rows: list[tuple]) -> None:
    """Seeded history is bulk-written (one demo generator, not a user, files it): plain rows, every
    value already as the database takes it."""
    fields = ["business", "kind", "period_start", "filed_at", "items", "problems", "report", "filed_late"]
    # the demo files every record within its period (the day itself, day 4 of the week, the month's last day)
    insert_rows(SelfCheck, fields, [(*row, False) for row in rows], prepared=tuple(fields))
