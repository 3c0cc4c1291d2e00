"""XLSX writing for every export (write-only mode: constant memory for large lists)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font


def xlsx_bytes(title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """Every export and report: survives whatever text is in the database (characters XLSX cannot hold
    are dropped, a text longer than a cell holds is cut with an ellipsis), and no text becomes a formula
    (cells starting with = + - @ are written as text, with a leading apostrophe as spreadsheet users
    expect for literal text)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_safe_text(str(title))[:31] or "Sheet")
    bold = Font(bold=True)
    head = []
    for h in header:
        cell = _cell(ws, h)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for row in rows:
        ws.append([_cell(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CELL_MAX_LENGTH = 32_767  # the most characters a spreadsheet cell holds (Excel refuses to open more)


def _safe_text(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _cell(ws, value: Any) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(ws, value="")
    if isinstance(value, bool | int | float) or hasattr(value, "isoformat"):
        return WriteOnlyCell(ws, value=value)
    text = _safe_text(str(value))
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    if len(text) > CELL_MAX_LENGTH:  # e.g. a cell of an imported file, quoted in its error report
        text = text[: CELL_MAX_LENGTH - 1] + "…"
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # text, whatever it looks like
    return cell


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
