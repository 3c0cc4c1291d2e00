"""Background jobs against real workers: a database worker process killed in the middle of a job, and an
RQ worker (Redis on 127.0.0.1:6379; skipped with the reason when it is not there)."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from shian.core import jobs
from shian.core.choices import RegionLevel
from shian.core.models import Job, Region

ROOT = Path(__file__).resolve().parents[4]


@jobs.job_task("tests.slow")
def slow_job(job, *, seconds: float) -> dict:
    """Writes a region, then works for a while (long enough to be killed)."""
    city = Region.objects.get(code="330200")
    Region.objects.create(code="330297", name="慢", level=RegionLevel.DISTRICT, parent=city)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)
    return {"slept": seconds}


@jobs.job_task("tests.add", atomic=False)
def add_job(job, *, a: int, b: int) -> dict:
    jobs.progress(job, 1, 1)
    return {"sum": a + b}


def _database_url(tmp_path: Path) -> str:
    """A URL another process can open for the test database: PostgreSQL's test database as it is; SQLite's
    in-memory test database copied to a file (and copied back by _reload)."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
        return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{host}:{port}/{s['NAME']}"
    path = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    return f"sqlite:///{path}"


def _job_state(url: str, pk: int) -> str | None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=5) as db:
            found = db.execute("SELECT state FROM core_job WHERE id = ?", (pk,)).fetchone()
        return found[0] if found else None
    return Job.objects.filter(pk=pk).values_list("state", flat=True).first()


def _reload(url: str) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as source:
            source.backup(connection.connection)


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_a_failed_job_and_nothing_written(users, city, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job, _created = jobs.start(slow_job, user=users["admin"], params={"seconds": 60}, region=city["city"])
    url = _database_url(tmp_path)
    env = {
        **os.environ,
        "SHIAN_DATABASE_URL": url,
        "SHIAN_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "SHIAN_JOBS_HEARTBEAT_SECONDS": "0.5",
        "SHIAN_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
    }
    command = [sys.executable, "-m", "shian", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while _job_state(url, job.pk) != "running":
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the worker did not start the job"
            time.sleep(0.1)
        time.sleep(0.3)  # well inside the job's transaction
    finally:
        worker.kill()
        worker.wait(timeout=10)
        worker.stderr.close()
    _reload(url)
    job.refresh_from_db()
    assert job.state == "running" and job.worker == f"{jobs.HOST}:{worker.pid}"
    assert jobs.recover_stale() == 1  # what a restarted worker, the scheduler or the job page do first
    job.refresh_from_db()
    assert job.state == "failed" and f"{jobs.HOST}:{worker.pid}" in job.error
    assert "stopped" in job.error or "停止" in job.error  # in the language of the moment
    assert not Region.objects.filter(code="330297").exists()  # the killed transaction wrote nothing


def _redis_or_skip() -> str:
    pytest.importorskip("django_tasks_rq", reason="the rq extra is not installed (pip install -e '.[rq]')")
    url = os.environ.get("SHIAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError as exc:
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379 ({exc}); CI runs it")
    return url


def test_rq_backend_runs_a_job(users, city, settings, django_capture_on_commit_callbacks):
    url = _redis_or_skip()
    import django_rq
    from django_tasks_rq.backend import Job as RQJob
    from rq import SimpleWorker

    settings.RQ_QUEUES = {"default": {"URL": url}}  # database 15 of the local Redis, emptied before and after
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    queue = django_rq.get_queue("default", job_class=RQJob)
    queue.empty()
    with django_capture_on_commit_callbacks(execute=True):  # RQ is told after the job row commits
        job, created = jobs.start(add_job, user=users["admin"], params={"a": 2, "b": 3}, region=city["city"])
        assert created and len(queue) == 0
    assert len(queue) == 1
    job.refresh_from_db()
    assert job.state == "queued" and job.task_id
    SimpleWorker([queue], connection=queue.connection, job_class=RQJob).work(burst=True)
    job.refresh_from_db()
    assert (job.state, job.result) == ("succeeded", {"sum": 5})
    assert add_job.get_result(job.task_id).status == "SUCCESSFUL"
    queue.empty()
