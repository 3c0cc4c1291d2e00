"""Importing businesses (with their licence and two staff) from CSV or XLSX.

All or nothing per file: every row is parsed and validated first; if any cell is bad, nothing is
written and the run keeps a list of every error (file row number, column, value, reason) for the
downloadable report. Rows upsert by USCC, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import spreadsheets
from shian.core.audit import audit_many, build_entry, diff, snapshot
from shian.core.choices import AuditAction
from shian.core.models import Region, User
from shian.core.policy import may
from shian.core.scoping import ADD, CHANGE, VIEW
from shian.core.spreadsheets import SpreadsheetRejected
from shian.core.validators import make_uscc, normalise_code

from .choices import BusinessStatus, BusinessType, ImportStatus, LicenceKind, Scale, StaffRole
from .models import Business, ImportRun, Licence, Staff
from .services import staffing_refresh
from .staffing import RuleBook

MAX_REPORTED_ERRORS = 20_000
CHUNK = 500  # ids per IN (...) query: well under SQLite's variable limit
STEP_ROWS = 1000  # rows between progress reports while checking


class FileRejected(Exception):
    """The file as a whole cannot be read (format, encoding, size, columns)."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header of the template
    required: bool = False


COLUMNS = [
    Column("uscc", "统一社会信用代码", True),
    Column("name", "名称", True),
    Column("type", "业态", True),
    Column("scale", "规模"),
    Column("diners_per_meal", "每餐就餐人数"),
    Column("address", "地址", True),
    Column("region_code", "区划代码", True),
    Column("status", "经营状态"),
    Column("imports_food", "进口食品"),
    Column("chain_headquarters", "连锁总部"),
    Column("special_food", "特殊食品"),
    Column("canteen_outsourced", "食堂委托经营"),
    Column("latitude", "纬度"),
    Column("longitude", "经度"),
    Column("legal_representative", "法定代表人"),
    Column("contact_phone", "联系电话"),
    Column("licence_number", "许可证编号"),
    Column("licence_issued_on", "发证日期"),
    Column("licence_valid_until", "有效期至"),
    Column("licence_authority", "发证机关"),
    Column("director_name", "食品安全总监"),
    Column("director_phone", "总监电话"),
    Column("director_trained_on", "总监培训日期"),
    Column("officer_name", "食品安全员"),
    Column("officer_phone", "安全员电话"),
    Column("officer_trained_on", "安全员培训日期"),
]
BY_HEADER = {c.label: c for c in COLUMNS} | {c.key.lower(): c for c in COLUMNS}
LABEL = {c.key: c.label for c in COLUMNS}


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class ParsedRow:
    row: int
    business: dict[str, Any]
    licence: dict[str, Any] | None
    staff: list[dict[str, Any]] = field(default_factory=list)


# --- reading files ----------------------------------------------------------------------------
def read_table(data: bytes, filename: str) -> Iterator[tuple[int, list[Any]]]:
    """Yield (file row number, cells) for every row, header first. Raises FileRejected."""
    if not data:
        raise FileRejected(_("The file is empty."))
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise FileRejected(
            _("The file is %(mb).1f MB; the limit is %(limit).0f MB.")
            % {"mb": len(data) / 1e6, "limit": settings.IMPORT_MAX_BYTES / 1e6}
        )
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"} or data[:4] == b"PK\x03\x04":
        if suffix not in {".xlsx", ".xlsm"}:
            raise FileRejected(
                _("The file is a spreadsheet but is named %(name)s; name it .xlsx.") % {"name": filename}
            )
        return _read_xlsx(data, filename)
    if suffix in {".csv", ".txt", ""}:
        return _read_csv(data, filename)
    raise FileRejected(_("Unsupported file type %(suffix)s: upload a .csv (UTF-8) or .xlsx file.") % {"suffix": suffix})


def _read_csv(data: bytes, filename: str = "") -> Iterator[tuple[int, list[Any]]]:
    if b"\x00" in data[:65536]:
        raise FileRejected(_("The file contains binary data: it is not a CSV text file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            raise FileRejected(
                _(
                    "The file is not UTF-8: it looks like GBK/GB18030 (first bad byte on line "
                    '%(line)d). Save it as "CSV UTF-8" or as .xlsx and upload again.'
                )
                % {"line": line}
            ) from None
        except UnicodeDecodeError:
            raise FileRejected(
                _("The file is not UTF-8 text (first bad byte on line %(line)d).") % {"line": line}
            ) from None
    # one record at a time, within the row, column and cell limits of core.spreadsheets
    return _as_file_rejected(spreadsheets.read_csv(text, filename or "CSV"))


def _read_xlsx(data: bytes, filename: str = "") -> Iterator[tuple[int, list[Any]]]:
    """The first sheet, once core.spreadsheets has checked the archive and every sheet's declared and actual
    extent (a far cell such as XFD1048576 is refused before anything is built), then row by row."""
    try:
        rows = spreadsheets.read_xlsx(data, filename or "XLSX")
    except SpreadsheetRejected as exc:
        raise FileRejected(str(exc)) from None
    sheet = rows.sheet
    merged = sheet.merged_cell_ranges or []
    if merged:
        (r1, c1), (r2, c2) = merged[0]
        raise FileRejected(
            _(
                "The sheet %(sheet)s has merged cells (first at %(a)s:%(b)s); unmerge them so that "
                "every row has its own values."
            )
            % {"sheet": sheet.name, "a": _cell_name(r1, c1), "b": _cell_name(r2, c2)}
        )
    return _as_file_rejected(iter(rows))


def _as_file_rejected(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """A limit met while reading ends the import like any unreadable file."""
    try:
        yield from rows
    except SpreadsheetRejected as exc:
        raise FileRejected(str(exc)) from None


def _cell_name(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


# --- parsing cells ----------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _choice(enum, aliases: dict[str, str] | None = None) -> Callable[[Any], Any]:
    lookup = {str(v).lower(): v for v in enum.values}
    lookup |= {str(label).lower(): v for v, label in enum.choices}
    lookup |= {k.lower(): v for k, v in (aliases or {}).items()}

    def parse(value: Any):
        key = _text(value).lower()
        if key not in lookup:
            raise ValueError(
                _("not one of: %(options)s") % {"options": "、".join(str(label) for _value, label in enum.choices)}
            )
        return lookup[key]

    return parse


TYPE_ALIASES = {
    "食品生产": "production",
    "食品生产者": "production",
    "食品销售": "sales",
    "食品销售经营者": "sales",
    "餐饮服务": "catering",
    "餐饮服务经营者": "catering",
    "餐饮": "catering",
    "学校食堂": "school_canteen",
    "幼儿园食堂": "kindergarten_canteen",
    "托幼机构食堂": "kindergarten_canteen",
    "养老机构食堂": "elderly_canteen",
    "养老食堂": "elderly_canteen",
    "老年食堂": "elderly_canteen",
    "其他单位食堂": "other_canteen",
    "单位食堂": "other_canteen",
    "机关食堂": "other_canteen",
    "企业食堂": "other_canteen",
    "中央厨房": "central_kitchen",
    "集体用餐配送单位": "group_meal",
    "集体用餐配送": "group_meal",
    "入网餐饮服务提供者": "takeout",
    "网络餐饮": "takeout",
    "外卖商户": "takeout",
    # 进口商 is no 业态: an importer is a seller that imports (imports_food); earlier files used it as a type
    "进口商": "sales",
    "进口食品": "sales",
}
IMPORTER_TYPE_WORDS = {"进口商", "进口食品"}
SCALE_ALIASES = {"小型": 1, "中型": 2, "大型": 3, "小": 1, "中": 2, "大": 3}
STATUS_ALIASES = {
    "在营": "operating",
    "正常": "operating",
    "停业": "suspended",
    "歇业": "suspended",
    "注销": "closed",
    "关闭": "closed",
}
parse_type = _choice(BusinessType, TYPE_ALIASES)
parse_scale = _choice(Scale, SCALE_ALIASES)
parse_status = _choice(BusinessStatus, STATUS_ALIASES)
YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "无", "n", "no", "false", "0"}


def parse_bool(value: Any) -> bool | None:
    text = _text(value).lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(_("not yes or no (use 是 or 否)"))


EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        if 1 <= value < 2_958_466:  # Excel serial day numbers (1900 system)
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(_("not a date"))
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("not a date (use YYYY-MM-DD)"))


def parse_int(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(_("not a whole number"))
    return int(text)


def parse_decimal(value: Any) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    try:
        return Decimal(text).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise ValueError(_("not a number")) from None


def parse_uscc(value: Any) -> str:
    if isinstance(value, float):
        raise ValueError(_("stored as a number, which loses digits: format the column as text"))
    return normalise_code(_text(value))


def parse_licence_number(value: Any) -> str:
    return normalise_code(_text(value))


PARSERS: dict[str, Callable[[Any], Any]] = {
    "uscc": parse_uscc,
    "type": parse_type,
    "scale": parse_scale,
    "status": parse_status,
    "imports_food": parse_bool,
    "chain_headquarters": parse_bool,
    "special_food": parse_bool,
    "canteen_outsourced": parse_bool,
    "licence_number": parse_licence_number,
    "diners_per_meal": parse_int,
    "latitude": parse_decimal,
    "longitude": parse_decimal,
    "licence_issued_on": parse_date,
    "licence_valid_until": parse_date,
    "director_trained_on": parse_date,
    "officer_trained_on": parse_date,
}


def _header(cells: list[Any]) -> list[Column | None]:
    names = [_text(c) for c in cells]
    while names and not names[-1]:
        names.pop()
    columns, unknown, seen = [], [], set()
    for name in names:
        col = BY_HEADER.get(name) or BY_HEADER.get(name.lower())
        if col is None:
            unknown.append(name or _("(blank)"))
        elif col.key in seen:
            raise FileRejected(_("Column %(col)s appears twice in the header row.") % {"col": name})
        else:
            seen.add(col.key)
        columns.append(col)
    missing = [c.label for c in COLUMNS if c.required and c.key not in seen]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(_("missing required columns: %(cols)s") % {"cols": "、".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": "、".join(unknown)})
        raise FileRejected(
            _("Row 1 (header) does not match the template: %(problems)s.") % {"problems": "; ".join(parts)}
        )
    return columns


# --- the import -------------------------------------------------------------------------------
@dataclass
class ImportResult:
    run: ImportRun

    @property
    def ok(self) -> bool:
        return self.run.status == ImportStatus.SUCCEEDED


def import_businesses(
    *,
    data: bytes,
    filename: str,
    actor: User | None,
    progress: Callable[[int, int], None] | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """``progress(done, total)`` follows the write; ``on_step(step, rows, errors)`` reports the rows
    checked so far ("checking", every STEP_ROWS rows) and the start of the write ("writing")."""
    started = time.monotonic()
    errors: list[RowError] = []
    parsed: list[ParsedRow] = []
    total_rows = 0
    try:
        rows = read_table(data, filename)
        try:
            header_row, header_cells = next(rows)
        except StopIteration:
            raise FileRejected(_("The file is empty.")) from None
        columns = _header(header_cells)
        regions = {code: r for code, r in _regions_for(actor).items()}
        for row_no, cells in rows:
            if not any(_text(c) for c in cells):
                continue
            total_rows += 1
            if on_step and total_rows % STEP_ROWS == 0:
                on_step("checking", total_rows, len(errors))
            if len(errors) < MAX_REPORTED_ERRORS:
                parsed_row = _parse_row(row_no, cells, columns, regions, errors)
                if parsed_row:
                    parsed.append(parsed_row)
        if total_rows == 0:
            raise FileRejected(_("The file has a header but no data rows."))
    except FileRejected as exc:
        errors = [RowError(row=0, column="", value="", message=str(exc))]
    if parsed:  # report every problem in one pass, not just the first kind found
        _check_duplicates(parsed, errors)
        _check_existing(parsed, actor, errors)
    errors.sort(key=lambda e: e.row)
    if errors:
        run = ImportRun.objects.create(
            filename=filename[:255],
            status=ImportStatus.FAILED,
            rows=total_rows,
            actor=actor,
            region=_actor_region(actor),
            business=getattr(actor, "business", None),
            errors=[e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]],
            seconds=time.monotonic() - started,
        )
        return ImportResult(run=run)
    if on_step:
        on_step("writing", total_rows, 0)
    return ImportResult(run=_write(parsed, filename, actor, total_rows, started, progress))


def estimate_rows(data: bytes, filename: str) -> int:
    """About how many data rows a file has, cheaply (to choose between importing now and a background
    job): CSV lines; an .xlsx sheet's declared dimension, or else its cells' references, once
    core.spreadsheets has checked the archive (nothing is built from the sheet here)."""
    if data[:4] != b"PK\x03\x04":
        return max(0, data.count(b"\n") - 1 + (0 if data.endswith(b"\n") else 1))
    try:
        return max(0, spreadsheets.xlsx_row_count(data, filename) - 1)
    except SpreadsheetRejected:
        return 0  # unreadable or over a limit: the import itself reports why, at once


def _actor_region(actor: User | None) -> Region | None:
    if actor is None:
        return Region.objects.filter(parent__isnull=True).first()
    return actor.region


def _regions_for(actor: User | None) -> dict[str, Region]:
    qs = Region.objects.all() if actor is None else Region.objects.restrict(actor)
    return {r.code: r for r in qs}


def _parse_row(
    row_no: int, cells: list[Any], columns: list[Column | None], regions: dict[str, Region], errors: list[RowError]
) -> ParsedRow | None:
    values: dict[str, Any] = {}
    bad = False
    for col, raw in zip(columns, cells, strict=False):
        if col is None:
            continue
        if col.key == "type":
            values["_type_text"] = _text(raw)
        try:
            parser = PARSERS.get(col.key, _text)
            values[col.key] = parser(raw) if _text(raw) else (None if col.key in PARSERS else "")
        except ValueError as exc:
            errors.append(RowError(row_no, col.label, _text(raw), str(exc)))
            bad = True
    for col in COLUMNS:
        if col.required and not values.get(col.key):
            if not any(e.row == row_no and e.column == col.label for e in errors):
                errors.append(RowError(row_no, col.label, "", _("required")))
            bad = True
    code = values.get("region_code")
    region = regions.get(code) if code else None
    if code and region is None:
        errors.append(RowError(row_no, LABEL["region_code"], code, _("no such region code in your scope")))
        bad = True
    if bad:
        return None
    business = {
        "uscc": values["uscc"],
        "name": values["name"],
        "type": values["type"],
        "scale": values.get("scale") or Scale.SMALL,
        "diners_per_meal": values.get("diners_per_meal"),
        "address": values["address"],
        "region": region,
        "status": values.get("status") or BusinessStatus.OPERATING,
        "imports_food": bool(values.get("imports_food"))
        or normalise_code(values.get("_type_text")) in IMPORTER_TYPE_WORDS,
        "chain_headquarters": bool(values.get("chain_headquarters")),
        "special_food": bool(values.get("special_food")),
        "canteen_outsourced": bool(values.get("canteen_outsourced")),
        "latitude": values.get("latitude"),
        "longitude": values.get("longitude"),
        "legal_representative": values.get("legal_representative") or "",
        "contact_phone": values.get("contact_phone") or "",
    }
    licence = None
    number = values.get("licence_number") or ""
    if number:
        kind = (
            LicenceKind.PRODUCTION
            if number.startswith("SC")
            else LicenceKind.FILING
            if number.startswith(("YB", "备案"))
            else LicenceKind.BUSINESS
        )
        licence = {
            "kind": kind,
            "number": number,
            "issued_on": values.get("licence_issued_on"),
            "valid_until": values.get("licence_valid_until"),
            "issuing_authority": values.get("licence_authority") or "",
        }
        if licence["issued_on"] is None:
            errors.append(RowError(row_no, LABEL["licence_issued_on"], "", _("required when a licence is given")))
            return None
    staff = []
    for role in (StaffRole.DIRECTOR, StaffRole.OFFICER):
        name = values.get(f"{role}_name") or ""
        if name:
            staff.append(
                {
                    "role": role,
                    "name": name,
                    "phone": values.get(f"{role}_phone") or "",
                    "trained_on": values.get(f"{role}_trained_on"),
                }
            )
    parsed = ParsedRow(row=row_no, business=business, licence=licence, staff=staff)
    _validate_models(parsed, errors)
    return parsed


FIELD_TO_COLUMN = {
    "uscc": "uscc",
    "name": "name",
    "type": "type",
    "scale": "scale",
    "diners_per_meal": "diners_per_meal",
    "address": "address",
    "region": "region_code",
    "status": "status",
    "imports_food": "imports_food",
    "chain_headquarters": "chain_headquarters",
    "special_food": "special_food",
    "canteen_outsourced": "canteen_outsourced",
    "latitude": "latitude",
    "longitude": "longitude",
    "legal_representative": "legal_representative",
    "contact_phone": "contact_phone",
}


def _validate_models(p: ParsedRow, errors: list[RowError]) -> None:
    def report(exc: ValidationError, mapping: dict[str, str], values: dict[str, Any]) -> None:
        for fname, messages in exc.message_dict.items():
            key = mapping.get(fname, fname)
            for m in messages:
                errors.append(RowError(p.row, LABEL.get(key, key), _text(values.get(fname, "")), m))

    try:
        # the region was resolved from the actor's own region table above: no per-row existence query
        Business(**p.business).full_clean(exclude=["region"], validate_unique=False)
    except ValidationError as exc:
        report(exc, FIELD_TO_COLUMN, p.business)
    if p.licence:
        try:
            Licence(**p.licence).full_clean(exclude=["business"], validate_unique=False)
        except ValidationError as exc:
            report(
                exc,
                {
                    "number": "licence_number",
                    "issued_on": "licence_issued_on",
                    "valid_until": "licence_valid_until",
                    "issuing_authority": "licence_authority",
                    "kind": "licence_number",
                },
                p.licence,
            )
    for s in p.staff:
        try:
            Staff(**s).full_clean(exclude=["business"], validate_unique=False)
        except ValidationError as exc:
            report(
                exc,
                {
                    f: f"{s['role']}_{f}" if f != "role" else f"{s['role']}_name"
                    for f in ("name", "phone", "trained_on", "role")
                },
                s,
            )


def _check_duplicates(parsed: list[ParsedRow], errors: list[RowError]) -> None:
    seen_uscc: dict[str, int] = {}
    seen_licence: dict[str, int] = {}
    for p in parsed:
        uscc = p.business["uscc"]
        if uscc in seen_uscc:
            errors.append(
                RowError(
                    p.row,
                    LABEL["uscc"],
                    uscc,
                    _("duplicate: the same code is on row %(row)d") % {"row": seen_uscc[uscc]},
                )
            )
        seen_uscc.setdefault(uscc, p.row)
        if p.licence:
            number = p.licence["number"]
            if number in seen_licence:
                errors.append(
                    RowError(
                        p.row,
                        LABEL["licence_number"],
                        number,
                        _("duplicate: the same licence is on row %(row)d") % {"row": seen_licence[number]},
                    )
                )
            seen_licence.setdefault(number, p.row)


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _check_existing(parsed: list[ParsedRow], actor: User | None, errors: list[RowError]) -> None:
    """A row may update a business only if the actor may change it; a licence number may not belong to
    another business."""
    usccs = [p.business["uscc"] for p in parsed]
    owner: dict[str, int] = {}
    for chunk in _chunks(usccs):
        owner.update(Business.objects.filter(uscc__in=chunk).values_list("uscc", "pk"))
    if actor is not None and owner:
        allowed = set()
        for chunk in _chunks(list(owner.values())):
            allowed.update(Business.objects.restrict(actor, CHANGE).filter(pk__in=chunk).values_list("pk", flat=True))
        for p in parsed:
            pk = owner.get(p.business["uscc"])
            if pk is not None and pk not in allowed:
                errors.append(
                    RowError(
                        p.row,
                        LABEL["uscc"],
                        p.business["uscc"],
                        _("a business with this code exists and you may not change it"),
                    )
                )
    if actor is not None and not may(actor, ADD, Business):
        for p in parsed:
            if p.business["uscc"] not in owner:
                errors.append(
                    RowError(
                        p.row,
                        LABEL["uscc"],
                        p.business["uscc"],
                        _("a new business, and your role may not add businesses"),
                    )
                )
    numbers = {p.licence["number"]: p for p in parsed if p.licence}
    clashes = []
    for chunk in _chunks(list(numbers)):
        rows = Licence.objects.filter(number__in=chunk).values_list("number", "business_id", "business__uscc")
        clashes += [row for row in rows if row[2] != numbers[row[0]].business["uscc"]]
    # the other business is named only to someone who may see it: a USCC elsewhere is not disclosed
    visible = set()
    if clashes:
        seen = Business.objects.all() if actor is None else Business.objects.restrict(actor, VIEW)
        visible = set(seen.filter(pk__in={c[1] for c in clashes}).values_list("pk", flat=True))
    for number, business_id, business_uscc in clashes:
        message = (
            _("this licence number belongs to another business (%(uscc)s)") % {"uscc": business_uscc}
            if business_id in visible
            else _("this licence number is already registered to another business")
        )
        errors.append(RowError(numbers[number].row, LABEL["licence_number"], number, message))


BUSINESS_COMPARE = [
    "name",
    "type",
    "scale",
    "diners_per_meal",
    "address",
    "region_id",
    "status",
    "imports_food",
    "chain_headquarters",
    "special_food",
    "canteen_outsourced",
    "latitude",
    "longitude",
    "legal_representative",
    "contact_phone",
]


@transaction.atomic
def _write(
    parsed: list[ParsedRow],
    filename: str,
    actor: User | None,
    total_rows: int,
    started: float,
    progress: Callable[[int, int], None] | None,
) -> ImportRun:
    now = timezone.now()
    existing: dict[str, Business] = {}
    for chunk in _chunks([p.business["uscc"] for p in parsed]):
        existing.update({b.uscc: b for b in Business.objects.filter(uscc__in=chunk)})
    to_create: list[Business] = []
    to_update: list[tuple[Business, dict]] = []
    entries = []
    for p in parsed:
        b = existing.get(p.business["uscc"])
        if b is None:
            b = Business(**p.business, region_path=p.business["region"].path, created_at=now, updated_at=now)
            to_create.append(b)
        else:
            before = snapshot(b)
            for k, v in p.business.items():
                setattr(b, k, v)
            b.region_path = b.region.path
            changes = {k: v for k, v in diff(before, snapshot(b)).items() if k not in {"updated_at"}}
            if changes:
                b.version += 1
                b.updated_at = now
                to_update.append((b, changes))
        p.business["_obj"] = b
    rules = RuleBook.load()
    for p in parsed:  # a new business's staff are exactly the file's: evaluate 两员 before inserting
        b = p.business["_obj"]
        if b.pk is None:
            b.staffing_complete, b.staffing_missing = rules.evaluate_for(b, {s["role"] for s in p.staff})
    Business.objects.bulk_create(to_create, batch_size=1000)
    Business.objects.bulk_update(
        [b for b, _c in to_update],
        [f.removesuffix("_id") for f in BUSINESS_COMPARE]
        + ["contact_phone_hash", "uscc", "region_path", "version", "updated_at"],  # the hash with its phone
        batch_size=1000,
    )
    entries += [
        build_entry(
            actor=actor, action=AuditAction.CREATE, obj=b, changes=diff({}, snapshot(b)), note=f"import {filename}"
        )
        for b in to_create
    ]
    entries += [
        build_entry(actor=actor, action=AuditAction.UPDATE, obj=b, changes=c, note=f"import {filename}")
        for b, c in to_update
    ]
    if progress:
        progress(len(parsed) // 2, len(parsed))
    touched_ids = [p.business["_obj"].pk for p in parsed]
    changed_children = _write_children(parsed, touched_ids, actor, filename, entries)
    created_ids = {b.pk for b in to_create}
    updated_ids = {b.pk for b, _c in to_update} | (changed_children - created_ids)
    existing_ids = [b.pk for b in existing.values()]
    if existing_ids:  # existing businesses may have staff the file does not list
        staffing_refresh(business_ids=existing_ids, rules=rules)
    run = ImportRun.objects.create(
        filename=filename[:255],
        status=ImportStatus.SUCCEEDED,
        rows=total_rows,
        created=len(created_ids),
        updated=len(updated_ids),
        unchanged=len(parsed) - len(created_ids) - len(updated_ids),
        actor=actor,
        region=_actor_region(actor),
        business=getattr(actor, "business", None),
        seconds=time.monotonic() - started,
    )
    entries.append(
        build_entry(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=run,
            note=f"{run.created} created, {run.updated} updated, {run.unchanged} unchanged",
        )
    )
    audit_many(entries)
    if progress:
        progress(len(parsed), len(parsed))
    return run


def _write_children(
    parsed: list[ParsedRow], business_ids: list[int], actor: User | None, filename: str, entries: list
) -> set[int]:
    """Upsert licences (by number) and staff (by business, role, name). Returns the ids of businesses
    whose children changed."""
    licences: dict[str, Licence] = {}
    staff: dict[tuple[int, str, str], Staff] = {}
    for chunk in _chunks(business_ids):
        licences.update({lic.number: lic for lic in Licence.objects.filter(business_id__in=chunk)})
        staff.update({(s.business_id, s.role, s.name): s for s in Staff.objects.filter(business_id__in=chunk)})
    new_licences, upd_licences, new_staff, upd_staff = [], [], [], []
    changed: set[int] = set()
    note = f"import {filename}"
    for p in parsed:
        business = p.business["_obj"]
        if p.licence:
            lic = licences.get(p.licence["number"])
            if lic is None:
                lic = Licence(business=business, **p.licence)
                new_licences.append(lic)
                changed.add(business.pk)
            else:
                before = snapshot(lic)
                for k, v in p.licence.items():
                    setattr(lic, k, v)
                c = diff(before, snapshot(lic))
                if c:
                    upd_licences.append(lic)
                    entries.append(build_entry(actor=actor, action=AuditAction.UPDATE, obj=lic, changes=c, note=note))
                    changed.add(business.pk)
        for s in p.staff:
            key = (business.pk, s["role"], s["name"])
            person = staff.get(key)
            if person is None:
                new_staff.append(Staff(business=business, **s))
                changed.add(business.pk)
            else:
                before = snapshot(person)
                for k, v in s.items():
                    setattr(person, k, v)
                person.active = True
                c = diff(before, snapshot(person))
                if c:
                    upd_staff.append(person)
                    entries.append(
                        build_entry(actor=actor, action=AuditAction.UPDATE, obj=person, changes=c, note=note)
                    )
                    changed.add(business.pk)
    Licence.objects.bulk_create(new_licences, batch_size=1000)
    Licence.objects.bulk_update(
        upd_licences, ["kind", "issued_on", "valid_until", "issuing_authority"], batch_size=1000
    )
    Staff.objects.bulk_create(new_staff, batch_size=1000)
    Staff.objects.bulk_update(upd_staff, ["phone", "phone_hash", "trained_on", "active"], batch_size=1000)
    entries += [
        build_entry(actor=actor, action=AuditAction.CREATE, obj=o, changes=diff({}, snapshot(o)), note=note)
        for o in [*new_licences, *new_staff]
    ]
    return changed


# --- the template and the error report --------------------------------------------------------
def template_xlsx() -> bytes:
    from shian.core.exports import xlsx_bytes

    example = {
        "uscc": make_uscc("91330203MA2AB1C2"),
        "name": "宁波市海曙区示例面馆",
        "type": "餐饮服务",
        "scale": "小型",
        "address": "浙江省宁波市海曙区南门街道中山西路1号",
        "region_code": "330203001",
        "status": "在营",
        "imports_food": "否",
        "chain_headquarters": "否",
        "special_food": "否",
        "canteen_outsourced": "否",
        "latitude": "29.870000",
        "longitude": "121.540000",
        "legal_representative": "张三",
        "contact_phone": "13800000000",
        "licence_number": "JY23302030000018",
        "licence_issued_on": "2024-01-01",
        "licence_valid_until": "2029-01-01",
        "licence_authority": "宁波市海曙区市场监督管理局",
        "officer_name": "李四",
        "officer_phone": "13900000000",
        "officer_trained_on": "2025-06-01",
    }
    return xlsx_bytes(_("Businesses"), [c.label for c in COLUMNS], [[example.get(c.key, "") for c in COLUMNS]])


def error_report_xlsx(run: ImportRun) -> bytes:
    from shian.core.exports import xlsx_bytes

    rows = [[e["row"] or "", e["column"], e["value"], e["message"]] for e in run.errors]
    return xlsx_bytes(_("Errors"), [_("Row"), _("Column"), _("Value"), _("Error")], rows)
