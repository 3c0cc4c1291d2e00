"""Background jobs (core.jobs): scoped progress pages and API, failure and rollback, once-only, big imports,
the database backend with its worker, stale workers, and the scheduler's due logic."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task_backends

from shian.core import jobs
from shian.core.choices import RegionLevel
from shian.core.models import Job, PeriodicRun, Region
from shian.registry.models import Business, ImportRun
from shian.registry.tests.factories import BusinessFactory
from shian.registry.tests.test_imports import csv_bytes, row
from shian.supervision.models import BusinessGrade, RiskRuleSet

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@jobs.job_task("tests.half_written")
def half_written(job, *, code: str) -> dict:
    """Writes a region, reports progress, then fails: nothing it wrote may stay."""
    Region.objects.create(code=code, name="半途", level=RegionLevel.DISTRICT, parent=Region.objects.get(code="330200"))
    jobs.progress(job, 1, 2)
    raise RuntimeError("the disk is full")


@jobs.job_task("tests.count")
def count_job(job, *, n: int) -> dict:
    for i in range(n):
        jobs.progress(job, i + 1, n, note="counting")
    return {"counted": n}


# --- running inline (ImmediateBackend), scope, pages, API ----------------------------------------
def test_regrade_is_a_job_with_a_scoped_page_and_api(users, city, web, api):
    BusinessFactory(region=city["haishu_grid"])
    response = web(users["admin"]).post("/supervision/grades/recompute/")
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job = Job.objects.get()
    assert (job.kind, job.state, job.result) == ("supervision.regrade", "succeeded", {"graded": 1, "changed": 1})
    assert job.created_by == users["admin"] and job.region == city["city"]
    page = web(users["admin"]).get(response["Location"])
    assert page.status_code == 200 and 'data-state="succeeded"' in page.content.decode()
    assert "hx-trigger" not in page.content.decode()  # finished: no more polling
    # a city-wide job is seen by the city, not by a district
    assert web(users["haishu"]).get(response["Location"]).status_code == 404
    assert api(users["haishu"]).get(f"/api/jobs/{job.pk}").status_code == 404
    assert api(users["public"]).get(f"/api/jobs/{job.pk}").status_code in (403, 404)
    body = api(users["admin"]).get(f"/api/jobs/{job.pk}").json()
    assert body["state"] == "succeeded" and body["url"] == f"/api/jobs/{job.pk}" and body["done"] == 1


def test_rule_set_switch_is_one_job(users, city, web):
    BusinessFactory(region=city["haishu_grid"])
    uk = RiskRuleSet.objects.get(code="uk-fsa-flcop")
    response = web(users["admin"]).post(f"/supervision/rules/{uk.pk}/activate/")
    job = Job.objects.get(kind="supervision.rule_set_switch")
    assert response["Location"] == f"/jobs/{job.pk}/" and job.state == "succeeded"
    assert job.result["rule_set"] == "uk-fsa-flcop" and job.result_url == "/supervision/rules/"
    assert BusinessGrade.objects.get().rule_set == uk


def test_a_failing_job_is_failed_with_its_error_and_writes_nothing(users, city, web):
    job, created = jobs.start(half_written, user=users["admin"], params={"code": "330299"}, region=city["city"])
    job.refresh_from_db()
    assert created and job.state == "failed" and job.error == "RuntimeError: the disk is full"
    assert job.finished_at is not None
    assert not Region.objects.filter(code="330299").exists()  # rolled back with the job
    page = web(users["admin"]).get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-error"' in page and "the disk is full" in page


def test_inspection_closes_even_if_regrading_fails(users, city, web, monkeypatch):
    from shian.inspections import services as inspections
    from shian.supervision import services as grading

    shop = BusinessFactory(region=city["haishu_grid"])
    inspection = inspections.inspection_start(actor=users["inspector"], business=shop)
    results = {r.item_id: {"outcome": "pass"} for r in inspection.results.all()}
    inspections.inspection_record(actor=users["inspector"], inspection=inspection, results=results)

    def broken(**kwargs):
        raise ValueError("grading is broken")

    monkeypatch.setattr(grading, "grades_recompute", broken)
    closed = inspections.inspection_close(actor=users["inspector"], inspection=inspection)
    assert closed.state == "closed"
    job = Job.objects.get(kind="supervision.regrade_businesses")
    assert job.state == "failed" and "grading is broken" in job.error
    assert job.business_id == shop.pk and job.region_path == shop.region.path
    assert web(users["haishu"]).get(f"/jobs/{job.pk}/").status_code == 200  # the district sees its failure
    assert web(users["jiangbei"]).get(f"/jobs/{job.pk}/").status_code == 404


# --- once only -----------------------------------------------------------------------------------
def test_the_same_work_queued_twice_is_one_job(users, city, settings):
    settings.TASKS = DUMMY
    first, created = jobs.start(count_job, user=users["admin"], params={"n": 3}, region=city["city"])
    again, created_again = jobs.start(count_job, user=users["haishu"], params={"n": 3}, region=city["city"])
    assert created and not created_again and again.pk == first.pk
    assert len(task_backends["default"].results) == 1  # one task queued
    other, created = jobs.start(count_job, user=users["admin"], params={"n": 4}, region=city["city"])
    assert created and other.pk != first.pk
    # a task delivered twice runs once
    assert count_job.call(first.pk) == {"counted": 3}
    assert count_job.call(first.pk) == {"skipped": True, "state": "succeeded"}
    first.refresh_from_db()
    assert (first.state, first.done, first.total, first.result) == ("succeeded", 3, 3, {"counted": 3})
    # finished: the same work may run again; a caller's key stays the same job for ever
    rerun, created = jobs.start(count_job, user=users["admin"], params={"n": 3}, region=city["city"], key="k1")
    assert created and rerun.pk != first.pk
    retry, created = jobs.start(count_job, user=users["admin"], params={"n": 5}, region=city["city"], key="k1")
    assert not created and retry.pk == rerun.pk


def test_api_idempotency_key_and_double_click(users, city, api, web, settings):
    settings.TASKS = DUMMY
    client = api(users["admin"])
    one = client.post("/api/grades/recompute", {}, HTTP_IDEMPOTENCY_KEY="abc")
    two = client.post("/api/grades/recompute", {}, HTTP_IDEMPOTENCY_KEY="abc")
    assert one.status_code == two.status_code == 202 and one.json()["id"] == two.json()["id"]
    assert one.json()["state"] == "queued"
    click = web(users["admin"])
    assert click.post("/supervision/grades/recompute/")["Location"] == f"/jobs/{one.json()['id']}/"
    assert Job.objects.count() == 1


def test_regrade_after_close_follows_a_running_one(users, city, settings):
    from shian.supervision.tasks import regrade_later

    settings.TASKS = DUMMY
    shop = BusinessFactory(region=city["haishu_grid"])
    first = regrade_later(business=shop, actor=users["inspector"], trigger="inspection closed")
    assert regrade_later(business=shop, actor=users["inspector"], trigger="inspection closed").pk == first.pk
    Job.objects.filter(pk=first.pk).update(state="running", worker=jobs.worker_id(), heartbeat_at=timezone.now())
    second = regrade_later(business=shop, actor=users["inspector"], trigger="inspection closed")
    assert second.pk != first.pk  # the running one may have read the data before this change
    assert regrade_later(business=shop, actor=users["inspector"], trigger="inspection closed").pk == second.pk


# --- imports -------------------------------------------------------------------------------------
def test_big_import_is_a_job_and_ends_on_the_import_report(users, city, web, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 2
    client = web(users["haishu"])
    small = client.post("/registry/imports/", {"file": SimpleUploadedFile("s.csv", csv_bytes([row(1), row(2)]))})
    assert small["Location"].startswith("/registry/imports/")  # at or under the limit: at once, as before
    assert not Job.objects.exists()
    data = csv_bytes([row(n) for n in range(3, 8)])
    response = client.post("/registry/imports/", {"file": SimpleUploadedFile("big.csv", data)})
    job = Job.objects.get(kind="registry.import")
    assert response["Location"] == f"/jobs/{job.pk}/"
    run = ImportRun.objects.get(filename="big.csv")
    assert job.state == "succeeded" and job.result["created"] == 5 and job.result["import_run_id"] == run.pk
    assert (job.done, job.total) == (5, 5) and Business.objects.count() == 7
    assert job.params["path"] and not job.params["path"].startswith("/")
    from django.core.files.storage import default_storage

    assert not default_storage.exists(job.params["path"])  # the upload is removed once read
    status = client.get(f"/jobs/{job.pk}/status/?follow=1", HTTP_HX_REQUEST="true")
    assert status["HX-Redirect"] == f"/registry/imports/{run.pk}/"
    assert web(users["jiangbei"]).get(f"/jobs/{job.pk}/").status_code == 404


def test_big_import_with_errors_fails_and_points_to_the_report(users, city, web, api, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 2
    data = csv_bytes([row(1), row(2, uscc="bad"), row(3, region_code="999")])
    upload = {"file": SimpleUploadedFile("e.csv", data)}
    response = api(users["haishu"]).client.post("/api/imports/businesses", upload)
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "failed" and body["result"]["errors"] == 2 and "2" in body["error"]
    run = ImportRun.objects.get(pk=body["result"]["import_run_id"])
    assert body["result_url"] == f"/registry/imports/{run.pk}/" and not Business.objects.exists()
    page = web(users["haishu"]).get(f"/jobs/{body['id']}/").content.decode()
    assert f"/registry/imports/{run.pk}/" in page


def test_a_queued_job_page_polls_its_partial(users, city, web, settings):
    settings.TASKS = DUMMY
    settings.IMPORT_SYNC_MAX_ROWS = 2
    client = web(users["haishu"])
    data = csv_bytes([row(n) for n in range(1, 5)])
    job_url = client.post("/registry/imports/", {"file": SimpleUploadedFile("q.csv", data)})["Location"]
    page = client.get(job_url).content.decode()
    job = Job.objects.get()
    assert job.state == "queued" and job.total == 4
    assert f'hx-get="/jobs/{job.pk}/status/?follow=1"' in page and 'hx-trigger="every 1s"' in page
    assert "<script>" not in page  # CSP: no inline script, only hx-* attributes
    partial = client.get(f"/jobs/{job.pk}/status/?follow=1", HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in partial and 'data-state="queued"' in partial.content.decode()
    # the same file again while it waits: the same job, no second copy kept
    assert client.post("/registry/imports/", {"file": SimpleUploadedFile("q.csv", data)})["Location"] == job_url


def test_estimate_rows(tmp_path):
    from shian.registry.imports import estimate_rows
    from shian.registry.tests.test_imports import xlsx_bytes

    assert estimate_rows(csv_bytes([row(1), row(2), row(3)]), "a.csv") == 3
    assert estimate_rows(b"a,b\n1,2", "a.csv") == 1
    assert estimate_rows(xlsx_bytes([row(n) for n in range(40)]), "a.xlsx") == 40
    assert estimate_rows(b"PK\x03\x04 not a zip", "a.xlsx") == 0


# --- the database backend and its worker -----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_database_backend_and_one_worker_pass(users, city, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    job, _created = jobs.start(count_job, user=users["admin"], params={"n": 4}, region=city["city"])
    failing, _created = jobs.start(half_written, user=users["admin"], params={"code": "330298"}, region=city["city"])
    assert DBTaskResult.objects.count() == 2 and Job.objects.get(pk=job.pk).state == "queued"
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", verbosity=0)
    job.refresh_from_db()
    failing.refresh_from_db()
    assert (job.state, job.done, job.total, job.result) == ("succeeded", 4, 4, {"counted": 4})
    assert job.worker == jobs.worker_id() and job.attempts == 1 and job.task_id
    assert failing.state == "failed" and "the disk is full" in failing.error
    assert not Region.objects.filter(code="330298").exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL", "FAILED"}


# --- a worker that is gone -------------------------------------------------------------------------
def test_stale_running_jobs_are_failed(users, city):
    now = timezone.now()
    make = Job.objects.create
    hour_ago = now - dt.timedelta(hours=1)
    silent = make(kind="k", fingerprint="1", state="running", worker="elsewhere:12", heartbeat_at=hour_ago)
    alive = make(kind="k", fingerprint="2", state="running", worker="elsewhere:13", heartbeat_at=now)
    mine = make(kind="k", fingerprint="3", state="running", worker=jobs.worker_id(), heartbeat_at=now)
    gone = make(kind="k", fingerprint="4", state="running", worker=f"{jobs.HOST}:999999999", heartbeat_at=now)
    assert jobs.recover_stale(now) == 2
    states = dict(Job.objects.values_list("pk", "state"))
    assert states == {silent.pk: "failed", alive.pk: "running", mine.pk: "running", gone.pk: "failed"}
    error = Job.objects.get(pk=silent.pk).error  # in the language of the moment
    assert "stopped answering" in error or "已无响应" in error
    error = Job.objects.get(pk=gone.pk).error
    assert "stopped before it finished" in error or "在完成前停止" in error


# --- the scheduler ---------------------------------------------------------------------------------
def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=SHANGHAI)


def test_due_calculation():
    two = dt.time(2, 0)
    assert jobs.latest_slot(at("2026-03-10", "01:59"), two, SHANGHAI) == dt.date(2026, 3, 9)
    assert jobs.latest_slot(at("2026-03-10", "02:00"), two, SHANGHAI) == dt.date(2026, 3, 10)
    # 02:00 in Shanghai is 18:00 UTC the day before
    utc = dt.datetime(2026, 3, 9, 18, 0, tzinfo=dt.UTC)
    assert jobs.latest_slot(utc, two, SHANGHAI) == dt.date(2026, 3, 10)
    assert jobs.is_due(at("2026-03-10", "02:00"), two, None, SHANGHAI)
    assert jobs.is_due(at("2026-03-10", "02:00"), two, dt.date(2026, 3, 9), SHANGHAI)
    assert not jobs.is_due(at("2026-03-10", "23:00"), two, dt.date(2026, 3, 10), SHANGHAI)
    assert not jobs.is_due(at("2026-03-11", "01:59"), two, dt.date(2026, 3, 10), SHANGHAI)
    assert jobs.is_due(at("2026-03-15", "09:00"), two, dt.date(2026, 3, 10), SHANGHAI)  # days missed


def test_run_due_enqueues_each_slot_once_and_catches_up_once(db, settings):
    import shian.hazards.tasks  # noqa: F401 - registers the escalation
    import shian.supervision.tasks  # noqa: F401 - registers the nightly regrade

    settings.TASKS = DUMMY
    settings.SCHEDULER_TIME_ZONE = "Asia/Shanghai"
    backend = task_backends["default"]
    names = {"hazards.escalate_overdue", "supervision.nightly_regrade"}

    def enqueued():
        return sorted(r.task.name for r in backend.results)

    assert set(jobs.run_due(at("2026-03-10", "02:30"))) >= names  # first run: both due
    backend.results.clear()
    assert names.isdisjoint(jobs.run_due(at("2026-03-10", "02:31")))  # a restart the same night: nothing
    assert names.isdisjoint(jobs.run_due(at("2026-03-11", "00:59")))
    assert "hazards.escalate_overdue" in jobs.run_due(at("2026-03-11", "01:00"))
    assert "supervision.nightly_regrade" not in jobs.run_due(at("2026-03-11", "01:30"))
    assert "escalate_overdue_hazards" in enqueued() and "recompute_grades" not in enqueued()
    backend.results.clear()
    # the scheduler was down for four days: each task runs once, for the latest slot
    assert set(jobs.run_due(at("2026-03-15", "09:00"))) >= names
    assert enqueued().count("recompute_grades") == 1
    assert PeriodicRun.objects.get(name="supervision.nightly_regrade").last_slot == dt.date(2026, 3, 15)
    assert names.isdisjoint(jobs.run_due(at("2026-03-15", "09:01")))


def test_scheduler_command_once(db, settings):
    import io

    settings.TASKS = DUMMY
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    text = out.getvalue()
    assert "supervision.nightly_regrade: daily at 02:00 (Asia/Shanghai)" in text
    assert "hazards.escalate_overdue: daily at 01:00" in text
    assert PeriodicRun.objects.filter(name="supervision.nightly_regrade", last_slot__isnull=False).exists()
