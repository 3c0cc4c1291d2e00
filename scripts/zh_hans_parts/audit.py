"""Simplified Chinese for the audit log's chain, refusals and exports (core/choices.py AuditAction)."""

ZH = {
    "Exported": "导出",
}
