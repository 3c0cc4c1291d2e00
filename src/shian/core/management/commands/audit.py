"""`shian audit verify|anchor|export|archive`: the audit log's hash chain, its anchors, and keeping it.

verify   check every entry's digest and link and every anchor; exit 1 naming the first bad entry
         (edited, inserted out of order, deleted, or the newest entries deleted after an anchor).
         --file checks an exported or archived file (JSON lines, .gz too) instead of the database.
anchor   append the last entry's id and digest to the anchor file (the scheduler does it hourly).
export   the entries of a period (--since, --until: local dates, both included) to a file: .jsonl
         (every field and digest: verifiable with `verify --file`) or .xlsx (for reading).
archive  the entries up to --until not yet archived in --dir, as a gzip'd JSON-lines file with a
         manifest (first/last id, digests, SHA-256). The log in the database is never deleted by the
         application (retention ≥ 180 days, Cybersecurity Law Art. 21(3)); archives are its copies.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from shian.core import auditchain
from shian.core.context import current_source

EXPORT_FIELDS = (*auditchain.FIELDS, "prev_digest", "digest")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def rows_between(
    using: str, since: dt.datetime | None, until: dt.datetime | None, after_id: int = 0
) -> Iterator[dict[str, Any]]:
    """Entries in id order with since <= at < until (either may be None), after ``after_id``."""
    for row in auditchain._rows(using):
        if row["id"] <= after_id:
            continue
        at = auditchain._at(row["at"])
        if since is not None and at < since:
            continue
        if until is not None and at >= until:
            continue
        yield row


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {f: (auditchain.utc_text(row[f]) if f == "at" else row[f]) for f in EXPORT_FIELDS}


def read_file(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    missing = [k for k in EXPORT_FIELDS if k not in row]
                except ValueError:
                    raise CommandError(f"{path}:{n}: not a JSON line") from None
                if missing:
                    raise CommandError(f"{path}:{n}: not an audit entry (missing {', '.join(missing)})")
                yield row
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None


def _audit_own_export(note: str) -> None:
    """The export of the log is itself an entry of the log."""
    from shian.core.choices import AuditAction
    from shian.core.models import AuditEntry

    token = current_source.set("cli")
    try:
        AuditEntry.objects.create(
            actor=None,
            actor_name="system",
            source="cli",
            action=AuditAction.EXPORT,
            object_type="core.auditentry",
            object_repr="audit log",
            note=note[:2000],
        )
    finally:
        current_source.reset(token)


class Command(BaseCommand):
    help = "The audit log: verify its hash chain, anchor it, export or archive it."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        sub = parser.add_subparsers(dest="subcommand", required=True)
        p = sub.add_parser("verify", help="check the chain and its anchors; exit 1 at the first bad entry")
        p.add_argument("--anchors", help="anchor file (default SHIAN_AUDIT_ANCHOR_FILE)")
        p.add_argument("--file", help="verify an exported/archived JSON-lines file instead of the database")
        p.add_argument("--max-problems", type=int, default=20)
        p = sub.add_parser("anchor", help="append the last entry's digest to the anchor file")
        p.add_argument("--anchors", help="anchor file (default SHIAN_AUDIT_ANCHOR_FILE)")
        p.add_argument("--force", action="store_true", help="write even when nothing was added since")
        p = sub.add_parser("export", help="write the entries of a period to a file (.jsonl or .xlsx)")
        p.add_argument("--since", help="first day (YYYY-MM-DD, local time), default: the first entry")
        p.add_argument("--until", help="last day included (YYYY-MM-DD), default: today")
        p.add_argument("--output", "-o", required=True, help="file to write (.jsonl, .jsonl.gz or .xlsx)")
        p = sub.add_parser("archive", help="archive the entries not archived yet, up to a day, into a folder")
        p.add_argument("--until", required=True, help="last day included (YYYY-MM-DD)")
        p.add_argument("--dir", required=True, help="the archive folder")

    def handle(self, *args, subcommand: str, database: str, **options):
        return getattr(self, f"do_{subcommand}")(database, **options)

    # --- verify -------------------------------------------------------------------------------
    def do_verify(self, using: str, *, anchors=None, file=None, max_problems=20, **_options):
        if file:
            path = Path(file)
            # the entries before a seal entry keep the times they had (core.auditchain.verify_rows)
            sealed = any(r["object_type"] == auditchain.SEAL_OBJECT_TYPE for r in read_file(path))
            report = auditchain.verify_rows(
                read_file(path), expect_prev=None, times_checked=not sealed, max_problems=max_problems
            )
            self._check_manifest(Path(file), report)
            what = f"{file}"
        else:
            report = auditchain.verify(using, anchor_file=anchors, max_problems=max_problems)
            what = f"the audit log ({auditchain.anchor_path(anchors)} for anchors)"
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if report.ok:
            span = f"#…{report.last_id}" if report.last_id is not None else "no entries"
            self.stdout.write(
                f"audit log verified: {report.checked:,} entries ({span}), {report.anchors} anchors, "
                f"in {report.seconds:.1f} s — {what}"
            )
            return
        self.stdout.write(f"{report.total_problems} problem(s) in {what}:")
        for p in report.problems:
            self.stdout.write(f"  - {p.message}")
        if report.total_problems > len(report.problems):
            self.stdout.write(f"  … and {report.total_problems - len(report.problems)} more")
        raise CommandError(f"the audit log was tampered with; first bad entry: {report.first.message}")

    def _check_manifest(self, path: Path, report: auditchain.Report) -> None:
        manifest = path.with_name(path.name + ".manifest.json")
        if not manifest.exists():
            report.warnings.append(f"no manifest {manifest.name}: the file's own digests only")
            return
        data = json.loads(manifest.read_text(encoding="utf-8"))
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        if sha != data.get("sha256"):
            report.add(auditchain.Problem(None, "anchor", f"{path.name}: its SHA-256 differs from the manifest"))
        if report.last_id != data.get("last_id") or report.last_digest != data.get("last_digest"):
            report.add(
                auditchain.Problem(
                    report.last_id,
                    "truncated",
                    f"{path.name}: ends at #{report.last_id}, the manifest at #{data.get('last_id')}",
                )
            )
        if report.checked != data.get("count"):
            report.add(
                auditchain.Problem(
                    None, "truncated", f"{path.name}: {report.checked} entries, the manifest says {data.get('count')}"
                )
            )

    # --- anchor -------------------------------------------------------------------------------
    def do_anchor(self, using: str, *, anchors=None, force=False, **_options):
        anchor = auditchain.write_anchor(using, anchors, force=force)
        target = auditchain.anchor_path(anchors)
        if anchor is None:
            self.stdout.write(f"nothing new to anchor ({target})")
        else:
            self.stdout.write(f"anchored entry #{anchor['id']} ({anchor['count']:,} entries) in {target}")

    # --- export ---------------------------------------------------------------------------------
    def do_export(self, using: str, *, since=None, until=None, output: str, **_options):
        start = _local_midnight(_date(since)) if since else None
        end = _local_midnight(_date(until) + dt.timedelta(days=1)) if until else None
        if start and end and end <= start:
            raise CommandError("--until is before --since")
        path = Path(output)
        rows = rows_between(using, start, end)
        if path.suffix == ".xlsx":
            count = self._write_xlsx(path, rows)
        elif path.name.endswith((".jsonl", ".jsonl.gz")):
            count = self._write_jsonl(path, rows)[0]
        else:
            raise CommandError(f"--output must end in .jsonl, .jsonl.gz or .xlsx, not {path.name!r}")
        _audit_own_export(f"audit log {since or '…'} – {until or '…'}: {count} entries to {path.name}")
        self.stdout.write(f"{count:,} entries written to {path}")

    def _write_jsonl(self, path: Path, rows) -> tuple[int, dict | None, dict | None]:
        opener = gzip.open if path.suffix == ".gz" else open
        count, first, last = 0, None, None
        path.parent.mkdir(parents=True, exist_ok=True)
        with opener(path, "wt", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(_jsonable(row), ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
                first = first or row
                last = row
        return count, first, last

    def _write_xlsx(self, path: Path, rows) -> int:
        from shian.core.exports import xlsx_bytes

        counted = []

        def table():
            for row in rows:
                counted.append(1)
                data = _jsonable(row)
                data["changes"] = json.dumps(data["changes"], ensure_ascii=False, sort_keys=True)
                yield [data[f] for f in EXPORT_FIELDS]

        content = xlsx_bytes("audit", list(EXPORT_FIELDS), table())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return len(counted)

    # --- archive --------------------------------------------------------------------------------
    def do_archive(self, using: str, *, until: str, dir: str, **_options):  # noqa: A002 - the option's name
        folder = Path(dir)
        folder.mkdir(parents=True, exist_ok=True)
        manifests = sorted(folder.glob("audit-*.jsonl.gz.manifest.json"))
        after_id, after_digest = 0, auditchain.GENESIS
        for m in manifests:
            data = json.loads(m.read_text(encoding="utf-8"))
            if data["last_id"] > after_id:
                after_id, after_digest = data["last_id"], data["last_digest"]
        end = _local_midnight(_date(until) + dt.timedelta(days=1))
        rows = rows_between(using, None, end, after_id=after_id)
        tmp = folder / f".audit-{until}.partial.jsonl.gz"
        count, first, last = self._write_jsonl(tmp, rows)
        if not count:
            tmp.unlink()
            self.stdout.write(f"nothing to archive up to {until} (archived up to entry #{after_id})")
            return
        if first["prev_digest"] != after_digest:
            tmp.unlink()
            raise CommandError(
                f"entry #{first['id']} does not follow the last archive (entry #{after_id}): run `shian audit verify`"
            )
        name = f"audit-{first['id']:010d}-{last['id']:010d}.jsonl.gz"
        target = folder / name
        tmp.rename(target)
        manifest = {
            "file": name,
            "count": count,
            "first_id": first["id"],
            "first_prev_digest": first["prev_digest"],
            "last_id": last["id"],
            "last_digest": last["digest"],
            "first_at": auditchain.utc_text(first["at"]),
            "last_at": auditchain.utc_text(last["at"]),
            "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
            "until": until,
        }
        (folder / f"{name}.manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _audit_own_export(f"audit log archived up to {until}: {count} entries to {name}")
        self.stdout.write(f"{count:,} entries (#{first['id']}–#{last['id']}) archived to {target}")
