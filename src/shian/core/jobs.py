"""Background jobs: work someone asked for that is too long for a request (a 50k-row import, the city's
yearly plan, a city-wide regrade), run through Django's tasks API and followed on a progress page.

Declaring a kind::

    @jobs.job_task("supervision.regrade", label=_("Regrade every business"))
    def regrade(job, *, actor_id, as_of=None):
        ...                          # the work; jobs.progress(job, done, total) as it goes
        job.result_url = reverse(…)  # optional: the page that shows the outcome
        return {"graded": …}         # the result summary (JSON)

``job_task`` returns an ordinary ``django_tasks`` Task (argument: the job's id), so any configured
backend runs it — ImmediateBackend in tests, the database backend (``shian db_worker``) by default,
RQ at scale. Starting one::

    job, created = jobs.start(regrade, user=request.user, params={…}, region=…, label=…)

Guarantees:

* **Once.** The same work (kind + parameters + scope: its *fingerprint*) queued or running is one job:
  a double click or a retry gets the job already there. A caller-sent key (the API's
  ``Idempotency-Key`` header) makes the same request from the same user the same job, ever. A task
  delivered twice runs once (the worker claims the job row queued → running).
* **All or nothing.** An ``atomic`` kind runs in one transaction; a kind that writes in its own
  all-or-nothing step (imports) reports progress outside it. A job that raises is *failed* with its
  error, and its writes are rolled back.
* **A dead worker is noticed.** The running process heartbeats; :func:`recover_stale` fails a running job
  whose worker process is gone (same host) or whose heartbeat is older than ``JOBS_STALE_SECONDS``,
  with a clear message. It runs when a worker starts a job, when a job is read, and in the scheduler.

Periodic tasks (nightly regrade, hazard escalation, later modules' sweeps) register with
:func:`register_periodic`; the ``scheduler`` command enqueues them at their local times.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import os
import socket
import threading
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .context import current_source
from .models import Job, JobState, PeriodicRun

if TYPE_CHECKING:
    from django_tasks import Task

    from .models import Region, User

logger = logging.getLogger("shian.jobs")

ACTIVE = (JobState.QUEUED, JobState.RUNNING)
HOST = socket.gethostname()[:100]


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


class JobFailed(Exception):  # noqa: N818 - it is an outcome, not a programming error
    """Raise from a job to end it as failed with this message (no traceback), keeping ``result`` and
    ``url`` (e.g. an import whose file has errors: the error report is the outcome)."""

    def __init__(self, message: str, *, result: dict | None = None, url: str = ""):
        super().__init__(message)
        self.result = result or {}
        self.url = url


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str
    handler: Callable[..., dict | None]
    task: Task
    atomic: bool
    follow_running: bool


_KINDS: dict[str, JobKind] = {}  # kind → declaration
_BY_TASK: dict[str, str] = {}  # task module path → kind


def job_task(
    kind: str, *, label: Any = "", atomic: bool = True, follow_running: bool = False, **task_options: Any
) -> Callable[[Callable[..., dict | None]], Task]:
    """Declare a kind of job. The decorated ``handler(job, **params)`` does the work and returns the result
    summary. ``atomic``: run it in one transaction (progress is then only seen at the end).
    ``follow_running``: a request for the same work while one is *running* queues one more run after it
    (its data may have changed since the running one read it), instead of joining it."""

    def decorate(handler: Callable[..., dict | None]) -> Task:
        @functools.wraps(handler)
        def run(job_id: int) -> dict:
            return execute(job_id, handler, atomic=atomic)

        del run.__wrapped__  # the task takes a job id, whatever the handler takes
        the_task = task(**task_options)(run)
        _KINDS[kind] = JobKind(kind, label, handler, the_task, atomic, follow_running)
        _BY_TASK[the_task.module_path] = kind
        return the_task

    return decorate


def kind_of(the_task: Task) -> JobKind:
    return _KINDS[_BY_TASK[the_task.module_path]]


# --- starting ----------------------------------------------------------------------------------
def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def fingerprint_of(the_task: Task, what: Any, region: Region | None = None, business: Any = None) -> str:
    """What makes two jobs the same work: kind, parameters (or the ``dedupe`` part of them) and scope."""
    if business is not None and region is None:
        region = business.region
    return _digest(kind_of(the_task).kind, what, region.path if region else "", getattr(business, "pk", None))


def start(
    the_task: Task,
    *,
    user: User | None,
    params: dict[str, Any] | None = None,
    label: Any = "",
    region: Region | None = None,
    business: Any = None,
    total: int = 0,
    key: str = "",
    dedupe: Any = None,
) -> tuple[Job, bool]:
    """Create the job (queued) and enqueue its task. Returns ``(job, created)``: ``created`` is False when
    the same job was already there (same key from this user, or the same work queued or running).

    ``region``/``business`` are the job's scope (who may see it); ``dedupe`` replaces ``params`` in the
    fingerprint when some parameters (the actor) should not make two requests different."""
    spec = kind_of(the_task)
    params = params or {}
    if business is not None and region is None:
        region = business.region
    user = user if user is not None and user.pk else None
    hashed_key = _digest(spec.kind, key) if key else ""
    if hashed_key and user is not None:
        existing = Job.objects.filter(created_by=user, idempotency_key=hashed_key).first()
        if existing is not None:
            return existing, False
    fingerprint = fingerprint_of(the_task, params if dedupe is None else dedupe, region, business)
    for _attempt in range(3):
        current = Job.objects.filter(fingerprint=fingerprint, state__in=ACTIVE).first()
        if current is not None and current.state == JobState.RUNNING and spec.follow_running:
            fingerprint = _digest(fingerprint, "after", current.pk)  # one queued run after the running one
            continue
        if current is not None:
            return current, False
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=spec.kind,
                    label=str(label or spec.label or spec.kind)[:200],
                    params=params,
                    created_by=user,
                    region=region,
                    region_path=region.path if region else "",
                    business_id=getattr(business, "pk", None),
                    total=total,
                    idempotency_key=hashed_key,
                    fingerprint=fingerprint,
                )
        except IntegrityError:  # the same job was created at the same moment: take that one
            continue
        _enqueue(job, spec.task)
        return job, True
    raise RuntimeError(f"could not start job {spec.kind}")


def _shares_database(backend: Any) -> bool:
    """Backends whose queue is the database itself (or in-process): enqueue in the caller's transaction,
    so the job and its task row commit (or roll back) together. Others (RQ) enqueue after commit."""
    from django_tasks.backends.dummy import DummyBackend
    from django_tasks.backends.immediate import ImmediateBackend
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend | ImmediateBackend | DummyBackend)


def _enqueue(job: Job, the_task: Task) -> None:
    def send() -> None:
        try:
            result = the_task.enqueue(job.pk)
        except Exception as exc:
            logger.exception("job %s (%s) could not be queued", job.pk, job.kind)
            _finish(job.pk, JobState.FAILED, error=_("The job could not be queued: %(err)s") % {"err": exc})
            return
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    if _shares_database(the_task.get_backend()):
        send()
    else:
        transaction.on_commit(send)


# --- running -----------------------------------------------------------------------------------
def worker_id() -> str:
    return f"{HOST}:{os.getpid()}"


def execute(job_id: int, handler: Callable[..., dict | None], *, atomic: bool = True) -> dict:
    """Run one job (called by its task in whichever worker picked it up)."""
    recover_stale()
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, worker=worker_id(), attempts=F("attempts") + 1
    )
    if not claimed:  # delivered twice, or already failed/recovered: it runs once
        state = Job.objects.filter(pk=job_id).values_list("state", flat=True).first()
        logger.warning("job %s not run: it is %s", job_id, state or "missing")
        return {"skipped": True, "state": state}
    job = Job.objects.get(pk=job_id)
    source = current_source.set(f"job {job_id}")
    heartbeat = _Heartbeat(job_id) if not connection.in_atomic_block else None
    if heartbeat:
        heartbeat.start()
    try:
        if atomic:
            with transaction.atomic():
                summary = handler(job, **job.params) or {}
        else:
            summary = handler(job, **job.params) or {}
    except JobFailed as exc:
        logger.info("job %s (%s) failed: %s", job_id, job.kind, exc)
        _finish(job_id, JobState.FAILED, error=str(exc), result={**job.result, **exc.result}, result_url=exc.url)
        return {"failed": str(exc)}
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        _finish(job_id, JobState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    finally:
        current_source.reset(source)
        if heartbeat:
            heartbeat.stop()
    _finish(
        job_id,
        JobState.SUCCEEDED,
        result={**job.result, **summary},
        result_url=job.result_url,
        done=max(job.done, job.total),
        total=max(job.done, job.total),
        note=job.note,
    )
    return summary


def _finish(job_id: int, state: str, **fields: Any) -> None:
    Job.objects.filter(pk=job_id, state__in=ACTIVE).update(
        state=state, finished_at=timezone.now(), heartbeat_at=timezone.now(), **fields
    )


def progress(job: Job, done: int, total: int | None = None, note: Any = None, **info: Any) -> None:
    """Report progress: rows done of total, the current step, extra counts (``errors=…``) merged into the
    result. Written at once, so the progress page sees it — except inside the job's own transaction
    (an ``atomic`` kind), where it would be seen only at the end anyway."""
    job.done = max(0, int(done))
    if total is not None:
        job.total = max(0, int(total))
    if note is not None:
        job.note = str(note)[:200]
    if info:
        job.result = {**job.result, **info}
    if connection.in_atomic_block:
        return
    Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        done=job.done, total=job.total, note=job.note, result=job.result, heartbeat_at=timezone.now()
    )


class _Heartbeat(threading.Thread):
    """Touches the running job every JOBS_HEARTBEAT_SECONDS from its own connection, so a job in a long
    step (or a long transaction) is still seen alive."""

    def __init__(self, job_id: int):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = _setting("JOBS_HEARTBEAT_SECONDS", 10)
        try:
            while not self.stopped.wait(interval):
                try:
                    Job.objects.filter(pk=self.job_id, state=JobState.RUNNING).update(heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001 - a busy database delays a beat; the next one retries
                    logger.debug("heartbeat of job %s skipped", self.job_id, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_stale(now: dt.datetime | None = None) -> int:
    """Fail running jobs whose worker is gone: its process no longer exists (when it ran on this host),
    or it has not sent a heartbeat for JOBS_STALE_SECONDS. Returns how many were failed."""
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=_setting("JOBS_STALE_SECONDS", 300))
    failed = 0
    for pk, worker, beat in Job.objects.filter(state=JobState.RUNNING).values_list("pk", "worker", "heartbeat_at"):
        host, _sep, pid = worker.rpartition(":")
        if host == HOST and pid.isdigit() and not _process_alive(int(pid)):
            reason = _("The worker running this job (%(worker)s) stopped before it finished; nothing was kept.")
        elif beat is None or beat < limit:
            reason = _(
                "The worker running this job (%(worker)s) stopped answering (no sign of life since %(at)s); "
                "nothing was kept."
            )
        else:
            continue
        message = reason % {"worker": worker or "?", "at": timezone.localtime(beat) if beat else "—"}
        failed += Job.objects.filter(pk=pk, state=JobState.RUNNING, worker=worker).update(
            state=JobState.FAILED, error=message + " " + _("Start it again."), finished_at=now
        )
        logger.warning("job %s failed: worker %s is gone", pk, worker)
    return failed


def refreshed(job: Job) -> Job:
    """The job as it is now, a stale running one failed first (for the progress page and the API)."""
    if job.state == JobState.RUNNING:
        recover_stale()
    job.refresh_from_db()
    return job


# --- periodic tasks ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Periodic:
    name: str
    task: Task
    at: dt.time


_PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, the_task: Task, *, at: str) -> None:
    """Run ``the_task`` (no arguments) once a day at ``at`` ("HH:MM", SCHEDULER_TIME_ZONE). Call from an
    AppConfig.ready or at the top level of an app's ``tasks`` module (the scheduler imports them all)."""
    hour, minute = (int(x) for x in at.split(":"))
    _PERIODIC[name] = Periodic(name, the_task, dt.time(hour, minute))


def periodic_tasks() -> list[Periodic]:
    return sorted(_PERIODIC.values(), key=lambda p: (p.at, p.name))


def scheduler_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(getattr(settings, "SCHEDULER_TIME_ZONE", "Asia/Shanghai"))


def latest_slot(now: dt.datetime, at: dt.time, zone: dt.tzinfo) -> dt.date:
    """The day of the most recent run time at or before ``now``: today if ``at`` has passed, else
    yesterday."""
    local = now.astimezone(zone)
    return local.date() if local.time() >= at else local.date() - dt.timedelta(days=1)


def is_due(now: dt.datetime, at: dt.time, last_slot: dt.date | None, zone: dt.tzinfo) -> bool:
    """Due when the latest slot has not run. Days missed while the scheduler was down collapse into that
    one slot: a missed run is caught up once, not once per day."""
    return last_slot is None or last_slot < latest_slot(now, at, zone)


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic task that is due; record its slot first (a conditional update, so two
    schedulers or a restart cannot enqueue the same slot twice). Returns the names enqueued."""
    now = now or timezone.now()
    zone = scheduler_zone()
    enqueued = []
    for p in periodic_tasks():
        slot = latest_slot(now, p.at, zone)
        PeriodicRun.objects.get_or_create(name=p.name)
        claimed = PeriodicRun.objects.filter(Q(last_slot__isnull=True) | Q(last_slot__lt=slot), name=p.name).update(
            last_slot=slot, last_enqueued_at=now
        )
        if not claimed:
            continue
        try:
            p.task.enqueue()
        except Exception:
            logger.exception("periodic task %s could not be enqueued", p.name)
            # give the slot back so the next tick tries again
            PeriodicRun.objects.filter(name=p.name, last_slot=slot).update(last_slot=slot - dt.timedelta(days=1))
            continue
        logger.info("enqueued %s for %s", p.name, slot)
        enqueued.append(p.name)
    return enqueued
