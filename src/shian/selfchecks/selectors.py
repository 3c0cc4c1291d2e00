"""Self-check compliance: filed ÷ expected over a recent window, per region and business type, and
the businesses missing the latest period."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F
from django.utils import timezone

from shian.core import checklists
from shian.core.models import User
from shian.core.rollup import RegionTally, child_level, pct
from shian.core.scoping import VIEW
from shian.registry.choices import BusinessStatus, BusinessType
from shian.registry.models import Business

from . import services
from .models import Kind, SelfCheck
from .periods import period_label, period_start

WINDOWS = {Kind.DAILY: 30, Kind.WEEKLY: 8, Kind.MONTHLY: 3}  # days, weeks, months looked back


def periods(kind: str, today: dt.date) -> list[dt.date]:
    """The last complete periods (today's daily check may still come in, so it is not counted)."""
    n = WINDOWS[kind]
    if kind == Kind.DAILY:
        return [today - dt.timedelta(days=i) for i in range(1, n + 1)]
    if kind == Kind.WEEKLY:
        this_week = period_start(Kind.WEEKLY, today)
        return [this_week - dt.timedelta(weeks=i) for i in range(1, n + 1)]
    out, first = [], today.replace(day=1)
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return out


def compliance_figures(kind: str, window: list, by_region: RegionTally, filed_type: dict, expected_type: dict) -> dict:
    """The compliance figures from the counts by region and by business type (filed, expected): the live
    computation below and the KPI snapshot (selfchecks.kpis) shape them here, the same way."""
    labels = dict(BusinessType.choices)
    region_rows = by_region.rows()
    total_filed = sum(r["values"][0] for r in region_rows)
    total_expected = sum(r["values"][1] for r in region_rows)
    return {
        "kind": kind,
        "periods": len(window),
        "latest": window[0],
        "expected": total_expected,
        "filed": total_filed,
        "rate": pct(total_filed, total_expected),
        "by_region": sorted(
            (
                {"name": r["name"], "filed": f, "expected": e, "rate": pct(f, e)}
                for r in region_rows
                for f, e in [r["values"]]
            ),
            key=lambda r: r["name"],
        ),
        "by_type": [
            {
                "type": t,
                "label": str(labels.get(t, t)),
                "filed": filed_type[t],
                "expected": e,
                "rate": pct(filed_type[t], e),
            }
            for t, e in sorted(expected_type.items())
        ],
    }


def compliance(user: User, kind: str = Kind.DAILY, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    window = periods(kind, today)
    businesses = Business.objects.restrict(user, VIEW).filter(status=BusinessStatus.OPERATING)
    filed = SelfCheck.objects.restrict(user, VIEW).filter(
        kind=kind, period_start__in=window, business__status=BusinessStatus.OPERATING
    )
    by_region = RegionTally(level=child_level(user), width=2)  # (filed, expected)
    expected_type: dict[str, int] = defaultdict(int)
    for row in businesses.values("region_path", "type").annotate(n=Count("id")):
        by_region.add(row["region_path"], 0, row["n"] * len(window))
        expected_type[row["type"]] += row["n"] * len(window)
    filed_type: dict[str, int] = defaultdict(int)
    for row in filed.values(path=F("business__region_path"), t=F("business__type")).annotate(n=Count("id")):
        by_region.add(row["path"], row["n"], 0)
        filed_type[row["t"]] += row["n"]
    latest = window[0]
    missing = businesses.exclude(pk__in=SelfCheck.objects.filter(kind=kind, period_start=latest).values("business_id"))
    return {
        **compliance_figures(kind, window, by_region, filed_type, expected_type),
        "missing_count": missing.count(),
        "missing": missing.order_by("name")[:100],
    }


def current_periods(business: Business, today: dt.date | None = None) -> dict[str, dict]:
    """The business's current day, week and month: each period's start, name and the record filed for it
    (or None), with whoever filed it."""
    today = today or timezone.localdate()
    starts = {kind: period_start(kind, today) for kind in Kind.values}
    filed = {
        (r.kind, r.period_start): r
        for r in SelfCheck.objects.filter(business=business, period_start__in=set(starts.values())).select_related(
            "filed_by"
        )
    }
    return {
        kind: {
            "kind": kind,
            "start": start,
            "label": period_label(kind, start),
            "record": filed.get((kind, start)),
        }
        for kind, start in starts.items()
    }


def record_checklist(record: SelfCheck) -> checklists.Checklist:
    """A filed daily check as the shared checklist shows it (read-only): each item's answer and note.
    Records filed before answers were kept say only ok / not ok."""
    rows = []
    for n, item in enumerate(record.items or [], 1):
        answer = item.get("answer") or (checklists.YES if item.get("ok", True) else checklists.NO)
        rows.append(
            checklists.Row(
                id=item.get("id") or n, order=n, text=item.get("text", ""), answer=answer, note=item.get("note", "")
            )
        )
    rows.sort(key=lambda r: (r.answer != checklists.NO, r.order))  # the problems first, like an inspection record
    return checklists.Checklist(rows)


def fresh_checklist(business: Business, answers: dict[int, str] | None = None, notes: dict[int, str] | None = None):
    """Today's daily check to fill in, with what was already posted (a refused form keeps its answers)."""
    answers, notes = answers or {}, notes or {}
    return checklists.Checklist(
        [checklists.Row.of(i, answers.get(i.id, ""), notes.get(i.id, "")) for i in services.daily_checklist(business)]
    )
