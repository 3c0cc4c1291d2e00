"""Background work of the accounts app: the audit administrator's check of the audit chain."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shian.core import jobs

VERIFY_KIND = "accounts.audit_verify"


@jobs.job_task(VERIFY_KIND, label=_("Verify the audit chain"), atomic=False)
def audit_verify(job, *, actor_id=None):
    """``shian audit verify`` as a job: the whole chain and the anchor file; the summary is the result
    (the chain status page shows the last one)."""
    from shian.core import auditchain

    report = auditchain.verify()
    first = report.first
    return {
        "ok": report.ok,
        "checked": report.checked,
        "anchors": report.anchors,
        "last_id": report.last_id,
        "problems": report.total_problems,
        "first_problem": (
            {"entry_id": first.entry_id, "kind": first.kind, "message": first.message} if first is not None else None
        ),
        "warnings": report.warnings[:20],
        "seconds": round(report.seconds, 2),
    }
