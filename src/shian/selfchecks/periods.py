"""The periods of the self-checks: a day (日管控), an ISO week from Monday (周排查), a calendar month (月调度),
and how each is named on the page ("2026年第48周 (11-23 – 11-29)", "2026年11月")."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Kind


def period_start(kind: str, day: dt.date) -> dt.date:
    if kind == Kind.WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    if kind == Kind.MONTHLY:
        return day.replace(day=1)
    return day


def period_end(kind: str, start: dt.date) -> dt.date:
    if kind == Kind.WEEKLY:
        return start + dt.timedelta(days=6)
    if kind == Kind.MONTHLY:
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start


def period_label(kind: str, start: dt.date) -> str:
    """How a period is named: the day; "2026年第48周 (11-23 – 11-29)" (ISO week); "2026年11月"."""
    if kind == Kind.WEEKLY:
        year, week, _weekday = start.isocalendar()
        return _("Week %(w)d of %(y)d (%(start)s – %(end)s)") % {
            "w": week,
            "y": year,
            "start": start.strftime("%m-%d"),
            "end": period_end(kind, start).strftime("%m-%d"),
        }
    if kind == Kind.MONTHLY:
        return date_format(start, "YEAR_MONTH_FORMAT")
    return start.isoformat()
