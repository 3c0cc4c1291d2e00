"""Backup and restore: the database and the uploaded files in one archive, with a manifest.

An archive is a tar file (gzip-compressed unless asked otherwise) holding

- ``database/shian.sqlite3`` (SQLite: a copy made with SQLite's online backup API, so it is consistent
  while the server runs and includes what is still in the WAL) or ``database/shian.pgdump``
  (PostgreSQL: ``pg_dump --format=custom`` of a snapshot exported by this process);
- ``media/…``: every file under MEDIA_ROOT (hazard evidence, inspection photos and signatures, imports
  waiting for their job);
- ``manifest.json`` (last): format, ShiAn version, database vendor, the migrations applied in the copied
  database, creation time (UTC), and the size and SHA-256 of every other member.

Restore reads the whole archive into a staging folder first, checking every member against the manifest,
the database vendor and the schema (an archive with migrations this code does not know is refused), and
only then replaces the database (atomically: a rename on SQLite, one transaction on PostgreSQL) and the
uploaded files, and runs ``migrate`` to bring an older archive forward. Any error before that point leaves
the installation exactly as it was.

The checksums detect a damaged or truncated archive, not a forged one: keep archives where only the
operators can write, and encrypt them at rest (see docs/security.md, "Backup and restore")."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

import shian

FORMAT = "shian-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/shian.sqlite3", "postgresql": "database/shian.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MEDIA_PREFIX = "media/"
SUFFIXES = {True: ".tar.gz", False: ".tar"}
GZIP_LEVEL = 1  # the database is most of the archive; level 1 compresses it ~4x at several times level 6's speed
CHUNK = 1024 * 1024
STAGING_PREFIX = ".shian-restore-"
AUDIT_TRIGGERS = {
    "sqlite": ("core_auditentry_no_update", "core_auditentry_no_delete"),
    "postgresql": ("core_auditentry_append_only",),
}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says what and where, for the operator."""


Report = Callable[[str], None]


def quiet(message: str) -> None:
    pass


def reporter(out: Report, err: Report, verbose: bool) -> Report:
    """Progress to ``out`` when verbose; warnings (they start with "WARNING") always, to ``err``."""

    def report(message: str) -> None:
        if message.startswith("WARNING"):
            err(message)
        elif verbose:
            out(message)

    return report


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    size_bytes: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step


@dataclass
class RestoreResult:
    manifest: dict
    seconds: float
    migrations_applied: list[str] = field(default_factory=list)
    triggers_recreated: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step


class _Clock:
    """Seconds per step, for the report and the benchmark."""

    def __init__(self):
        self.timings: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, step: str) -> None:
        now = time.monotonic()
        self.timings[step] = round(self.timings.get(step, 0) + now - self._last, 2)
        self._last = now


# --- small helpers ---------------------------------------------------------------------------------
def _vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _migration_key(app: str, name: str) -> str:
    return f"{app}.{name}"


def known_migrations() -> set[str]:
    """Every migration this code has on disk, as ``app.name``."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {_migration_key(app, name) for app, name in loader.disk_migrations}


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file::memory:") or "mode=memory" in name:
        raise BackupError("The configured SQLite database is in memory: there is no file to back up or restore.")
    return Path(name).resolve()


def default_archive_name(compress: bool = True) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"shian-backup-{stamp}{SUFFIXES[compress]}"


# --- backup ----------------------------------------------------------------------------------------
def _dump_sqlite(target: Path) -> tuple[list[str], str]:
    """A consistent copy of the live database (WAL included) in ``target``; its applied migrations and the
    result of SQLite's quick_check on the copy ("ok"). The check is made here, not at restore: the checksums
    then prove that what is restored is this checked copy, and the restore is that much shorter."""
    source_path = _sqlite_path()
    if not source_path.exists():
        raise BackupError(f"The SQLite database {source_path} does not exist (SHIAN_DATA_DIR / SHIAN_DATABASE_URL).")
    source = sqlite3.connect(source_path, timeout=60)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one step: one read transaction, so one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
            rows = copy.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
            check = "; ".join(str(row[0]) for row in copy.execute("PRAGMA quick_check(20)").fetchall())
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"Copying the SQLite database {source_path} failed: {exc}") from exc
        finally:
            copy.close()
    finally:
        source.close()
    return [_migration_key(app, name) for app, name in rows], check


def _client_major(program: str) -> int:
    out = subprocess.run([program, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if not found:
        raise BackupError(f"Could not read the version of {program} ({out.strip() or 'no output'}).")
    return int(found.group(1))


def _pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore, psql), suited to the server."""
    path = shutil.which(name)
    server_major = connection.pg_version // 10000
    if not path:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL {server_major} client tools "
            f"(Debian/Ubuntu: postgresql-client-{server_major}) or put their bin folder on PATH."
        )
    client_major = _client_major(path)
    if client_major < server_major:
        raise BackupError(
            f"{path} is version {client_major}, older than the PostgreSQL {server_major} server: put the "
            f"client tools of version {server_major} or newer first on PATH (Debian: /usr/lib/postgresql/"
            f"{server_major}/bin)."
        )
    return path


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database; the password never appears on a command line."""
    s = connection.settings_dict
    env = dict(os.environ)
    values = {
        "PGHOST": s.get("HOST"),
        "PGPORT": s.get("PORT"),
        "PGUSER": s.get("USER"),
        "PGPASSWORD": s.get("PASSWORD"),
        "PGDATABASE": s.get("NAME"),
        "PGSSLMODE": (s.get("OPTIONS") or {}).get("sslmode"),
        "PGCONNECT_TIMEOUT": "10",
        "PGAPPNAME": "shian-backup",
    }
    env.update({k: str(v) for k, v in values.items() if v not in (None, "")})
    return env


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _dump_postgresql(target: Path) -> list[str]:
    """``pg_dump --format=custom`` of a snapshot this process exports, so the migrations read here are
    exactly those of the dump."""
    pg_dump = _pg_tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = [_migration_key(app, name) for app, name in cursor.fetchall()]
        result = subprocess.run(  # noqa: S603 - our own argv
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={target}"],
            env=_pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {result.returncode}):\n{_tail(result.stderr)}")
    return migrations


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(member name, path) of every regular file under MEDIA_ROOT, in a stable order."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((STAGING_PREFIX, ".shian-backup-")))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            yield MEDIA_PREFIX + path.relative_to(root).as_posix(), path


class _HashingReader:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, f, digest):
        self.f, self.digest = f, digest

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    digest = hashlib.sha256()
    with path.open("rb") as f:
        tar.addfile(info, _HashingReader(f, digest))
    return {"size": info.size, "sha256": digest.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _archive_target(path: Path, compress: bool, overwrite: bool) -> Path:
    if path.is_dir():
        path = path / default_archive_name(compress)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} already exists: choose another name or pass --force to replace it.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if path.parent == media_root or media_root in path.parents:
        raise BackupError(
            f"{path} is inside the uploaded files' folder {media_root}: write the archive somewhere else, or each "
            "backup would hold the previous ones."
        )
    return path


def record(action: str, archive: str | os.PathLike, note: str, warn: Report = quiet) -> None:
    """One audit entry for a backup written or restored (等保 8.1.4.3: the operator's account, the time, what
    was done). Made by the command line, so the actor is the operating-system account that ran it; a restore
    writes its entry into the restored database, after the migrations, where the chain goes on from the
    archive's last entry."""
    import getpass

    from .models import AuditEntry

    try:
        operator = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        operator = str(os.getuid())
    try:
        AuditEntry.objects.create(
            actor=None,
            actor_name=f"cli:{operator}"[:150],
            source="cli",
            action=action,
            object_type="core.backup",
            object_repr=str(archive)[-255:],
            note=note,
        )
    except DatabaseError as exc:  # a database without the audit log yet (before `migrate`): the work is done
        warn(f"Done, but it could not be recorded in the audit log ({exc}).")


def backup_create(
    path: str | os.PathLike,
    *,
    compress: bool = True,
    include_media: bool = True,
    overwrite: bool = False,
    report: Report = quiet,
) -> BackupResult:
    """Write the database and the uploaded files to one archive at ``path`` (a file, or a folder to put
    ``shian-backup-<UTC time>.tar.gz`` in). The archive appears under its name only when complete."""
    try:
        return _backup_create(path, compress=compress, include_media=include_media, overwrite=overwrite, report=report)
    except OSError as exc:  # a full disk, a folder we may not write in
        raise BackupError(f"Writing the backup failed ({exc}); no archive was written.") from exc
    except DatabaseError as exc:  # the database cannot be reached or read
        raise BackupError(f"The configured database cannot be read ({exc}); no archive was written.") from exc


def _backup_create(
    path: str | os.PathLike,
    *,
    compress: bool = True,
    include_media: bool = True,
    overwrite: bool = False,
    report: Report = quiet,
) -> BackupResult:
    started = time.monotonic()
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    target = _archive_target(Path(path).expanduser().resolve(), compress, overwrite)
    media_root = Path(settings.MEDIA_ROOT).resolve()
    members: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix=".shian-backup-", dir=target.parent) as staging:
        dump = Path(staging) / PurePosixPath(DATABASE_MEMBERS[vendor]).name
        report(f"Copying the {_vendor_name(vendor)} database …")
        clock = _Clock()
        database: dict = {"vendor": vendor, "member": DATABASE_MEMBERS[vendor]}
        if vendor == "sqlite":
            migrations, database["quick_check"] = _dump_sqlite(dump)
            if database["quick_check"] != "ok":
                report(
                    f"WARNING: the database fails SQLite's quick_check ({database['quick_check'][:300]}): it is "
                    "damaged, and this archive holds the damage. Keep the previous archives."
                )
        else:
            migrations = _dump_postgresql(dump)
        clock.lap("database")
        if vendor == "postgresql":
            database["server_version"] = connection.pg_version
            database["pg_dump_major"] = _client_major(_pg_tool("pg_dump"))
        partial = Path(staging) / ("archive" + SUFFIXES[compress])
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # personal data: owner only
        with os.fdopen(fd, "wb") as raw:
            options = {"compresslevel": GZIP_LEVEL} if compress else {}
            with tarfile.open(
                fileobj=raw, mode="w:gz" if compress else "w", format=tarfile.PAX_FORMAT, **options
            ) as tar:
                report("Writing the archive: database …")
                members[DATABASE_MEMBERS[vendor]] = _add_file(tar, DATABASE_MEMBERS[vendor], dump)
                media_count = media_bytes = 0
                if include_media:
                    report(f"Writing the archive: uploaded files from {media_root} …")
                    for name, file_path in _media_files(media_root):
                        try:
                            members[name] = _add_file(tar, name, file_path)
                        except FileNotFoundError:  # deleted since the folder was listed
                            report(f"  {file_path} was deleted during the backup: not in the archive.")
                            continue
                        media_count += 1
                        media_bytes += members[name]["size"]
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "shian_version": shian.__version__,
                    "created_at": _utc_now(),
                    "database": database,
                    "migrations": migrations,
                    "media": {"included": include_media, "files": media_count, "bytes": media_bytes},
                    "members": members,
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode())
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
        clock.lap("archive")
    return BackupResult(target, manifest, target.stat().st_size, time.monotonic() - started, clock.timings)


# --- reading and checking an archive ---------------------------------------------------------------
def _safe_member_name(name: str) -> PurePosixPath:
    """The member's path if it is one an archive of ours may hold; else BackupError (no ../, no /abs)."""
    path = PurePosixPath(name)
    if (
        name != path.as_posix()
        or path.is_absolute()
        or any(part in {"", ".", ".."} for part in path.parts)
        or "\\" in name
        or "\x00" in name
    ):
        raise BackupError(f"The archive holds a member with an unsafe name: {name!r}. It is not a ShiAn backup.")
    if name != MANIFEST and (len(path.parts) < 2 or path.parts[0] not in {"database", "media"}):
        raise BackupError(f"The archive holds an unexpected member {name!r}: it is not a ShiAn backup.")
    return path


class _StagingWriteError(Exception):
    pass


def _write(out, block: bytes, staging: Path) -> None:
    try:
        out.write(block)
    except OSError as exc:  # a full disk is not a damaged archive
        raise _StagingWriteError(
            f"Unpacking into {staging} failed ({exc}): is the disk full? Nothing was changed."
        ) from exc


def _extract(archive: Path, staging: Path, report: Report) -> tuple[dict, dict[str, dict]]:
    """Every member of ``archive`` into ``staging`` (hashed on the way); returns (manifest, what was read)."""
    seen: dict[str, dict] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, mode="r|*") as tar:
            for info in tar:
                name = info.name
                _safe_member_name(name)
                if name in seen or (name == MANIFEST and manifest_bytes is not None):
                    raise BackupError(f"The archive holds {name!r} twice: it is not a ShiAn backup.")
                if not info.isfile():
                    raise BackupError(f"The archive member {name!r} is not a regular file: it is not a ShiAn backup.")
                source = tar.extractfile(info)
                if name == MANIFEST:
                    if info.size > 64 * 1024 * 1024:
                        raise BackupError("The archive's manifest is implausibly large: it is not a ShiAn backup.")
                    manifest_bytes = source.read()
                    continue
                if manifest_bytes is not None:
                    raise BackupError(f"The archive has a member ({name!r}) after its manifest: not a ShiAn backup.")
                target = staging.joinpath(*PurePosixPath(name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with target.open("xb") as out:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        _write(out, block, staging)
                        size += len(block)
                seen[name] = {"size": size, "sha256": digest.hexdigest()}
    except _StagingWriteError as exc:
        raise BackupError(str(exc)) from exc
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(
            f"{archive} cannot be read to the end ({exc.__class__.__name__}: {exc}): the archive is truncated, "
            "damaged or not a ShiAn backup. Nothing was changed."
        ) from exc
    if manifest_bytes is None:
        raise BackupError(f"{archive} has no {MANIFEST}: it is incomplete or not a ShiAn backup. Nothing was changed.")
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"The manifest of {archive} is not valid JSON ({exc}). Nothing was changed.") from exc
    return manifest, seen


def check_manifest(manifest: dict, seen: dict[str, dict]) -> None:
    """The manifest is ours, complete, and every member read matches its size and SHA-256."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("The manifest does not describe a ShiAn backup (format). Nothing was changed.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"The archive's format version {version!r} is newer than this ShiAn understands ({FORMAT_VERSION}): "
            f"restore it with ShiAn {manifest.get('shian_version', '?')} or newer. Nothing was changed."
        )
    required = {"shian_version": str, "created_at": str, "database": dict, "migrations": list, "members": dict}
    for key, kind in required.items():
        if not isinstance(manifest.get(key), kind):
            raise BackupError(f"The manifest lacks a valid {key!r}. Nothing was changed.")
    if not all(isinstance(m, str) for m in manifest["migrations"]):
        raise BackupError("The manifest's migrations are not a list of names. Nothing was changed.")
    database = manifest["database"]
    if database.get("vendor") not in DATABASE_MEMBERS or database.get("member") != DATABASE_MEMBERS[database["vendor"]]:
        raise BackupError("The manifest's database entry is not valid. Nothing was changed.")
    expected = manifest["members"]
    if database["member"] not in expected:
        raise BackupError(f"The manifest does not list the database dump {database['member']!r}. Nothing was changed.")
    missing = sorted(set(expected) - set(seen))
    extra = sorted(set(seen) - set(expected))
    if missing:
        raise BackupError(
            f"The archive lacks {len(missing)} member(s) its manifest lists, e.g. {missing[0]!r}: it is incomplete. "
            "Nothing was changed."
        )
    if extra:
        raise BackupError(
            f"The archive holds member(s) its manifest does not list, e.g. {extra[0]!r}. Nothing was changed."
        )
    for name, got in seen.items():
        want = expected[name]
        if not isinstance(want, dict) or want.get("sha256") != got["sha256"] or want.get("size") != got["size"]:
            raise BackupError(
                f"Checksum mismatch for {name!r}: the archive is damaged (SHA-256 {got['sha256'][:16]}…, manifest "
                f"{str((want or {}).get('sha256'))[:16]}…). Nothing was changed."
            )


def check_compatible(manifest: dict) -> None:
    """Same database vendor as configured, and no migration this code does not know."""
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"The archive holds a {_vendor_name(vendor)} database, but the configured database is "
            f"{_vendor_name(connection.vendor)} (SHIAN_DATABASE_URL). Restore it where the configured database is "
            f"{_vendor_name(vendor)}. Nothing was changed."
        )
    known = known_migrations()
    unknown = [m for m in manifest["migrations"] if m not in known]
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise BackupError(
            f"The archive was made by a newer ShiAn ({manifest['shian_version']}, this is {shian.__version__}): its "
            f"database has migrations this code does not know ({shown}). Upgrade ShiAn, then restore. "
            "Nothing was changed."
        )


def read_archive(archive: str | os.PathLike, staging: Path, report: Report = quiet) -> dict:
    """Extract and check an archive into ``staging``; returns the manifest. Touches nothing else."""
    archive = Path(archive).expanduser().resolve()
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file.")
    report(f"Reading and checking {archive} …")
    manifest, seen = _extract(archive, staging, report)
    check_manifest(manifest, seen)
    return manifest


# --- restore ---------------------------------------------------------------------------------------
def _check_staged_sqlite(path: Path, manifest: dict, report: Report) -> None:
    """The unpacked database opens and agrees with the manifest (its integrity was checked at backup, and
    the checksums prove it is that copy)."""
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"The archive's SQLite database cannot be read ({exc}). Nothing was changed.") from exc
    check = manifest["database"].get("quick_check", "ok")
    if check != "ok":
        report(f"WARNING: the database was already damaged when it was backed up (quick_check: {check[:300]}).")
    if [_migration_key(app, name) for app, name in rows] != manifest["migrations"]:
        raise BackupError(
            "The archive's database and its manifest disagree on the applied migrations. Nothing was changed."
        )


def processes_using(path: Path) -> list[str]:
    """Other processes that have the SQLite database (or its -wal/-shm) open, as "pid (command)": Linux's
    /proc, for the processes this user may see; an empty list elsewhere."""
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in names for fd in (entry / "fd").iterdir()):
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                found.append(f"{entry.name} ({command[:80]})")
        except OSError:  # gone, or not ours to look at
            continue
    return found


def _refuse_if_open(live: Path) -> None:
    using = processes_using(live)
    if using:
        raise BackupError(
            f"The database {live} is open in other processes: {'; '.join(using[:5])}. Stop the server, the worker "
            "and the scheduler, then restore again. Nothing was changed."
        )


def _restore_sqlite(staged: Path) -> None:
    """Put the checked database in the live one's place with an atomic rename, after folding the live
    database's WAL into it and removing its -wal/-shm (a stale WAL must never be replayed onto the restored
    file). Refused while another process has the database open: its writes would go to the replaced file."""
    live = _sqlite_path()
    connections.close_all()
    _refuse_if_open(live)
    live.parent.mkdir(parents=True, exist_ok=True)
    if live.exists():
        try:
            db = sqlite3.connect(live, timeout=60)
            try:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
        except sqlite3.DatabaseError:
            pass  # a damaged live database is what one restores over
        info = live.stat()
        os.chmod(staged, info.st_mode & 0o7777)
        if os.geteuid() == 0:
            os.chown(staged, info.st_uid, info.st_gid)
    if staged.stat().st_dev != live.parent.stat().st_dev:  # another filesystem: copy beside it first
        tmp = live.with_name(f"{STAGING_PREFIX}{live.name}")
        shutil.copy2(staged, tmp)
        staged = tmp
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{live}{suffix}")
    os.replace(staged, live)


# Drops every table, view, sequence and function of the public schema (extensions' objects aside), so that
# a table created by a migration newer than the archive does not survive and make `migrate` fail.
PG_PRELUDE = """
SET lock_timeout = '60s';
DO $shian$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.oid::regclass::text AS name, c.relkind FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE 'DROP ' || CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
      WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END || ' IF EXISTS ' || r.name || ' CASCADE';
  END LOOP;
  -- the sequences left once the tables (and the sequences they own) are gone
  FOR r IN
    SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'S'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('e', 'i', 'a'))
  LOOP
    EXECUTE 'DROP SEQUENCE IF EXISTS ' || r.name || ' CASCADE';
  END LOOP;
  FOR r IN
    SELECT p.oid::regprocedure::text AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE 'DROP ROUTINE IF EXISTS ' || r.name || ' CASCADE';
  END LOOP;
END
$shian$;
"""


def _check_staged_postgresql(path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own argv
        [_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read the archive's dump:\n{_tail(result.stderr)}\nNothing was changed.")


def _restore_postgresql(staged: Path, staging: Path) -> None:
    """pg_restore --clean --if-exists into the configured database, run by psql in ONE transaction after
    the prelude above: the database is either wholly restored or left as it was."""
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    prelude = staging / "prelude.sql"
    prelude.write_text(PG_PRELUDE)
    connections.close_all()
    env = _pg_env()
    restore_cmd = [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file=-", str(staged)]
    psql_cmd = [psql, "-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    psql_cmd += ["-f", str(prelude), "-f", "-"]
    errors = staging / "pg_restore.err"  # a file, not a pipe: pg_restore must never block on its stderr
    with (
        errors.open("wb") as err,
        subprocess.Popen(restore_cmd, env=env, stdout=subprocess.PIPE, stderr=err) as producer,  # noqa: S603 - our own argv
    ):
        consumer = subprocess.run(  # noqa: S603
            psql_cmd, env=env, stdin=producer.stdout, capture_output=True, text=True, check=False
        )
        producer.stdout.close()
        producer.wait()
    producer_err = errors.read_text(errors="replace")
    if consumer.returncode != 0 or producer.returncode != 0:
        detail = _tail(consumer.stderr) or _tail(producer_err)
        raise BackupError(
            f"Restoring into PostgreSQL failed and was rolled back (psql exit {consumer.returncode}, pg_restore exit "
            f"{producer.returncode}):\n{detail}"
        )


def _swap_media(staged_media: Path, media_root: Path, parking: Path) -> None:
    """Put the archive's files in MEDIA_ROOT's place (two renames on one filesystem); the old files go."""
    staged_media.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0 and media_root.exists():  # restored by root: the files stay the server user's
        owner = media_root.stat()
        for dirpath, _dirnames, filenames in os.walk(staged_media):
            for name in [dirpath, *(os.path.join(dirpath, f) for f in filenames)]:
                os.chown(name, owner.st_uid, owner.st_gid)
    try:
        if media_root.exists():
            os.replace(media_root, parking)
        os.replace(staged_media, media_root)
    except OSError:  # MEDIA_ROOT is a mount point, or on another filesystem: move what is inside instead
        media_root.mkdir(parents=True, exist_ok=True)
        parking.mkdir(exist_ok=True)
        for child in list(media_root.iterdir()):
            shutil.move(str(child), str(parking / child.name))
        for child in list(staged_media.iterdir()):
            shutil.move(str(child), str(media_root / child.name))


def audit_triggers_present() -> list[str]:
    """The audit log's append-only triggers that exist in the configured database."""
    names = AUDIT_TRIGGERS.get(connection.vendor, ())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditentry'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditentry'::regclass AND NOT tgisinternal"
            )
        found = {row[0] for row in cursor.fetchall()}
    return [n for n in names if n in found]


def _ensure_audit_triggers() -> list[str]:
    """Re-create the audit log's append-only triggers if the restored database lacks them (an archive of a
    database whose triggers were dropped must not come back unprotected). Returns those re-created."""
    missing = [n for n in AUDIT_TRIGGERS.get(connection.vendor, ()) if n not in audit_triggers_present()]
    if not missing:
        return []
    migration = importlib.import_module("shian.core.migrations.0003_audit_append_only")
    statements = migration.SQLITE if connection.vendor == "sqlite" else migration.POSTGRES
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            if connection.vendor == "sqlite":
                statement = statement.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1)
            elif statement.startswith("CREATE TRIGGER"):
                cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry")
            cursor.execute(statement)
    still = [n for n in AUDIT_TRIGGERS[connection.vendor] if n not in audit_triggers_present()]
    if still:
        raise BackupError(f"The audit log's append-only triggers are missing after restore: {', '.join(still)}.")
    return missing


def _make_staging(media_root: Path) -> Path:
    """A fresh folder beside MEDIA_ROOT (so the files move in with a rename) to unpack into."""
    try:
        media_root.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=media_root.parent))
    except OSError as exc:
        raise BackupError(
            f"Cannot create a staging folder in {media_root.parent} ({exc}). Nothing was changed."
        ) from exc


def restore_archive(archive: str | os.PathLike, *, migrate: bool = True, report: Report = quiet) -> RestoreResult:
    """Replace the configured database and the uploaded files with an archive's, after checking it all."""
    try:
        return _restore_archive(archive, migrate=migrate, report=report)
    except OSError as exc:  # what the steps above did not foresee: say it plainly, without a traceback
        raise BackupError(f"The restore failed: {exc}") from exc
    except DatabaseError as exc:
        raise BackupError(
            f"The configured database cannot be reached ({exc}). On PostgreSQL, create the (empty) database "
            "first, e.g. `createdb shian`, then restore."
        ) from exc


def _restore_archive(archive: str | os.PathLike, *, migrate: bool, report: Report) -> RestoreResult:
    from django.core.management import call_command
    from django.db.migrations.recorder import MigrationRecorder

    started = time.monotonic()
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Restore supports SQLite and PostgreSQL, not {vendor}.")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if vendor == "sqlite":
        _refuse_if_open(_sqlite_path())  # before minutes of unpacking, and again just before the swap
    staging = _make_staging(media_root)
    clock = _Clock()
    try:
        manifest = read_archive(archive, staging, report)
        clock.lap("read")
        check_compatible(manifest)
        dump = staging.joinpath(*PurePosixPath(manifest["database"]["member"]).parts)
        if vendor == "sqlite":
            _check_staged_sqlite(dump, manifest, report)
        else:
            _check_staged_postgresql(dump)
        clock.lap("check")
        report(
            f"The archive is sound: {_vendor_name(vendor)} database and {len(manifest['members']) - 1} uploaded "
            f"file(s), made {manifest['created_at']} by ShiAn {manifest['shian_version']}."
        )
        report("Restoring the database …")
        if vendor == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump, staging)
        clock.lap("database")
        if manifest.get("media", {}).get("included", True):
            report(f"Restoring the uploaded files into {media_root} …")
            _swap_media(staging / "media", media_root, staging / "previous-media")
        else:
            report("The archive holds no uploaded files (made with --no-media): the current files are kept.")
        clock.lap("media")
        connections.close_all()
        applied: list[str] = []
        if migrate:
            before = set(MigrationRecorder(connection).applied_migrations())
            call_command("migrate", interactive=False, verbosity=0)
            after = set(MigrationRecorder(connection).applied_migrations())
            applied = sorted(_migration_key(app, name) for app, name in after - before)
            if applied:
                report(f"Brought the schema forward: {len(applied)} migration(s) applied ({', '.join(applied[:5])}…).")
        clock.lap("migrate")
        recreated = _ensure_audit_triggers()
        if recreated:
            report(f"Re-created the audit log's append-only triggers the archive lacked: {', '.join(recreated)}.")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(manifest, time.monotonic() - started, applied, recreated, clock.timings)
