"""Reading uploaded spreadsheets (.xlsx, CSV) without letting a small file take the server down.

An .xlsx file is a zip of XML parts. A 1.4 KB file whose only far cell is ``XFD1048576`` makes a reader that
builds the sheet as a dense rectangle (python-calamine does) allocate hundreds of gigabytes; a zip entry
can inflate a thousand-fold; an XML part may declare entities. So before any reader builds anything:

1. **the archive** (:func:`check_archive`): at most ``IMPORT_XLSX_MAX_ENTRIES`` entries, only stored or
   deflated, none encrypted, none itself a zip; every entry is inflated here in bounded chunks and its
   *real* size counted (the sizes the zip declares are not trusted), per entry and in total at most
   ``IMPORT_XLSX_MAX_UNCOMPRESSED`` bytes, an entry over 1 MB inflating at most ``IMPORT_XLSX_MAX_RATIO``
   times; no XML part may carry a ``<!DOCTYPE`` (no entities);
2. **every sheet** (:func:`scan_sheet`; every part a sheet points at, and any other part holding
   ``sheetData``): the declared ``<dimension>`` and the actual far cell (a streaming scan of the cell
   references, cheap: no cell values are parsed) must lie within ``IMPORT_MAX_ROWS`` rows,
   ``IMPORT_MAX_COLUMNS`` columns and a rectangle of at most ``IMPORT_MAX_CELLS`` cells, mostly filled when
   large; the shared string table may not hold more strings than that;
3. only then is the first sheet read (python-calamine: fast, and the rectangle it builds is now bounded),
   and rows are handed out one at a time, each checked again (row count, columns, cell length
   ``IMPORT_MAX_CELL_CHARS``).

A CSV file is read row by row with the same row, column and cell limits, and a record that would split
into an absurd number of fields is refused before the csv module builds it.

Every refusal is a :class:`SpreadsheetRejected` whose message names the file, the sheet and the cell or
row that went over, and the limit.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
CHUNK = 1 << 20  # bytes inflated at a time
SPARSE_MIN_AREA = 1_000_000  # a used range this large must be mostly filled …
SPARSE_FACTOR = 20  # … at least one cell in this many holding something (else: stray far cells, or a bomb)
RATIO_FLOOR = 1 << 20  # entries smaller than this may inflate any ratio (tiny XML parts compress very well)
METADATA_MAX_BYTES = 10 << 20  # workbook.xml and its relationships are small; parse them in memory only if so


class SpreadsheetRejected(ValueError):
    """The file as a whole may not be read; the message (translated) says which part and which limit."""


@dataclass(frozen=True)
class Limits:
    rows: int = 200_000  # data rows (the header row is not counted)
    columns: int = 100
    cells: int = 6_000_000  # the rectangle from the first to the last used cell
    cell_chars: int = 32_767  # what a spreadsheet cell holds
    uncompressed: int = 512 << 20  # bytes, the whole archive inflated
    ratio: int = 200
    entries: int = 1_000

    @classmethod
    def from_settings(cls) -> Limits:
        default = cls()
        return cls(
            rows=getattr(settings, "IMPORT_MAX_ROWS", default.rows),
            columns=getattr(settings, "IMPORT_MAX_COLUMNS", default.columns),
            cells=getattr(settings, "IMPORT_MAX_CELLS", default.cells),
            cell_chars=getattr(settings, "IMPORT_MAX_CELL_CHARS", default.cell_chars),
            uncompressed=getattr(settings, "IMPORT_XLSX_MAX_UNCOMPRESSED", default.uncompressed),
            ratio=getattr(settings, "IMPORT_XLSX_MAX_RATIO", default.ratio),
            entries=getattr(settings, "IMPORT_XLSX_MAX_ENTRIES", default.entries),
        )


def cell_name(row: int, col: int) -> str:
    """``cell_name(1, 1) == "A1"`` (1-based row and column)."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


# --- 1. the archive ----------------------------------------------------------------------------------
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader (30 bytes)
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _raw_stream(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of an entry, located from its local header (as every reader does)."""
    start = info.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    fields = _LOCAL_HEADER.unpack(header)
    begin = start + _LOCAL_HEADER.size + fields[10] + fields[11]
    return data[begin : begin + info.compress_size]


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: int) -> Iterator[bytes]:
    """The entry's bytes in chunks, really inflated (the declared size is not trusted); raises ``_TooBig``
    as soon as more than ``budget`` bytes come out."""
    raw = _raw_stream(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) > budget:
            raise _TooBig(len(raw))
        for i in range(0, len(raw), CHUNK):
            yield raw[i : i + CHUNK]
        return
    inflater = zlib.decompressobj(-15)
    out, pending = 0, raw
    while pending and not inflater.eof:
        chunk = inflater.decompress(pending, CHUNK)
        pending = inflater.unconsumed_tail
        out += len(chunk)
        if out > budget:
            raise _TooBig(out)
        if chunk:
            yield chunk
    chunk = inflater.flush()
    out += len(chunk)
    if out > budget:
        raise _TooBig(out)
    if chunk:
        yield chunk


class _TooBig(Exception):
    def __init__(self, size: int):
        self.size = size


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f}"


def check_archive(data: bytes, filename: str, limits: Limits) -> zipfile.ZipFile:
    """The zip, once every entry has been inflated here within the limits (see the module's docstring)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        infos = book.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error) as exc:
        raise SpreadsheetRejected(
            _("%(file)s is not a readable .xlsx workbook (%(err)s).") % {"file": filename, "err": str(exc)[:200]}
        ) from None
    if len(infos) > limits.entries:
        raise SpreadsheetRejected(
            _("%(file)s holds %(n)d parts; a workbook may hold at most %(limit)d.")
            % {"file": filename, "n": len(infos), "limit": limits.entries}
        )
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):  # readers disagree on which of two same-named parts they open
        twice = next(n for n in names if names.count(n) > 1)
        raise SpreadsheetRejected(
            _("%(file)s is damaged: part %(part)s is not what the zip says it is.") % {"file": filename, "part": twice}
        )
    total = 0
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise SpreadsheetRejected(
                _("%(file)s is encrypted (part %(part)s); save it without a password.")
                % {"file": filename, "part": name}
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SpreadsheetRejected(
                _("%(file)s uses an unusual compression (part %(part)s); save it again from Excel or WPS.")
                % {"file": filename, "part": name}
            )
        size, crc, head, tail = 0, 0, b"", b""
        try:
            for chunk in _inflate(data, info, limits.uncompressed - total):
                if not head:
                    head = chunk[:4]
                    if head == b"PK\x03\x04":
                        raise SpreadsheetRejected(
                            _("%(file)s contains another zip file (part %(part)s); remove embedded files.")
                            % {"file": filename, "part": name}
                        )
                if _DOCTYPE.search(tail + chunk):
                    raise SpreadsheetRejected(
                        _("%(file)s: part %(part)s declares a document type (XML entities), which is refused.")
                        % {"file": filename, "part": name}
                    )
                tail = chunk[-16:]
                size += len(chunk)
                crc = zlib.crc32(chunk, crc)
        except _TooBig as exc:
            raise SpreadsheetRejected(
                _(
                    "%(file)s inflates to more than %(limit)s MB (part %(part)s alone to over %(mb)s MB); "
                    "a workbook may hold at most %(limit)s MB uncompressed."
                )
                % {"file": filename, "part": name, "mb": _mb(exc.size), "limit": _mb(limits.uncompressed)}
            ) from None
        except (zlib.error, zipfile.BadZipFile) as exc:
            raise SpreadsheetRejected(
                _("%(file)s is not a readable .xlsx workbook (%(err)s).") % {"file": filename, "err": str(exc)[:200]}
            ) from None
        if size != info.file_size or crc != info.CRC:
            raise SpreadsheetRejected(
                _("%(file)s is damaged: part %(part)s is not what the zip says it is.")
                % {"file": filename, "part": name}
            )
        if size > RATIO_FLOOR and size > limits.ratio * max(1, info.compress_size):
            raise SpreadsheetRejected(
                _(
                    "%(file)s: part %(part)s inflates %(ratio)d times (%(mb)s MB); at most %(limit)d times is "
                    "accepted (a zip bomb?)."
                )
                % {
                    "file": filename,
                    "part": name,
                    "ratio": size // max(1, info.compress_size),
                    "mb": _mb(size),
                    "limit": limits.ratio,
                }
            )
        total += size
    return book


# --- 2. the sheets -------------------------------------------------------------------------------------
@dataclass
class SheetExtent:
    name: str
    part: str
    declared: str = ""  # the <dimension ref="…"> as written
    rows: int = 0  # the last used row (1-based), 0 if empty
    columns: int = 0
    first_row: int = 0
    first_column: int = 0
    cells: int = 0  # cells that hold something

    @property
    def area(self) -> int:
        if not self.cells:
            return 0
        return (self.rows - self.first_row + 1) * (self.columns - self.first_column + 1)


_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _refusing_parser(filename: str, part: str) -> expat.XMLParserType:
    """An expat parser that refuses any document type declaration (so no entity can be declared)."""

    def refuse_dtd(*_args: Any) -> NoReturn:
        raise SpreadsheetRejected(
            _("%(file)s: part %(part)s declares a document type (XML entities), which is refused.")
            % {"file": filename, "part": part}
        )

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    return parser


def _not_xml(filename: str, part: str, exc: Exception) -> SpreadsheetRejected:
    return SpreadsheetRejected(
        _("%(file)s: part %(part)s is not well-formed XML (%(err)s).")
        % {"file": filename, "part": part, "err": str(exc)[:200]}
    )


def _small_xml(book: zipfile.ZipFile, part: str, filename: str) -> list[tuple[str, dict[str, str]]]:
    """The start tags of a small XML part (local name, attributes); [] when the part is missing."""
    try:
        info = book.getinfo(part)
    except KeyError:
        return []
    if info.file_size > METADATA_MAX_BYTES:
        raise SpreadsheetRejected(
            _("%(file)s: part %(part)s is %(mb)s MB, far more than such a part holds.")
            % {"file": filename, "part": part, "mb": _mb(info.file_size)}
        )
    tags: list[tuple[str, dict[str, str]]] = []
    parser = _refusing_parser(filename, part)
    parser.StartElementHandler = lambda tag, attrs: tags.append((tag.rsplit(":", 1)[-1], attrs))
    try:
        parser.Parse(book.read(part), True)
    except expat.ExpatError as exc:
        raise _not_xml(filename, part, exc) from None
    return tags


def sheet_parts(book: zipfile.ZipFile, filename: str) -> list[tuple[str, str]]:
    """``[(sheet name, part)]`` in the workbook's order (the first is the one imported), then any
    worksheet part no sheet points at (a reader might still open it), named by its part."""
    targets: dict[str, str] = {}
    for tag, attrs in _small_xml(book, "xl/_rels/workbook.xml.rels", filename):
        if tag == "Relationship" and attrs.get("Id") and attrs.get("Target"):
            target = attrs["Target"].replace("\\", "/")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            clean: list[str] = []
            for p in path.split("/"):  # resolve ".." the way the zip readers do
                if p == "..":
                    clean = clean[:-1]
                elif p and p != ".":
                    clean.append(p)
            targets[attrs["Id"]] = "/".join(clean)
    found: list[tuple[str, str]] = []
    for tag, attrs in _small_xml(book, "xl/workbook.xml", filename):
        if tag == "sheet":
            rid = next((v for k, v in attrs.items() if k == "id" or k.endswith(":id")), "")
            part = targets.get(rid)
            if part and part in book.NameToInfo:
                found.append((attrs.get("name") or part, part))
    listed = {p for _n, p in found}
    sheet_dirs = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/", "xl/macrosheets/")
    for name in book.namelist():
        if name.startswith(sheet_dirs) and name.endswith(".xml") and name not in listed:
            found.append((name, name))
    return found


_FAST_REF = re.compile(rb'<c r="([A-Z]{1,3}\d{1,7})"')
_UPPER = bytes(range(65, 91))
_OTHER_C = re.compile(rb'<c(?! r=")(.?)', re.DOTALL)
_NAME_CHAR = re.compile(rb"[\w.:-]")
_ODD_ATTRIBUTE = re.compile(rb"[ \t\r\n]=|[\t\r\n]r=")  # "r =", or an attribute r after a tab or newline
_PREFIXED_C = re.compile(rb":c[ \t\r\n/>]")
_DIMENSION = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?ref\s*=\s*["']([^"'<>]{1,40})["']""")


class _Irregular(Exception):
    """The fast scan cannot vouch for this sheet (a cell without "r", markup it does not expect)."""


def _fast_extent(book: zipfile.ZipFile, part: str, name: str) -> SheetExtent:
    """The used range from the cells' own references, by byte counts and one regular expression over the
    raw XML (several times faster than a parser: values are never looked at). Sound only for the canonical
    form ``<c r="A1"…`` (what Excel, WPS and the usual libraries write): every ``<c`` must start either such
    a tag or another element (``<col``…), no attribute ``r`` may be written any other way, no element may
    carry a prefix — else _Irregular, and the sheet is parsed instead. Cells holding nothing (``<c r="B2"
    s="1"/>``) are counted too, so this may only err on the side of refusing; the caller then asks the
    parser, which skips them."""
    extent = SheetExtent(name=name, part=part)
    letters: set[bytes] = set()
    digits: set[bytes] = set()
    carry, head = b"", True
    with book.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK)
            buf = carry + chunk
            cut = len(buf) if not chunk else max(0, buf.rfind(b"<"))
            seg, carry = buf[:cut], buf[cut:]
            if head:
                m = _DIMENSION.search(seg)
                if m:
                    extent.declared = m.group(1).decode("ascii", "replace")
                head = b"<sheetData" not in seg
            if b"<!" in seg and (b"<!DOCTYPE" in seg or b"<!ENTITY" in seg):
                raise _Irregular  # the parser refuses it, naming the part
            starts = seg.count(b'<c r="')
            if seg.count(b"<c") != starts:
                for m in _OTHER_C.finditer(seg):
                    if not _NAME_CHAR.match(m.group(1)):
                        raise _Irregular  # <c> or <c s="1" r="A1">: not the canonical form
            # every "r=" is a cell's or a row's canonical one (a second r on a cell wins in some readers),
            # none is written "r =", no cell tag has a prefix
            if seg.count(b" r=") != starts + seg.count(b'<row r="'):
                raise _Irregular
            odd = b" =" in seg or b"\t" in seg or b"\n" in seg or b"\r" in seg  # the regex is slow: only if needed
            if odd and _ODD_ATTRIBUTE.search(seg):
                raise _Irregular
            if b":c" in seg and _PREFIXED_C.search(seg):
                raise _Irregular
            if starts:
                refs = _FAST_REF.findall(seg)
                if len(refs) != starts:
                    raise _Irregular
                extent.cells += starts
                joined = b" ".join(refs)  # split letters from digits in C, not cell by cell in Python
                letters.update(joined.translate(None, b"0123456789").split())
                digits.update(joined.translate(None, _UPPER).split())
            if not chunk:
                break
    if extent.cells:
        rows = [int(d) for d in digits]
        cols = [_column_number(x.decode()) for x in letters]
        extent.first_row, extent.rows = min(rows), max(rows)
        extent.first_column, extent.columns = min(cols), max(cols)
    return extent


def scan_sheet(book: zipfile.ZipFile, part: str, name: str, filename: str, limits: Limits) -> SheetExtent:
    """The sheet's declared dimension and its actual used range; SpreadsheetRejected when either goes past
    the limits. The fast scan (``_fast_extent``) serves sheets whose every cell carries its reference (what
    Excel, WPS and the usual libraries write); any other sheet is parsed by expat, start tags only."""
    try:
        extent = _fast_extent(book, part, name)
    except _Irregular:
        return _exact_extent(book, part, name, filename, limits)
    if extent.declared:
        _check_declared(extent, filename, limits)
    if extent.cells and (
        extent.rows - 1 > limits.rows
        or extent.columns > limits.columns
        or extent.area > limits.cells
        or (extent.area > SPARSE_MIN_AREA and extent.area > SPARSE_FACTOR * extent.cells)
    ):
        return _exact_extent(book, part, name, filename, limits)  # refuses, naming the first cell too far
    return extent


def _check_declared(extent: SheetExtent, filename: str, limits: Limits) -> None:
    m = _CELL_REF.match(extent.declared.split(":")[-1])
    if m is None:
        raise SpreadsheetRejected(
            _("%(file)s, sheet %(sheet)s: %(ref)s is not a cell reference.")
            % {"file": filename, "sheet": extent.name, "ref": extent.declared}
        )
    row, col = int(m.group(2)), _column_number(m.group(1))
    if row - 1 > limits.rows or col > limits.columns:
        raise SpreadsheetRejected(
            _(
                "%(file)s, sheet %(sheet)s declares its used range as %(range)s, beyond the limits (at "
                "most %(rows)d data rows and %(cols)d columns); delete everything below and to the right "
                "of your data and save again."
            )
            % {
                "file": filename,
                "sheet": extent.name,
                "range": extent.declared,
                "rows": limits.rows,
                "cols": limits.columns,
            }
        )


def _check_area(extent: SheetExtent, filename: str, limits: Limits, cell: str) -> None:
    if extent.cells > limits.cells or extent.area > limits.cells:
        raise SpreadsheetRejected(
            _("%(file)s, sheet %(sheet)s: the used range reaches %(cell)s, more than %(limit)d cells; split the file.")
            % {"file": filename, "sheet": extent.name, "cell": cell, "limit": limits.cells}
        )
    if extent.area > SPARSE_MIN_AREA and extent.area > SPARSE_FACTOR * extent.cells:
        raise SpreadsheetRejected(
            _(
                "%(file)s, sheet %(sheet)s: the used range reaches %(cell)s but only %(n)d cells hold anything; "
                "delete the stray cells far from your data and save again."
            )
            % {"file": filename, "sheet": extent.name, "cell": cell, "n": extent.cells}
        )


def _exact_extent(book: zipfile.ZipFile, part: str, name: str, filename: str, limits: Limits) -> SheetExtent:
    """The used range by parsing the sheet with expat (start tags only): cells without a reference are
    placed the way readers place them, after the one before."""
    extent = SheetExtent(name=name, part=part)
    pos = [0, 0]  # the current row and column, for cells and rows written without "r"
    pending = [False]  # inside a <c> not counted yet

    def too_far(ref: str) -> NoReturn:
        raise SpreadsheetRejected(
            _(
                "%(file)s, sheet %(sheet)s: cell %(cell)s is beyond the limits (at most %(rows)d data rows and "
                "%(cols)d columns); delete everything below and to the right of your data and save again."
            )
            % {"file": filename, "sheet": name, "cell": ref, "rows": limits.rows, "cols": limits.columns}
        )

    def bad_ref(ref: str) -> NoReturn:
        raise SpreadsheetRejected(
            _("%(file)s, sheet %(sheet)s: %(ref)s is not a cell reference.")
            % {"file": filename, "sheet": name, "ref": ref[:40]}
        )

    def parse_ref(ref: str) -> tuple[int, int]:
        m = _CELL_REF.match(ref)
        if m is None:
            bad_ref(ref)
        row, col = int(m.group(2)), _column_number(m.group(1))
        if not (1 <= row <= EXCEL_MAX_ROWS and 1 <= col <= EXCEL_MAX_COLUMNS):
            bad_ref(ref)
        return row, col

    def record() -> None:
        row, col = pos
        if row - 1 > limits.rows or col > limits.columns:
            too_far(cell_name(row, col))
        if not extent.cells:
            extent.first_row, extent.first_column = row, col
        extent.cells += 1
        if row > extent.rows:
            extent.rows = row
        elif row < extent.first_row:
            extent.first_row = row
        if col > extent.columns:
            extent.columns = col
        elif col < extent.first_column:
            extent.first_column = col
        _check_area(extent, filename, limits, cell_name(row, col))

    def start(tag: str, attrs: dict[str, str]) -> None:
        tag = tag.rsplit(":", 1)[-1]
        if tag == "c":
            ref = attrs.get("r")
            if ref is not None:
                pos[0], pos[1] = parse_ref(ref)
            else:
                pos[1] += 1
            pending[0] = True  # counted once it holds a value, inline text or formula (<c s="1"/> holds nothing)
        elif tag in ("v", "is", "f"):
            if pending[0]:
                pending[0] = False
                record()
        elif tag == "row":
            ref = attrs.get("r")
            if ref is not None:
                if not ref.isdigit() or not 1 <= int(ref) <= EXCEL_MAX_ROWS:
                    bad_ref(ref)
                pos[0] = int(ref)
            else:
                pos[0] += 1
            pos[1] = 0
            pending[0] = False
        elif tag == "dimension" and attrs.get("ref"):
            extent.declared = attrs["ref"][:40]
            _check_declared(extent, filename, limits)

    parser = _refusing_parser(filename, part)
    parser.StartElementHandler = start
    try:
        with book.open(part) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _not_xml(filename, part, exc) from None
    return extent


def open_workbook(data: bytes, filename: str, limits: Limits | None = None) -> tuple[zipfile.ZipFile, SheetExtent]:
    """Check the archive and every sheet; return the zip and the first sheet's extent."""
    limits = limits or Limits.from_settings()
    book = check_archive(data, filename, limits)
    sheets = sheet_parts(book, filename)
    if not sheets:
        raise SpreadsheetRejected(_("%(file)s has no worksheet.") % {"file": filename})
    listed = {part for _name, part in sheets}
    for info in book.infolist():  # a part holding cells that no sheet points at is scanned as well
        if info.filename not in listed and not info.is_dir() and _holds(book, info.filename, b"sheetData"):
            sheets.append((info.filename, info.filename))
    extents = [scan_sheet(book, part, name, filename, limits) for name, part in sheets]
    _check_shared_strings(book, filename, limits)
    return book, extents[0]


_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def _holds(book: zipfile.ZipFile, part: str, needle: bytes) -> bool:
    tail = b""
    with book.open(part) as stream:
        while chunk := stream.read(CHUNK):
            if needle in tail + chunk[: len(needle)] or needle in chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def _check_shared_strings(book: zipfile.ZipFile, filename: str, limits: Limits) -> None:
    """The shared string table is read whole by the reader: at most one string per cell allowed."""
    for part in book.namelist():
        if not part.lower().endswith("sharedstrings.xml"):
            continue
        count, carry = 0, b""
        with book.open(part) as stream:
            while True:
                chunk = stream.read(CHUNK)
                buf = carry + chunk
                cut = len(buf) if not chunk else max(0, buf.rfind(b"<"))
                count += len(_SHARED_STRING.findall(buf, 0, cut))
                carry = buf[cut:]
                if count > limits.cells:
                    raise SpreadsheetRejected(
                        _("%(file)s: part %(part)s holds more than %(limit)d strings, more than the cells allowed.")
                        % {"file": filename, "part": part, "limit": limits.cells}
                    )
                if not chunk:
                    break


# --- 3. reading -------------------------------------------------------------------------------------
def _cell_too_long(filename: str, sheet: str, ref: str, length: int, limits: Limits) -> SpreadsheetRejected:
    return SpreadsheetRejected(
        _("%(file)s, sheet %(sheet)s: cell %(cell)s holds %(n)d characters; a cell may hold at most %(limit)d.")
        % {"file": filename, "sheet": sheet, "cell": ref, "n": length, "limit": limits.cell_chars}
    )


def _too_many_rows(filename: str, sheet: str, row: int, limits: Limits) -> SpreadsheetRejected:
    return SpreadsheetRejected(
        _("%(file)s, sheet %(sheet)s: row %(row)d is past the limit of %(limit)d data rows; split the file.")
        % {"file": filename, "sheet": sheet, "row": row, "limit": limits.rows}
    )


def _too_many_columns(filename: str, sheet: str, row: int, n: int, limits: Limits) -> SpreadsheetRejected:
    return SpreadsheetRejected(
        _("%(file)s, sheet %(sheet)s: row %(row)d has %(n)d columns; at most %(limit)d are read.")
        % {"file": filename, "sheet": sheet, "row": row, "n": n, "limit": limits.columns}
    )


def read_xlsx(data: bytes, filename: str, limits: Limits | None = None) -> XlsxRows:
    """The first sheet of an .xlsx file, checked (archive, every sheet's extent) before it is read.
    Raises SpreadsheetRejected now for what the checks find; iterating may raise it for a cell too long."""
    limits = limits or Limits.from_settings()
    _book, extent = open_workbook(data, filename, limits)
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except Exception as exc:  # noqa: BLE001 - any parser failure means the file is not a readable workbook
        raise SpreadsheetRejected(
            _("%(file)s is not a readable .xlsx workbook (%(err)s).") % {"file": filename, "err": str(exc)[:200]}
        ) from None
    if sheet.height - 1 > limits.rows or sheet.width > limits.columns:  # the scan and the reader disagree
        raise SpreadsheetRejected(
            _("%(file)s, sheet %(sheet)s: %(rows)d rows × %(cols)d columns is beyond the limits.")
            % {"file": filename, "sheet": sheet.name, "rows": sheet.height, "cols": sheet.width}
        )
    return XlsxRows(sheet, filename, limits, extent)


class XlsxRows:
    """``(sheet row number, cells)`` one row at a time, each row checked; ``.sheet`` is calamine's sheet."""

    def __init__(self, sheet: Any, filename: str, limits: Limits, extent: SheetExtent):
        self.sheet, self.filename, self.limits, self.extent = sheet, filename, limits, extent

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        start_row, start_col = self.sheet.start or (0, 0)
        name, limits = self.sheet.name, self.limits
        for i, cells in enumerate(self.sheet.iter_rows()):
            row_no = start_row + 1 + i
            if row_no - 1 > limits.rows:
                raise _too_many_rows(self.filename, name, row_no, limits)
            if len(cells) > limits.columns:
                raise _too_many_columns(self.filename, name, row_no, len(cells), limits)
            for j, value in enumerate(cells):
                if isinstance(value, str) and len(value) > limits.cell_chars:
                    ref = cell_name(row_no, start_col + 1 + j)
                    raise _cell_too_long(self.filename, name, ref, len(value), limits)
            yield row_no, cells


def xlsx_row_count(data: bytes, filename: str, limits: Limits | None = None) -> int:
    """About how many rows the first sheet has (header included), cheaply, for choosing between importing
    now and a background job: the archive is checked (nothing is inflated beyond the limits), then the
    sheet's declared dimension is taken if it has one within the limits, else its ``<row`` tags are counted.
    An estimate only: the import itself checks everything (``read_xlsx``)."""
    limits = limits or Limits.from_settings()
    book = check_archive(data, filename, limits)
    sheets = sheet_parts(book, filename)
    if not sheets:
        raise SpreadsheetRejected(_("%(file)s has no worksheet.") % {"file": filename})
    name, part = sheets[0]
    rows, tail = 0, b""
    with book.open(part) as stream:
        head = stream.read(1 << 16)
        m = _DIMENSION.search(head)
        if m:
            extent = SheetExtent(name=name, part=part, declared=m.group(1).decode("ascii", "replace"))
            _check_declared(extent, filename, limits)
            return int(_CELL_REF.match(extent.declared.split(":")[-1]).group(2))
        chunk = head
        while chunk:
            rows += (tail + chunk).count(b"<row") - tail.count(b"<row")
            tail = chunk[-4:]
            chunk = stream.read(CHUNK)
    return rows


def read_csv(text: str, filename: str, limits: Limits | None = None) -> Iterator[tuple[int, list[str]]]:
    """``(record number, cells)`` of a decoded CSV text, one record at a time, with the same limits as a
    sheet. A record with more separators than ``columns × 100`` is refused before it is split (the csv
    module would build the whole list first)."""
    limits = limits or Limits.from_settings()
    max_separators = limits.columns * 100
    sheet = "CSV"

    def guarded_lines() -> Iterator[str]:
        record, separators, quotes = 1, 0, 0
        for line in io.StringIO(text, newline=""):
            separators += line.count(",")
            quotes += line.count('"')
            if separators > max_separators:
                raise SpreadsheetRejected(
                    _("%(file)s: record %(row)d has more than %(n)d separators; at most %(limit)d columns are read.")
                    % {"file": filename, "row": record, "n": max_separators, "limit": limits.columns}
                )
            yield line
            if quotes % 2 == 0 and line.endswith(("\n", "\r")):  # the record ends here (no quote left open)
                record, separators, quotes = record + 1, 0, 0

    try:
        reader = csv.reader(guarded_lines())
        for number, cells in enumerate(reader, start=1):
            if number - 1 > limits.rows:
                raise _too_many_rows(filename, sheet, number, limits)
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > limits.columns:
                raise _too_many_columns(filename, sheet, number, len(cells), limits)
            for j, value in enumerate(cells):
                if len(value) > limits.cell_chars:
                    raise _cell_too_long(filename, sheet, cell_name(number, j + 1), len(value), limits)
            yield number, cells
    except csv.Error as exc:
        raise SpreadsheetRejected(
            _("%(file)s: the CSV cannot be parsed near record %(row)d: %(err)s")
            % {"file": filename, "row": reader.line_num, "err": exc}
        ) from None
