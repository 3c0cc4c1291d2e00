"""Background work of the platform itself: the audit log's anchors (core.auditchain).

Every hour the scheduler (`shian scheduler`) enqueues :func:`anchor_audit_log`, which appends the last
audit entry's id and digest to the anchor file (SHIAN_AUDIT_ANCHOR_FILE) when entries were added since the
last anchor. `shian audit anchor` does the same by hand."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from shian.core import auditchain, jobs

ANCHOR_MINUTE = 7  # past every hour, away from the nightly jobs' full hours


@task()
def anchor_audit_log() -> int | None:
    anchor = auditchain.write_anchor()
    return anchor["id"] if anchor else None


for _hour in range(24):
    jobs.register_periodic(f"core.audit_anchor.{_hour:02d}", anchor_audit_log, at=f"{_hour:02d}:{ANCHOR_MINUTE:02d}")


# --- KPI snapshots (core.snapshots) ----------------------------------------------------------------
SNAPSHOT_MINUTE = 3  # past every hour: the hourly full recompute; 00:03 re-bases the "today" figures


@jobs.job_task("core.kpi_snapshots", label=_("Recompute the dashboard figures"), follow_running=True)
def recompute_kpi_snapshots(job, *, path: str = "") -> dict:
    """Recompute the KPI snapshots of every leaf region under ``path`` ("" the whole city)."""
    from shian.core import snapshots

    written = snapshots.recompute(path)
    return {"path": path, "rows": sum(written.values())}


@task()
def refresh_kpi_snapshots() -> int:
    """The scheduled full recompute: a job (so one already queued is not queued again)."""
    from shian.core import snapshots

    job, _created = snapshots.request_refresh("")
    return job.pk


for _hour in range(24):
    jobs.register_periodic(
        f"core.kpi_snapshots.{_hour:02d}", refresh_kpi_snapshots, at=f"{_hour:02d}:{SNAPSHOT_MINUTE:02d}"
    )
