"""The audit administrator's export of the filtered log (XLSX, through core.exports; the download
itself is audited by core's request middleware, as every file taken away)."""

from __future__ import annotations

import json

from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core.exports import xlsx_bytes

from .admin_selectors import audit_rows

EXPORT_MAX_ROWS = 100_000  # one file; narrow the filter (a date range) for more


def audit_xlsx(entries) -> bytes:
    header = [
        _("Entry"),
        _("Time"),
        _("Actor"),
        _("Source"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Changes"),
        _("Note"),
    ]
    zone = timezone.get_current_timezone()

    def rows():
        batch = []
        for entry in entries[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
            batch.append(entry)
            if len(batch) == 2000:
                yield from _lines(batch, zone)
                batch = []
        yield from _lines(batch, zone)

    return xlsx_bytes(_("Audit log"), header, rows())


def _lines(batch, zone):
    for r in audit_rows(batch):
        changes = json.dumps(r.changes, ensure_ascii=False, sort_keys=True) if r.changes else ""
        yield [
            r.id,
            timezone.localtime(r.at, zone).strftime("%Y-%m-%d %H:%M:%S"),
            r.actor,
            r.source,
            r.action_label,
            r.object_type,
            r.object_id,
            r.object_repr,
            changes,
            r.note,
        ]
