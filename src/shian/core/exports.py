"""XLSX writing for every export (write-only mode: constant memory for large lists)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font


def xlsx_bytes(title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(title)[:31])
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    head = []
    for h in header:
        cell = WriteOnlyCell(ws, value=str(h))
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for row in rows:
        ws.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str | int | float) or hasattr(value, "isoformat"):
        return value
    return str(value)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
