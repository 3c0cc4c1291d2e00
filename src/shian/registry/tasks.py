"""Background imports (see ``core.jobs``): a file of more than IMPORT_SYNC_MAX_ROWS rows is imported by a
job; the upload is kept in the default storage until the job has read it. The import stays all or
nothing (``imports.import_businesses`` writes in one transaction), so the job reports progress while it
checks the rows, then writes."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shian.core import jobs
from shian.core.models import Job, User

from . import imports


def runs_in_background(data: bytes, filename: str) -> int:
    """The file's estimated rows when it is to be imported by a background job (over IMPORT_SYNC_MAX_ROWS),
    else 0."""
    rows = imports.estimate_rows(data, filename)
    return rows if rows > getattr(settings, "IMPORT_SYNC_MAX_ROWS", 2000) else 0


@jobs.job_task("registry.import", label=gettext_lazy("Import businesses"), atomic=False)
def import_job(job: Job, *, path: str, filename: str, actor_id: int | None, sha256: str) -> dict:
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    with default_storage.open(path, "rb") as f:
        data = f.read()
    total = job.total

    def on_step(step: str, rows: int, errors: int) -> None:
        note = _("Checking rows") if step == "checking" else _("Writing (all or nothing)")
        jobs.progress(job, rows, max(total, rows), note=note, errors=errors)

    try:
        result = imports.import_businesses(data=data, filename=filename, actor=actor, on_step=on_step)
    finally:
        default_storage.delete(path)
    run = result.run
    summary = {
        "import_run_id": run.pk,
        "rows": run.rows,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "errors": len(run.errors),
    }
    jobs.progress(job, run.rows, run.rows, note="")
    url = reverse("registry:import_detail", args=[run.pk])
    if not result.ok:
        raise jobs.JobFailed(
            _("Nothing was imported: the file has %(n)d errors. Download the report, fix the rows and upload it again.")
            % {"n": len(run.errors)},
            result=summary,
            url=url,
        )
    job.result_url = url
    return summary


def start_import(*, data: bytes, filename: str, actor: User, rows: int | None = None, key: str = "") -> Job:
    """Keep the file and queue its import. The same file from the same person, while its import is queued or
    running, is the same job."""
    digest = hashlib.sha256(data).hexdigest()
    dedupe = {"sha256": digest, "filename": filename, "actor_id": actor.pk}
    business = actor.business if actor.business_id else None
    existing = Job.objects.filter(
        fingerprint=jobs.fingerprint_of(import_job, dedupe, actor.region if business is None else None, business),
        state__in=jobs.ACTIVE,
    ).first()
    if existing is not None:
        return existing
    path = default_storage.save(f"jobs/imports/{digest[:16]}.upload", ContentFile(data))
    job, created = jobs.start(
        import_job,
        user=actor,
        params={"path": path, "filename": filename, "actor_id": actor.pk, "sha256": digest},
        dedupe=dedupe,
        region=actor.region if business is None else None,
        business=business,
        total=imports.estimate_rows(data, filename) if rows is None else rows,
        label=_("Import %(name)s") % {"name": filename},
        key=key,
    )
    if not created:  # joined a job started meanwhile: its own copy of the file is the one it reads
        default_storage.delete(path)
    return job
