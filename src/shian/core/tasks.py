"""Background work of the platform itself: the audit log's anchors (core.auditchain).

Every hour the scheduler (`shian scheduler`) enqueues :func:`anchor_audit_log`, which appends the last
audit entry's id and digest to the anchor file (SHIAN_AUDIT_ANCHOR_FILE) when entries were added since the
last anchor. `shian audit anchor` does the same by hand."""

from django_tasks import task

from shian.core import auditchain, jobs

ANCHOR_MINUTE = 7  # past every hour, away from the nightly jobs' full hours


@task()
def anchor_audit_log() -> int | None:
    anchor = auditchain.write_anchor()
    return anchor["id"] if anchor else None


for _hour in range(24):
    jobs.register_periodic(f"core.audit_anchor.{_hour:02d}", anchor_audit_log, at=f"{_hour:02d}:{ANCHOR_MINUTE:02d}")
