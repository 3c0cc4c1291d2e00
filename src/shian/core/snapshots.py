"""KPI snapshots: the dashboard's figures computed by the worker, read back in one query.

Design (issue 14):

* Each KPI provider registers a *snapshot spec* (:func:`register`): ``compute(prefix, today)`` returns,
  for every leaf region path under ``prefix`` (the region path a business is filed at), the **additive**
  counts the provider's tiles and charts need — numerators, denominators, counts per band, and for a
  median a histogram of whole days (which sums exactly). Rates are never stored: they are made from the
  summed counts by the same code that makes them live, so a sum over child regions is exact.
* :func:`recompute` replaces the rows under a prefix in one transaction (a full city recompute is
  ``prefix=""``), and writes a ``_coverage`` row saying every leaf under the prefix was computed then
  (a scope with no businesses then reads as zero, not as missing).
* A page reads every provider's rows for the user's scope in **one query** (:func:`scope`, cached on the
  user object for the request) and shows their age ("as of hh:mm", Asia/Shanghai) with a warning when
  older than ``KPI_SNAPSHOT_STALE_MINUTES`` or counted from an earlier day. A provider with no snapshot
  covering the scope is computed live and says so — never a silent wrong number.
* Freshness: the scheduler enqueues a full recompute every hour (:mod:`core.tasks`), which also re-bases
  the figures that depend on "today" (overdue, 365-day windows, yesterday's self-checks) at least daily;
  a write to a watched model (a hazard, a grade, a licence, …) enqueues a recompute of that business's
  leaf region only, after commit. Every recompute is a :mod:`core.jobs` job, so the same region queued
  twice is one job ("a refresh requested twice runs once"); one requested while the same is running
  queues one more after it.
* A business user's figures are always live: they are one business.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import KpiSnapshot
from .rollup import child_level

logger = logging.getLogger("shian.snapshots")

COVERAGE = "_coverage"
_CACHE = "_shian_kpi_scope"


@dataclass(frozen=True)
class Spec:
    key: str
    compute: Callable[[str, dt.date], dict[str, dict]]


_SPECS: dict[str, Spec] = {}


def register(key: str, compute: Callable[[str, dt.date], dict[str, dict]]) -> None:
    """``compute(prefix, today) -> {leaf region path: {counts}}`` over the businesses filed under
    ``prefix``. Every leaf path that has a business (any status) should be in the answer (zero counts
    are fine), so its age is known."""
    _SPECS[key] = Spec(key, compute)


def specs() -> list[Spec]:
    return [_SPECS[k] for k in sorted(_SPECS)]


def stale_minutes() -> float:
    return float(getattr(settings, "KPI_SNAPSHOT_STALE_MINUTES", 90))


# --- computing ----------------------------------------------------------------------------------
MAX_DEPTH = 4  # city, district, street, grid


def depth_of(path: str) -> int:
    return len([p for p in path.split("/") if p])


def cut(path: str, depth: int) -> str:
    """The ancestor path at ``depth`` ("330200/330203/" at 1 is "330200/"); a shorter path is its own."""
    parts = [p for p in path.split("/") if p]
    return "".join(f"{p}/" for p in parts[:depth]) if len(parts) >= depth else path


def recompute(prefix: str = "", keys: list[str] | None = None, today: dt.date | None = None) -> dict[str, int]:
    """Recompute the snapshots of every leaf region under ``prefix`` ("" the whole city), in one
    transaction: the rows at and below the prefix's depth are replaced from the leaves' counts, then the
    rows of the prefix's ancestors are summed again from the rows one level below them. Returns the leaf
    regions computed per provider."""
    today = today or timezone.localdate()
    now = timezone.now()
    top = max(depth_of(prefix), 1)
    written: dict[str, int] = {}
    with transaction.atomic():
        for spec in specs():
            if keys is not None and spec.key not in keys:
                continue
            leaves = {path: c for path, c in spec.compute(prefix, today).items() if path.startswith(prefix)}
            rows: dict[tuple[int, str], Any] = {}
            for path, counts in leaves.items():
                for depth in range(top, MAX_DEPTH + 1):
                    key = (depth, cut(path, depth))
                    rows[key] = _add(rows.get(key), counts)
            KpiSnapshot.objects.filter(provider=spec.key, depth__gte=top, region_path__startswith=prefix).delete()
            KpiSnapshot.objects.bulk_create(
                [
                    KpiSnapshot(provider=spec.key, depth=d, region_path=p, counts=c, as_of=today, computed_at=now)
                    for (d, p), c in rows.items()
                ],
                batch_size=1000,
            )
            for depth in range(top - 1, 0, -1):  # the ancestors: sums of the rows one level down
                _resum(spec.key, depth, cut(prefix, depth))
            written[spec.key] = len(leaves)
        if keys is None:
            # a coverage row says: every leaf under this prefix was computed at this time
            KpiSnapshot.objects.filter(provider=COVERAGE, region_path__startswith=prefix).exclude(
                region_path=prefix
            ).delete()
            KpiSnapshot.objects.update_or_create(
                provider=COVERAGE,
                depth=0,
                region_path=prefix,
                defaults={
                    "counts": {"providers": sorted(sp.key for sp in specs())},
                    "as_of": today,
                    "computed_at": now,
                },
            )
    return written


def _resum(provider: str, depth: int, path: str) -> None:
    """Row (depth, path) = the sum of the rows at depth + 1 under it, as old as the oldest of them."""
    parts = KpiSnapshot.objects.filter(provider=provider, depth=depth + 1, region_path__startswith=path)
    total: Any = None
    oldest = as_of = None
    for counts, at, day in parts.values_list("counts", "computed_at", "as_of"):
        total = _add(total, counts)
        oldest = at if oldest is None or at < oldest else oldest
        as_of = day if as_of is None or day < as_of else as_of
    KpiSnapshot.objects.filter(provider=provider, depth=depth, region_path=path).delete()
    if total is not None:
        KpiSnapshot.objects.create(
            provider=provider, depth=depth, region_path=path, counts=total, as_of=as_of, computed_at=oldest
        )


def has_any() -> bool:
    """Whether any snapshot was ever computed (a local refresh before the first full one is pointless)."""
    return KpiSnapshot.objects.filter(provider=COVERAGE).exists()


# --- reading -------------------------------------------------------------------------------------
@dataclass
class Snapshot:
    """One provider's rows for a scope: ``rows`` [(leaf path, counts)], the oldest ``computed_at`` and
    ``as_of`` among them (or of the coverage row when the scope has none)."""

    key: str
    rows: list[tuple[str, dict]] = field(default_factory=list)
    computed_at: dt.datetime | None = None
    as_of: dt.date | None = None


@dataclass
class Scope:
    """What :func:`scope` read for a user: a snapshot per provider, or None for the providers that must
    be computed live (no snapshot covers the scope, or the user is one business)."""

    path: str
    live_reason: str = ""  # "business" (one business, or no region scope) or "" (snapshots apply)
    covered_at: dt.datetime | None = None
    covered_as_of: dt.date | None = None
    covered_keys: set[str] = field(default_factory=set)  # the providers the coverage row computed
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    live: set[str] = field(default_factory=set)  # providers computed live on this request

    def get(self, key: str) -> Snapshot | None:
        if self.live_reason:
            return None
        snap = self.snapshots.get(key)
        if snap is not None:
            return snap
        if self.covered_at is not None and key in self.covered_keys:  # computed, nothing here: all zero
            return Snapshot(key, [], self.covered_at, self.covered_as_of)
        return None


def _ancestors(path: str) -> list[str]:
    """ "330200/330203/" → ["", "330200/", "330200/330203/"]: the prefixes whose coverage covers it."""
    parts = [p for p in path.split("/") if p]
    return [""] + ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def scope_path(user) -> str | None:
    """The region path a user's figures are summed under ("" the whole city); None for a business
    user or a user with no region scope."""
    from .scoping import scope_kind

    kind = scope_kind(user)
    if kind == "region":
        return user.region.path
    if kind == "all":
        return ""
    return None


def scope(user) -> Scope:
    """Every provider's snapshot rows for ``user``'s scope — the rows one level below the user's own
    region under its path (their totals, and their table by sub-region) — in one query, cached on the
    user object. A snapshot table that cannot be read counts as missing (the figures come live)."""
    cached = getattr(user, _CACHE, None)
    if cached is not None:
        return cached
    path = scope_path(user)
    if path is None:
        result = Scope(path="", live_reason="business")
    else:
        result = Scope(path=path)
        covering = _ancestors(path)
        q = Q(depth=child_level(user), region_path__startswith=path) | Q(
            provider=COVERAGE, depth=0, region_path__in=covering
        )
        reading = KpiSnapshot.objects.filter(q).values_list("provider", "region_path", "counts", "as_of", "computed_at")
        try:
            if connection.in_atomic_block:  # a savepoint: a failed read must not break the caller's transaction
                with transaction.atomic():
                    found = list(reading)
            else:
                found = list(reading)
        except DatabaseError:
            logger.exception("the KPI snapshots could not be read; computing live")
            found = []
        for provider, region_path, counts, as_of, computed_at in found:
            if provider == COVERAGE:
                if result.covered_at is None or computed_at > result.covered_at:
                    result.covered_at, result.covered_as_of = computed_at, as_of
                    result.covered_keys = set(counts.get("providers", []))
                continue
            snap = result.snapshots.setdefault(provider, Snapshot(provider))
            snap.rows.append((region_path, counts))
            if snap.computed_at is None or computed_at < snap.computed_at:
                snap.computed_at = computed_at
            if snap.as_of is None or as_of < snap.as_of:
                snap.as_of = as_of
    setattr(user, _CACHE, result)
    return result


def forget(user) -> None:
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def read(user, key: str) -> Snapshot | None:
    """The snapshot of provider ``key`` for ``user``'s scope, or None: compute it live (and the page
    says so). Marks the provider live for :func:`freshness`."""
    s = scope(user)
    snap = s.get(key)
    if snap is None and not s.live_reason:
        s.live.add(key)
    return snap


def summed(rows: list[tuple[str, dict]], name: str, width: int | None = None) -> Any:
    """Sum one field over rows: numbers add, lists add element-wise, dicts add per key (recursively)."""
    total: Any = None
    for _path, counts in rows:
        total = _add(total, counts.get(name))
    if total is None and width is not None:
        return [0] * width
    return total


def _add(a: Any, b: Any) -> Any:
    if b is None:
        return a
    if a is None:
        return _copy(b)
    if isinstance(b, dict):
        for k, v in b.items():
            a[k] = _add(a.get(k), v)
        return a
    if isinstance(b, list):
        if len(a) < len(b):
            a.extend([0] * (len(b) - len(a)))
        for i, v in enumerate(b):
            a[i] = _add(a[i], v)
        return a
    return a + b


def _copy(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v


def median_of(histogram: dict[str, int]) -> float | int | None:
    """The median of a histogram {value: count} (keys are strings in JSON), as statistics.median would
    give it over the expanded list: the middle value, or the mean of the two middle ones."""
    items = sorted((int(k), n) for k, n in histogram.items() if n)
    total = sum(n for _k, n in items)
    if not total:
        return None

    def nth(i: int) -> int:  # the i-th value (0-based) in sorted order
        for value, n in items:
            if i < n:
                return value
            i -= n
        raise IndexError(i)

    if total % 2:
        return nth(total // 2)
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


# --- freshness shown on the page ---------------------------------------------------------------
@dataclass
class Freshness:
    computed_at: dt.datetime | None
    as_of: dt.date | None
    stale: bool
    missing: bool  # some figures are computed live because no snapshot covers the scope
    age_minutes: int | None
    message: str = ""


def freshness(user, now: dt.datetime | None = None, keys: list[str] | None = None) -> Freshness | None:
    """The age of the figures a page showed ``user`` (of the providers ``keys``, default all): None when
    they are all live by design (a business user)."""
    s = scope(user)
    if s.live_reason:
        return None
    now = now or timezone.now()
    keys = keys if keys is not None else [sp.key for sp in specs()]
    used = [snap for snap in (s.get(k) for k in keys) if snap]
    times = [snap.computed_at for snap in used if snap.computed_at]
    days = [snap.as_of for snap in used if snap.as_of]
    oldest = min(times) if times else None
    as_of = min(days) if days else None
    age = int((now - oldest).total_seconds() // 60) if oldest else None
    missing = any(k in s.live or s.get(k) is None for k in keys)
    stale = oldest is not None and (age > stale_minutes() or (as_of is not None and as_of < timezone.localdate(now)))
    message = ""
    if missing:
        message = str(
            _(
                "No snapshot of some of these figures yet: they were computed now, which is slow. "
                "Refresh to compute one."
            )
        )
    elif stale:
        message = str(
            _(
                "These figures are %(age)s old: the background worker may be down. Counts that depend on the "
                "day (overdue, 12 months, yesterday's self-checks) are from %(day)s."
            )
            % {"age": age_text(age), "day": as_of}
        )
    return Freshness(oldest, as_of, stale, missing, age, message)


def age_text(minutes: int | None) -> str:
    if minutes is None:
        return "—"
    if minutes < 120:
        return str(_("%(n)d minutes") % {"n": minutes})
    if minutes < 48 * 60:
        return str(_("%(n)d hours") % {"n": minutes // 60})
    return str(_("%(n)d days") % {"n": minutes // (24 * 60)})


# --- refreshing ----------------------------------------------------------------------------------
def request_refresh(path: str, *, user=None, region=None):
    """Enqueue a recompute of the leaves under ``path`` (a job: queued twice, it runs once). Returns
    ``(job, created)``."""
    from . import jobs
    from .tasks import recompute_kpi_snapshots

    label = _("Recompute the dashboard figures")
    return jobs.start(
        recompute_kpi_snapshots,
        user=user,
        params={"path": path},
        dedupe={"path": path},
        region=region,
        label=label,
    )


def _after_write(instance, path_of: Callable[[Any], str | None]) -> None:
    """After a watched write commits: recompute its business's leaf region (once snapshots are in use)."""
    if not getattr(settings, "KPI_SNAPSHOT_AUTO_REFRESH", True):
        return
    try:
        if not has_any():
            return
        path = path_of(instance)
        if path:
            request_refresh(path)
    except Exception:  # noqa: BLE001 - a refresh not queued is caught up by the hourly one; the write stands
        logger.exception("could not queue a KPI refresh after a write of %r", instance)


def watch(model, path_of: Callable[[Any], str | None]) -> None:
    """Recompute the leaf region of ``path_of(instance)`` after a save or delete of ``model`` commits
    (read then, so the write itself costs no query). Bulk updates send no signal: the hourly full
    recompute covers them."""

    def handler(sender, instance, **kwargs):
        if kwargs.get("raw"):
            return
        transaction.on_commit(lambda: _after_write(instance, path_of))

    post_save.connect(handler, sender=model, weak=False, dispatch_uid=f"kpi_snapshot_{model._meta.label}_save")
    post_delete.connect(handler, sender=model, weak=False, dispatch_uid=f"kpi_snapshot_{model._meta.label}_del")
