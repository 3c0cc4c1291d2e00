"""Columns and header actions that other apps add to a model's list and page, registered once.

The business list shows each business's risk grade (supervision) beside the register's own columns;
the business page's header offers "start an inspection" (inspections) and "record a hazard" (hazards).
The register cannot import those apps (apps depend inward), so they register here:

    listing.register_column("registry.business", key="grade", label=_("Grade"), values=fn, order=50,
                            requires=("view", "supervision.businessgrade"))
    listing.register_action("registry.business", key="inspect", label=_("Start an inspection"),
                            url=lambda business: reverse(...), method="post",
                            requires=("add", "inspections.inspection"))

``values(user, ids) -> {id: Cell}`` is called once per page with the page's ids (one query, not one per row).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import OperationalError, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Cell:
    text: Any
    tone: str = ""  # "", "good", "warn", "bad": shown as a badge when set
    title: Any = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    values: Callable[[Any, list[int]], dict[int, Cell]]
    order: int = 100
    requires: tuple[str, str] | None = None


@dataclass(frozen=True)
class Action:
    key: str
    label: Any
    url: Callable[[Any], str]
    method: str = "get"  # "post" for an action that creates something (sent with the CSRF token)
    order: int = 100
    requires: tuple[str, str] | None = None
    primary: bool = False


_COLUMNS: dict[str, dict[str, Column]] = {}
_ACTIONS: dict[str, dict[str, Action]] = {}


def register_column(model_label: str, **kwargs) -> None:
    column = Column(**kwargs)
    _COLUMNS.setdefault(model_label, {})[column.key] = column


def register_action(model_label: str, **kwargs) -> None:
    action = Action(**kwargs)
    _ACTIONS.setdefault(model_label, {})[action.key] = action


def _allowed(user, requires) -> bool:
    from . import policy

    return requires is None or policy.may(user, *requires)


def columns_for(model_label: str, user) -> list[Column]:
    columns = sorted(_COLUMNS.get(model_label, {}).values(), key=lambda c: (c.order, c.key))
    return [c for c in columns if _allowed(user, c.requires)]


def cells(columns: list[Column], user, ids: list[int]) -> dict[int, list[Cell | None]]:
    """For each id, its cell in each column (None where the column has no value for it)."""
    by_column = [c.values(user, ids) for c in columns]
    return {i: [values.get(i) for values in by_column] for i in ids}


def actions_for(model_label: str, user, obj) -> list[tuple[Action, str]]:
    actions = sorted(_ACTIONS.get(model_label, {}).values(), key=lambda a: (a.order, a.key))
    return [(a, a.url(obj)) for a in actions if _allowed(user, a.requires)]


# --- pages of long lists ------------------------------------------------------------------------
# A list at city size (60,000 businesses) or province size (500,000) must not count its whole scope on
# every page: ``paginate`` counts at most COUNT_CAP + 1 rows (a LIMIT inside the COUNT, which stops
# early), so a small result is counted exactly and a large one is "more than 1,000". When someone asked
# for the exact count ("count exactly": ``?count=exact``) it is kept in the cache for COUNT_CACHE_SECONDS,
# and the same list then shows "about N" (the exact figure of a few minutes ago). Pages are read with
# LIMIT/OFFSET over an ORDER BY that an index serves, one row more than a page to know whether another
# page follows, so a page past the counted rows still works and "Next" is right without a count.
PAGE_SIZE = 50
COUNT_CAP = 1000
COUNT_CACHE_SECONDS = 600
COUNT_BUDGET_MS = 60  # a count that needs longer is cut short: "more than" the rows seen so far
_PROGRESS_STEPS = 2000  # SQLite: how many virtual-machine steps between two looks at the clock
EXACT = "exact"


class ListPage(Page):
    def has_next(self) -> bool:
        if self.paginator.count_exact:
            return super().has_next()
        return self.paginator.more_after(self.number)


class ListPaginator(Paginator):
    """Django's paginator with a bounded count (see above). ``count`` is exact when ``count_exact``;
    otherwise it is a lower bound (the cap, or the cached figure: ``count_estimate``)."""

    def __init__(self, object_list, per_page: int, *, exact: bool = False, cap: int | None = None):
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap
        self.want_exact = exact
        self.count_exact = True
        self.count_estimate: int | None = None
        self.count_as_of = None
        self.count_floor = 0
        self._more: dict[int, bool] = {}
        self._seen: dict[int, int] = {}  # page number -> rows up to the end of that page

    def _cache_key(self) -> str | None:
        try:
            sql, params = self.object_list.query.sql_with_params()
        except Exception:  # noqa: BLE001 - an empty queryset (``.none()``) has no SQL: nothing to cache
            return None
        raw = f"{self.object_list.db}\n{sql}\n{params!r}".encode()
        return "shian:listcount:" + hashlib.sha256(raw).hexdigest()

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not isinstance(qs, QuerySet):
            return len(qs)
        key = self._cache_key()
        if self.want_exact:
            n = qs.count()
            if key:
                cache.set(key, {"n": n, "at": timezone.now()}, COUNT_CACHE_SECONDS)
            return n
        n = _bounded_count(qs.order_by().values("pk")[: self.cap + 1], COUNT_BUDGET_MS)
        if n is not None and n <= self.cap:
            return n
        self.count_exact = False
        self.count_floor = self.cap if n is not None else 0  # a count cut short knows no floor yet
        remembered = cache.get(key) if key else None
        if remembered:
            self.count_estimate = remembered["n"]
            self.count_as_of = remembered["at"]
            return max(self.count_floor + 1, remembered["n"])
        return self.count_floor + 1

    @property
    def count_inexact(self) -> bool:
        return self.count is not None and not self.count_exact  # ``count`` decides ``count_exact``

    def validate_number(self, number):
        if self.count is not None and self.count_exact:
            return super().validate_number(number)
        try:  # past the counted rows any page number goes; a page with no rows is EmptyPage from ``page``
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def page(self, number) -> ListPage:
        number = self.validate_number(number)
        if self.count_exact:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(_("That page contains no results"))
        self._more[number] = len(rows) > self.per_page
        self._seen[number] = bottom + min(len(rows), self.per_page)
        if not self._more[number]:  # the last page: now the total is known without counting
            self.__dict__["count"] = self._seen[number]
            self.__dict__.pop("num_pages", None)
            self.count_exact, self.count_estimate = True, None
        return self._get_page(rows[: self.per_page], number, self)

    def get_page(self, number) -> ListPage:
        """As Django's: a page number that is not a number is page 1, one out of range the last page."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.last_page_number())

    def last_page_number(self) -> int:
        if self.count_exact:
            return self.num_pages
        n = self.object_list.order_by().count() if isinstance(self.object_list, QuerySet) else len(self.object_list)
        return max(1, -(-n // self.per_page))

    def _get_page(self, *args, **kwargs) -> ListPage:
        return ListPage(*args, **kwargs)

    def more_after(self, number: int) -> bool:
        return self._more.get(number, False)

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        if self.count_exact:
            yield from super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
            return
        # the last page is not known: 1 2 … n-2 n-1 n (n+1 when another page follows), no last page
        number = int(number)
        last = number + (1 if self.more_after(number) else 0)
        start = max(1, number - on_each_side)
        yield from range(1, min(on_ends, start - 1) + 1)
        if start > on_ends + 2:
            yield self.ELLIPSIS
        elif start == on_ends + 2:
            yield on_ends + 1
        yield from range(max(start, 1), last + 1)
        if self.more_after(number):
            yield self.ELLIPSIS

    @property
    def count_label(self) -> str:
        """How many, as the pager says it: "60,000", "about 59,873", "more than 1,000" (or, when the count
        was cut short, more than the rows up to this page)."""
        if self.count_exact:
            return number_format(self.count, force_grouping=True)
        if self.count_estimate is not None:
            return _("about %(n)s") % {"n": number_format(self.count_estimate, force_grouping=True)}
        floor = max([self.count_floor, *self._seen.values()])
        return _("more than %(n)s") % {"n": number_format(floor, force_grouping=True)}


def _bounded_count(qs, budget_ms: int) -> int | None:
    """``qs.count()``, or None when the database needs longer than ``budget_ms`` (a count over a filter few
    rows match reads the whole scope even with a LIMIT). PostgreSQL: a statement timeout local to the
    count's transaction; SQLite: a progress handler that interrupts the statement. Otherwise: no limit."""
    connection = connections[qs.db]
    try:
        # PostgreSQL, in autocommit (a GET page: ATOMIC_REQUESTS is off): the count in a transaction of its own
        # with a timeout local to it, one statement more. Inside an outer transaction (a test, a write) a
        # timeout would abort that transaction; there the count is not limited.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with transaction.atomic(using=qs.db), connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = %s", [max(1, int(budget_ms))])  # 0 is "no limit"
                return qs.count()
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            deadline = time.perf_counter() + budget_ms / 1000
            connection.connection.set_progress_handler(lambda: int(time.perf_counter() > deadline), _PROGRESS_STEPS)
            try:
                return qs.count()
            finally:
                connection.connection.set_progress_handler(None, 0)
        return qs.count()
    except OperationalError as exc:
        if "interrupt" in str(exc).lower() or "statement timeout" in str(exc).lower():
            return None
        raise


def paginate(request, queryset, per_page: int | None = None) -> ListPage:
    """The page of ``queryset`` that ``request`` asks for (``?page=``), counted as above; ``?count=exact``
    counts every row (and remembers the figure for a few minutes)."""
    paginator = ListPaginator(queryset, per_page or PAGE_SIZE, exact=request.GET.get("count") == EXACT)
    return paginator.get_page(request.GET.get("page"))
