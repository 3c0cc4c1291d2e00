"""Spreadsheet bombs and limits (issue 10, item 1): a small .xlsx must never make a reader build a huge sheet.

The dangerous reads run in a child process with a memory limit (RLIMIT_AS), so a regression fails the test
(the child dies: SIGABRT or MemoryError) instead of taking pytest down with it.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import textwrap
import time
import zipfile

import pytest
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook

from shian.core import spreadsheets
from shian.core.spreadsheets import Limits, SpreadsheetRejected

CHILD_MEMORY = 1536 * 1024 * 1024  # bytes of address space for the child: Django fits, a bomb does not

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row>'


def workbook(*sheets: str, dimension: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx written by hand: one worksheet part per ``sheets`` item (the <sheetData> body)."""
    names = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheets) + 1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships"><sheets>{names}</sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships">{rels}</Relationships>',
        )
        for i, body in enumerate(sheets, start=1):
            dim = f'<dimension ref="{dimension}"/>' if dimension and i == 1 else ""
            z.writestr(
                f"xl/worksheets/sheet{i}.xml",
                '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                f'spreadsheetml/2006/main">{dim}<sheetData>{body}</sheetData></worksheet>',
            )
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def far_cell(ref: str, row: int) -> str:
    return HEADER_ROW + f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'


def read_in_child(data: bytes, filename: str, tmp_path, env: dict[str, str] | None = None) -> str:
    """Read ``data`` as an import would (``read_table`` then every row; ``estimate_rows``) in a child process
    limited to CHILD_MEMORY; return what it printed. Fails if the child dies or runs out of memory."""
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    script = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({CHILD_MEMORY}, {CHILD_MEMORY}))
        import django
        django.setup()
        from django.utils import translation
        translation.activate("en")
        from shian.registry import imports
        data = open({str(path)!r}, "rb").read()
        print("ESTIMATE", imports.estimate_rows(data, {filename!r}))
        try:
            rows = sum(1 for _row in imports.read_table(data, {filename!r}))
            print("READ", rows)
        except imports.FileRejected as exc:
            print("REJECTED", exc)
        """
    )
    child_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shian.settings", **(env or {})}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=child_env, timeout=300, check=False
    )
    assert done.returncode == 0, (
        f"the reader died (exit {done.returncode}) on a {len(data)}-byte file: {done.stderr[-2000:]}"
    )
    assert time.monotonic() - started < 120
    return done.stdout


@pytest.mark.parametrize(
    ("body", "dimension", "named"),
    [
        (far_cell("XFD1048576", 1_048_576), None, "XFD1048576"),  # ~550 GB dense range: SIGABRT before
        (far_cell("Z200000", 200_000), None, "Z200000"),  # 233 MB from 1.5 KB: a stray far cell
        (HEADER_ROW, "A1:XFD1048576", "A1:XFD1048576"),  # the declared dimension alone
        # a cell without "r" (placed after the row's "r"): the parser path
        (HEADER_ROW + '<row r="1048576"><c><v>1</v></c></row>', None, "A1048576"),
        # a namespace prefix on the cells: not the canonical form, so parsed
        (
            HEADER_ROW.replace("<c ", "<x:c ").replace("</c>", "</x:c>") + '<row r="900000"><x:c r="CV900000">'
            "<v>1</v></x:c></row>",
            None,
            "CV900000",
        ),
    ],
    ids=["XFD1048576", "Z200000", "declared-dimension", "no-r-attribute", "prefixed"],
)
def test_far_cells_are_refused_before_anything_is_built(body, dimension, named, tmp_path):
    if "x:c" in body:
        body = body.replace("<x:c ", '<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ')
    data = workbook(body, dimension=dimension)
    assert len(data) < 2000
    out = read_in_child(data, "bomb.xlsx", tmp_path)
    assert "REJECTED" in out and named in out, out
    if dimension:
        assert "ESTIMATE 0" in out  # a declared dimension beyond the limits: refused by the estimate too


def test_a_bomb_on_the_second_sheet_is_refused(tmp_path):
    """estimate_rows used to read a workbook of several sheets with the reader itself: that died too."""
    data = workbook(HEADER_ROW, far_cell("XFD1048576", 1_048_576))
    out = read_in_child(data, "two-sheets.xlsx", tmp_path)
    assert "ESTIMATE 0" in out and "REJECTED" in out and "XFD1048576" in out and "S2" in out, out


def test_a_duplicate_r_attribute_cannot_hide_a_far_cell(tmp_path):
    """calamine takes the last of two "r" attributes; the fast scan must not trust the first."""
    body = HEADER_ROW + '<row r="2"><c r="A2" r="XFD1048576"><v>1</v></c></row>'
    out = read_in_child(workbook(body), "dup.xlsx", tmp_path)
    assert "REJECTED" in out, out


def test_a_deflate_bomb_is_refused_by_its_real_size(tmp_path):
    zeros = b"0" * (8 * 1024 * 1024)  # inflates ~1000 times
    data = workbook(HEADER_ROW, extra={"xl/sharedStrings.xml": zeros})
    out = read_in_child(data, "zip.xlsx", tmp_path)
    assert "REJECTED" in out and "xl/sharedStrings.xml" in out and "times" in out, out
    out = read_in_child(data, "zip.xlsx", tmp_path, env={"SHIAN_IMPORT_XLSX_MAX_UNCOMPRESSED": str(4 << 20)})
    assert "REJECTED" in out and "inflates to more than 4.2 MB" in out, out


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the zip's declared uncompressed size of ``name`` (local and central headers)."""
    raw = bytearray(data)
    encoded = name.encode()
    local = raw.find(b"PK\x03\x04")
    while local != -1:
        name_len = int.from_bytes(raw[local + 26 : local + 28], "little")
        if raw[local + 30 : local + 30 + name_len] == encoded:
            raw[local + 22 : local + 26] = size.to_bytes(4, "little")
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_len = int.from_bytes(raw[central + 28 : central + 30], "little")
        if raw[central + 46 : central + 46 + name_len] == encoded:
            raw[central + 24 : central + 28] = size.to_bytes(4, "little")
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


def test_declared_sizes_are_not_trusted():
    data = lie_about_size(workbook(HEADER_ROW), "xl/worksheets/sheet1.xml", 10)
    with pytest.raises(SpreadsheetRejected, match="xl/worksheets/sheet1.xml"):
        spreadsheets.check_archive(data, "lie.xlsx", Limits())


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"xl/embeddings/inner.xlsx": workbook(HEADER_ROW)}, "another zip"),
        ({"xl/sharedStrings.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sst/>'}, "document type"),
        ({f"xl/media/p{i}.bin": b"x" for i in range(1001)}, "parts"),
    ],
    ids=["nested-zip", "doctype", "entries"],
)
def test_archive_checks(extra, fragment):
    with translation.override("en"), pytest.raises(SpreadsheetRejected, match=fragment):
        spreadsheets.read_xlsx(workbook(HEADER_ROW, extra=extra), "a.xlsx", Limits())


def test_doctype_in_the_sheet_itself_is_refused_by_the_parser_too():
    body = HEADER_ROW + '<row r="2"><c r="A2"><v>1</v></c></row>'
    data = workbook(body)
    book = zipfile.ZipFile(io.BytesIO(data))
    sheet = book.read("xl/worksheets/sheet1.xml").replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY e "harmless">]><worksheet'
    )
    with translation.override("en"), pytest.raises(SpreadsheetRejected, match="document type"):
        spreadsheets.scan_sheet(
            _rezip(data, {"xl/worksheets/sheet1.xml": sheet}), "xl/worksheets/sheet1.xml", "S1", "d.xlsx", Limits()
        )


def _rezip(data: bytes, replace: dict[str, bytes]) -> zipfile.ZipFile:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def openpyxl_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_ordinary_files_read_as_before():
    rows = [["名称", "地址", "日期"]] + [[f"店{i}", f"路{i}号", i * 1.5] for i in range(1, 301)]
    data = openpyxl_bytes(rows)
    got = list(spreadsheets.read_xlsx(data, "ok.xlsx", Limits()))
    assert [n for n, _cells in got] == list(range(1, 302))
    assert got[0][1] == ["名称", "地址", "日期"] and got[-1][1] == ["店300", "路300号", 450.0]
    assert spreadsheets.xlsx_row_count(data, "ok.xlsx", Limits()) == 301


def test_cells_without_references_and_styled_empty_cells_are_read():
    """The parser path (no "r") places cells like calamine does; a styled empty far cell holds nothing."""
    body = (
        '<row><c t="inlineStr"><is><t>a</t></is></c><c/><c><v>3</v></c></row>'
        '<row r="300000"><c r="Z300000" s="1"/></row>'
    )
    got = list(spreadsheets.read_xlsx(workbook(body), "n.xlsx", Limits()))
    assert got == [(1, ["a", "", 3.0])]


@pytest.mark.parametrize(
    ("limits", "body", "fragment"),
    [
        (Limits(rows=3), "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 6)), "A5"),
        (Limits(columns=3), '<row r="1"><c r="A1"><v>1</v></c><c r="D1"><v>1</v></c></row>', "D1"),
        (
            Limits(cells=10),
            "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="E{r}"><v>1</v></c></row>' for r in range(1, 4)),
            "more than 10 cells",
        ),
        (Limits(cell_chars=5), '<row r="1"><c r="B1" t="inlineStr"><is><t>too long</t></is></c></row>', "B1"),
    ],
    ids=["rows", "columns", "cells", "cell-length"],
)
def test_each_limit_names_where_it_was_met(limits, body, fragment):
    with translation.override("en"), pytest.raises(SpreadsheetRejected, match=fragment) as exc:
        list(spreadsheets.read_xlsx(workbook(body), "limits.xlsx", limits))
    assert "limits.xlsx" in str(exc.value)


def test_messages_are_translated():
    with translation.override("zh-hans"), pytest.raises(SpreadsheetRejected) as exc:
        list(spreadsheets.read_xlsx(workbook(far_cell("Z200000", 200_000)), "z.xlsx", Limits()))
    assert "z.xlsx" in str(exc.value) and "Z200000" in str(exc.value)
    assert "工作表" in str(exc.value), str(exc.value)


# --- CSV ------------------------------------------------------------------------------------------------
def csv_text(rows) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def test_csv_limits():
    with translation.override("en"):
        with pytest.raises(SpreadsheetRejected, match="row 4 is past the limit of 2"):
            list(spreadsheets.read_csv(csv_text([["h"], [1], [2], [3]]), "r.csv", Limits(rows=2)))
        with pytest.raises(SpreadsheetRejected, match="row 2 has 4 columns"):
            list(spreadsheets.read_csv(csv_text([["h"], [1, 2, 3, 4]]), "c.csv", Limits(columns=3)))
        with pytest.raises(SpreadsheetRejected, match="cell B2 holds 9 characters"):
            list(spreadsheets.read_csv(csv_text([["h"], ["a", "123456789"]]), "l.csv", Limits(cell_chars=5)))
    # quoted commas and newlines stay one cell; trailing empty cells are dropped
    text = csv_text([["a", "b"], ["x,y\nz", "", ""]])
    assert list(spreadsheets.read_csv(text, "q.csv", Limits(columns=2))) == [(1, ["a", "b"]), (2, ["x,y\nz"])]


def test_a_csv_record_of_a_million_separators_is_refused_before_it_is_split():
    text = "名称\n" + "," * 1_000_000 + "\n"
    started = time.monotonic()
    with translation.override("en"), pytest.raises(SpreadsheetRejected, match="record 2 has more than 10000"):
        list(spreadsheets.read_csv(text, "wide.csv", Limits()))
    assert time.monotonic() - started < 5


# --- through the import -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_import_of_a_bomb_fails_with_the_cell_named_and_writes_nothing(users, city):
    from shian.registry.imports import estimate_rows, import_businesses
    from shian.registry.models import Business

    before = Business.objects.count()
    data = workbook(far_cell("Z200000", 200_000))
    assert estimate_rows(data, "bomb.xlsx") == 1  # counted from the <row tags: nothing is built
    with translation.override("en"):
        result = import_businesses(data=data, filename="bomb.xlsx", actor=users["haishu"])
    assert not result.ok
    [error] = result.run.errors
    assert "bomb.xlsx" in error["message"] and "Z200000" in error["message"]
    assert Business.objects.count() == before


@pytest.mark.django_db
@override_settings(IMPORT_MAX_ROWS=3)
def test_the_row_limit_is_a_setting(users, city):
    from shian.registry.imports import import_businesses

    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c></row>' for r in range(2, 7))
    with translation.override("en"):
        result = import_businesses(data=workbook(HEADER_ROW + rows), filename="many.xlsx", actor=users["haishu"])
    assert "at most 3 data rows" in result.run.errors[0]["message"]


def test_the_fast_scan_is_cheap_on_a_realistic_sheet():
    """50,000 rows × 20 columns: the checks cost far less than reading (figures in docs/security.md)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("S")
    for r in range(50_000):
        ws.append([f"宁波市海曙区导入餐馆{r}号店", "餐饮服务", "330203001001", 29.87, 121.54] * 4)
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    started = time.monotonic()
    book = spreadsheets.check_archive(data, "big.xlsx", Limits())
    extent = spreadsheets.scan_sheet(book, "xl/worksheets/sheet1.xml", "S", "big.xlsx", Limits())
    assert (extent.rows, extent.columns, extent.cells) == (50_000, 20, 1_000_000)
    assert time.monotonic() - started < 30  # about 1 s on an idle core


def test_cells_in_a_part_no_sheet_points_at_are_scanned_too():
    """Readers resolve a sheet's part from the relationships; whichever part they end up with was checked."""
    stray = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    )
    with pytest.raises(SpreadsheetRejected, match="XFD1048576"):
        spreadsheets.read_xlsx(workbook(HEADER_ROW, extra={"xl/other/place.xml": stray}), "s.xlsx", Limits())


def test_a_shared_string_table_larger_than_the_cells_allowed_is_refused():
    sst = '<?xml version="1.0"?><sst xmlns="x">' + "<si><t>a</t></si>" * 50 + "</sst>"
    with translation.override("en"), pytest.raises(SpreadsheetRejected, match="more than 20 strings"):
        spreadsheets.read_xlsx(workbook(HEADER_ROW, extra={"xl/sharedStrings.xml": sst}), "t.xlsx", Limits(cells=20))


def test_two_parts_of_the_same_name_are_refused():
    """zipfile opens the last of two same-named parts, other readers the first: the scan could check the wrong one."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook(HEADER_ROW))) as src, zipfile.ZipFile(out, "w") as dst:
        dst.writestr("xl/worksheets/sheet1.xml", src.read("xl/worksheets/sheet1.xml").replace(b"A1", b"XFD1"))
        with pytest.warns(UserWarning, match="Duplicate name"):
            for info in src.infolist():
                dst.writestr(info.filename, src.read(info.filename))
    with pytest.raises(SpreadsheetRejected, match="xl/worksheets/sheet1.xml"):
        spreadsheets.check_archive(out.getvalue(), "dup.xlsx", Limits())
