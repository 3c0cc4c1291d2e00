"""`shian backup` / `shian restore` end to end, as an operator runs them: a tiny demo city in a data dir of
its own (SQLite; PostgreSQL in a database of its own when the suite runs on PostgreSQL), backed up,
damaged, restored, and compared table by table (row count + a checksum of the sorted rows, and the schema
with its triggers) and file by file. A refused restore must leave the database and the files as they were."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest

from shian import cli
from shian.core import backup

pytestmark = pytest.mark.xdist_group("backup")  # the module's demo city is built once


# --- running shian as an operator would ------------------------------------------------------------
def environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIAN_")} | {"SHIAN_DATA_DIR": str(data_dir)}
    if database_url:
        env["SHIAN_DATABASE_URL"] = database_url
    return env


def shian(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(cli.shian_argv(*args), env=env, capture_output=True, text=True, timeout=600)


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def refused(result: subprocess.CompletedProcess, *phrases: str) -> str:
    assert result.returncode != 0, result.stdout[-3000:]
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result.stderr


# --- what is compared ------------------------------------------------------------------------------
def _rows_digest(rows) -> tuple[int, str]:
    digest = hashlib.sha256()
    for line in sorted(repr(tuple(row)) for row in rows):
        digest.update(line.encode())
        digest.update(b"\n")
    return len(rows), digest.hexdigest()


def sqlite_fingerprint(path: Path) -> dict:
    """Every table's (row count, checksum of its sorted rows), and the schema (tables, indexes, triggers)."""
    db = sqlite3.connect(path)
    try:
        schema = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        # virtual tables (the FTS5 search index) cannot be scanned: their shadow tables hold their content
        tables = [name for kind, name, _t, sql in schema if kind == "table" and not sql.startswith("CREATE VIRTUAL")]
        query = 'SELECT * FROM "{}"'  # table names from sqlite_master
        # the entries that `shian backup` and `shian restore` write about themselves are not the data backed up
        own = "SELECT * FROM core_auditentry WHERE object_type != 'core.backup'"
        rows = {
            table: _rows_digest(db.execute(own if table == "core_auditentry" else query.format(table)).fetchall())
            for table in tables
        }
    finally:
        db.close()
    return {"schema": schema, "tables": rows}


def media_fingerprint(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def state(data_dir: Path) -> tuple[dict, dict]:
    return sqlite_fingerprint(data_dir / "shian.sqlite3"), media_fingerprint(data_dir / "media")


def assert_audit_log_append_only(db_path: Path) -> None:
    """The triggers are there, and (when the log has rows) they refuse a change."""
    db = sqlite3.connect(db_path)
    try:
        triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'core_auditentry'")}
        assert {"core_auditentry_no_update", "core_auditentry_no_delete"} <= triggers
        if db.execute("SELECT count(*) FROM core_auditentry").fetchone() == (0,):
            return
        for statement in ("UPDATE core_auditentry SET note = 'forged'", "DELETE FROM core_auditentry"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(statement)
    finally:
        db.close()


def mutate(data_dir: Path) -> None:
    """What an accident or an attacker does: rows changed and deleted, the audit log's protection dropped
    and the log emptied, a stray table, uploaded files changed, deleted and added."""
    db = sqlite3.connect(data_dir / "shian.sqlite3")
    with db:
        db.execute(
            "UPDATE registry_business SET name = 'mutated' WHERE id IN (SELECT id FROM registry_business LIMIT 7)"
        )
        db.execute("DELETE FROM registry_licence WHERE id IN (SELECT id FROM registry_licence LIMIT 5)")
        db.execute("DROP TRIGGER core_auditentry_no_delete")
        db.execute("DROP TRIGGER core_auditentry_no_update")
        db.execute("DELETE FROM core_auditentry")
        db.execute("CREATE TABLE stray (x INTEGER)")
    db.close()
    files = sorted(p for p in (data_dir / "media").rglob("*") if p.is_file())
    assert len(files) >= 2
    files[0].write_bytes(b"changed")
    files[1].unlink()
    (data_dir / "media" / "stray.png").write_bytes(b"\x89PNG stray")


def no_staging_left(data_dir: Path) -> bool:
    return not [p for p in data_dir.iterdir() if p.name.startswith((".shian-restore-", ".shian-backup-"))]


# --- fixtures: one demo city, one archive of it ----------------------------------------------------
@pytest.fixture(scope="module")
def city_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("city")
    ok(shian(environment(data_dir), "demo", "--size", "tiny", "--no-serve"))
    tables = sqlite_fingerprint(data_dir / "shian.sqlite3")["tables"]
    assert tables["registry_business"][0] > 0 and tables["core_auditentry"][0] > 0  # a city, not an empty database
    assert media_fingerprint(data_dir / "media"), "the demo city has uploaded files"
    return data_dir


@pytest.fixture(scope="module")
def archive(city_dir, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("archives") / "city.tar.gz"
    out = ok(shian(environment(city_dir), "backup", str(path))).stdout
    assert "Backup written" in out
    return path


@pytest.fixture
def site(city_dir, tmp_path) -> Path:
    """A copy of the demo city's data dir for one test to restore into."""
    data_dir = tmp_path / "site"
    shutil.copytree(city_dir, data_dir)
    return data_dir


# --- the round trip --------------------------------------------------------------------------------
def test_backup_then_restore_gives_back_every_row_and_file(city_dir, archive, site):
    original = state(city_dir)
    assert state(site) == original
    mutate(site)
    assert state(site) != original

    out = ok(shian(environment(site), "restore", str(archive), "--yes")).stdout
    assert "Restored" in out and "0 migration(s) applied" in out

    assert state(site) == original  # every table's rows, the schema, every uploaded file byte for byte
    assert not (site / "media" / "stray.png").exists()
    assert_audit_log_append_only(site / "shian.sqlite3")
    assert no_staging_left(site)


def backup_entries(data_dir: Path) -> list[tuple]:
    db = sqlite3.connect(data_dir / "shian.sqlite3")
    try:
        return db.execute(
            "SELECT action, actor_name, source, object_repr, note FROM core_auditentry "
            "WHERE object_type = 'core.backup' ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def test_backup_and_restore_are_audited_and_the_chain_still_verifies(city_dir, archive, site):
    made = backup_entries(city_dir)
    assert made and made[-1][0] == "backup" and made[-1][1].startswith("cli:") and made[-1][2] == "cli"
    assert made[-1][3].endswith("city.tar.gz") and "uploaded file(s)" in made[-1][4]

    ok(shian(environment(site), "restore", str(archive), "--yes"))

    restored = backup_entries(site)  # the archive was made before its own entry: only the restore is in it
    assert [e[0] for e in restored] == ["restore"]
    assert restored[0][3].endswith("city.tar.gz") and "archive made" in restored[0][4]
    verified = shian(environment(site), "audit", "verify")
    assert verified.returncode == 0, verified.stdout[-2000:] + verified.stderr[-2000:]


def test_restore_onto_a_machine_that_lost_everything(city_dir, archive, site):
    original = state(city_dir)
    for name in ("shian.sqlite3", "shian.sqlite3-wal", "shian.sqlite3-shm"):
        (site / name).unlink(missing_ok=True)
    shutil.rmtree(site / "media")

    ok(shian(environment(site), "restore", str(archive), "--yes"))

    assert state(site) == original
    assert_audit_log_append_only(site / "shian.sqlite3")


def test_the_manifest_describes_the_archive(city_dir, archive):
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        assert names[-1] == "manifest.json"
        for name, entry in manifest["members"].items():
            data = tar.extractfile(name).read()
            assert entry == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for member in tar.getmembers():
            assert member.mode == 0o600
    assert set(names) == {"manifest.json", *manifest["members"]}
    assert manifest["format"] == "shian-backup" and manifest["database"]["vendor"] == "sqlite"
    assert manifest["created_at"].endswith("Z")
    db = sqlite3.connect(city_dir / "shian.sqlite3")
    applied = [f"{a}.{n}" for a, n in db.execute("SELECT app, name FROM django_migrations ORDER BY id")]
    db.close()
    assert manifest["migrations"] == applied
    assert {f"media/{p}" for p in media_fingerprint(city_dir / "media")} == {
        n for n in manifest["members"] if n.startswith("media/")
    }
    assert oct(archive.stat().st_mode & 0o777) == oct(0o600)  # personal data: readable by the owner only


def test_a_backup_taken_while_another_process_writes_is_consistent(city_dir, site, tmp_path):
    """The online backup API copies a snapshot, WAL included: a write still in the WAL is in the archive."""
    db = sqlite3.connect(site / "shian.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")  # keep the write in the WAL while the backup runs
    with db:
        db.execute(
            "UPDATE registry_business SET name = 'in the WAL' WHERE id = (SELECT min(id) FROM registry_business)"
        )
    assert (site / "shian.sqlite3-wal").stat().st_size > 0
    path = tmp_path / "live.tar"
    ok(shian(environment(site), "backup", str(path), "--no-compress"))
    db.close()
    with tarfile.open(path) as tar:
        copy = tmp_path / "copy.sqlite3"
        copy.write_bytes(tar.extractfile("database/shian.sqlite3").read())
    names = sqlite3.connect(copy).execute("SELECT count(*) FROM registry_business WHERE name = 'in the WAL'")
    assert names.fetchone() == (1,)


def test_backup_into_a_folder_and_never_over_an_existing_file(site, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    out = ok(shian(environment(site), "backup", str(folder), "--no-media")).stdout
    (written,) = folder.iterdir()
    assert written.name.startswith("shian-backup-") and written.name.endswith(".tar.gz") and str(written) in out
    before = written.read_bytes()
    refused(shian(environment(site), "backup", str(written)), "already exists", "--force")
    assert written.read_bytes() == before
    ok(shian(environment(site), "backup", str(written), "--force"))
    refused(shian(environment(site), "backup", str(tmp_path / "no-such-folder" / "x.tar.gz")), "does not exist")
    refused(shian(environment(site), "backup", str(site / "media")), "inside the uploaded files' folder")


def test_an_archive_without_media_keeps_the_current_files(site, tmp_path):
    path = tmp_path / "db-only.tar.gz"
    ok(shian(environment(site), "backup", str(path), "--no-media"))
    (site / "media" / "kept.png").write_bytes(b"kept")
    ok(shian(environment(site), "restore", str(path), "--yes"))
    assert (site / "media" / "kept.png").read_bytes() == b"kept"


# --- refusals: nothing changes ---------------------------------------------------------------------
def test_restore_needs_yes(archive, site):
    mutate(site)
    before = state(site)
    refused(shian(environment(site), "restore", str(archive)), "--yes", "replaces the current database")
    assert state(site) == before


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_member_is_caught_by_its_checksum(site, tmp_path):
    path = tmp_path / "plain.tar"
    ok(shian(environment(site), "backup", str(path), "--no-compress"))
    with tarfile.open(path) as tar:
        member = tar.getmember("database/shian.sqlite3")
    _flip_byte(path, member.offset_data + member.size // 2)
    mutate(site)
    before = state(site)
    refused(
        shian(environment(site), "restore", str(path), "--yes"),
        "Checksum mismatch",
        "database/shian.sqlite3",
        "Nothing was changed",
    )
    assert state(site) == before
    assert no_staging_left(site)


def test_a_damaged_compressed_archive_is_refused(archive, site, tmp_path):
    path = tmp_path / "damaged.tar.gz"
    shutil.copy(archive, path)
    _flip_byte(path, path.stat().st_size // 2)
    mutate(site)
    before = state(site)
    refused(shian(environment(site), "restore", str(path), "--yes"), "Nothing was changed")
    refused(shian(environment(site), "restore", str(tmp_path / "missing.tar.gz"), "--yes"), "does not exist")
    (tmp_path / "not-a-backup.txt").write_text("hello")
    refused(shian(environment(site), "restore", str(tmp_path / "not-a-backup.txt"), "--yes"), "Nothing was changed")
    assert state(site) == before
    assert no_staging_left(site)


@pytest.mark.parametrize("compressed", [True, False], ids=["tar.gz", "tar"])
def test_a_truncated_archive_is_refused(compressed, site, tmp_path):
    path = tmp_path / ("full.tar.gz" if compressed else "full.tar")
    ok(shian(environment(site), "backup", str(path), *([] if compressed else ["--no-compress"])))
    cut = tmp_path / f"cut-{path.name}"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    mutate(site)
    before = state(site)
    refused(shian(environment(site), "restore", str(cut), "--yes"), "truncated", "Nothing was changed")
    assert state(site) == before


def rewrite(source: Path, target: Path, change) -> None:
    """A copy of an archive with its manifest changed by ``change(manifest, members)``."""
    with tarfile.open(source) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(members.pop("manifest.json"))
    change(manifest, members)
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_an_archive_of_another_database_vendor_is_refused(archive, site, tmp_path):
    def as_postgresql(manifest, members):
        members["database/shian.pgdump"] = members.pop("database/shian.sqlite3")
        manifest["members"]["database/shian.pgdump"] = manifest["members"].pop("database/shian.sqlite3")
        manifest["database"] = {"vendor": "postgresql", "member": "database/shian.pgdump"}

    path = tmp_path / "pg.tar.gz"
    rewrite(archive, path, as_postgresql)
    mutate(site)
    before = state(site)
    refused(
        shian(environment(site), "restore", str(path), "--yes"),
        "holds a PostgreSQL database, but the configured database is SQLite",
        "Nothing was changed",
    )
    assert state(site) == before


def test_a_manifest_that_does_not_match_its_members_is_refused(archive, site, tmp_path):
    def drop_a_file(manifest, members):
        name = next(n for n in members if n.startswith("media/"))
        del members[name]

    def add_a_file(manifest, members):
        members["media/unlisted.png"] = b"unlisted"

    mutate(site)
    before = state(site)
    for change, phrase in ((drop_a_file, "lacks 1 member"), (add_a_file, "does not list")):
        path = tmp_path / f"{change.__name__}.tar.gz"
        rewrite(archive, path, change)
        refused(shian(environment(site), "restore", str(path), "--yes"), phrase, "Nothing was changed")
    assert state(site) == before


def test_an_archive_from_a_newer_schema_is_refused(city_dir, site, tmp_path):
    newer = tmp_path / "newer"
    shutil.copytree(city_dir, newer)
    db = sqlite3.connect(newer / "shian.sqlite3")
    with db:
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('core', '9999_from_the_future', '2030-01-01')"
        )
    db.close()
    path = tmp_path / "newer.tar.gz"
    ok(shian(environment(newer), "backup", str(path)))
    mutate(site)
    before = state(site)
    refused(
        shian(environment(site), "restore", str(path), "--yes"),
        "newer ShiAn",
        "core.9999_from_the_future",
        "Nothing was changed",
    )
    assert state(site) == before


def test_an_older_archive_is_brought_forward_by_migrate(site, tmp_path):
    """An archive of a database with only the first migration applied: restore runs the rest, and the
    audit log's triggers are there at the end."""
    old = tmp_path / "old"
    old.mkdir()
    ok(shian(environment(old), "migrate", "contenttypes", "0001_initial", "-v", "0"))
    path = tmp_path / "old.tar.gz"
    ok(shian(environment(old), "backup", str(path)))
    out = ok(shian(environment(site), "restore", str(path), "--yes")).stdout
    assert "Brought the schema forward" in out
    db = sqlite3.connect(site / "shian.sqlite3")
    applied = {f"{a}.{n}" for a, n in db.execute("SELECT app, name FROM django_migrations")}
    assert db.execute("SELECT count(*) FROM registry_business").fetchone() == (0,)  # the archive's data: none
    db.close()
    assert applied == backup.known_migrations()
    assert_audit_log_append_only(site / "shian.sqlite3")
    assert media_fingerprint(site / "media") == {}


def test_an_archive_of_an_unprotected_audit_log_comes_back_protected(city_dir, site, tmp_path):
    """Triggers dropped before the backup (by an attacker, or a botched repair): restore puts them back."""
    bare = tmp_path / "bare"
    shutil.copytree(city_dir, bare)
    db = sqlite3.connect(bare / "shian.sqlite3")
    db.execute("DROP TRIGGER core_auditentry_no_update")
    db.execute("DROP TRIGGER core_auditentry_no_delete")
    db.close()
    path = tmp_path / "bare.tar.gz"
    ok(shian(environment(bare), "backup", str(path)))
    out = ok(shian(environment(site), "restore", str(path), "--yes")).stdout
    assert "Re-created the audit log's append-only triggers" in out
    assert_audit_log_append_only(site / "shian.sqlite3")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="open files are found through Linux's /proc")
def test_restore_is_refused_while_the_database_is_open_elsewhere(archive, site):
    mutate(site)
    before = state(site)
    server = sqlite3.connect(site / "shian.sqlite3")  # this test process plays the running server
    server.execute("SELECT count(*) FROM registry_business").fetchone()
    try:
        refused(
            shian(environment(site), "restore", str(archive), "--yes"),
            "is open in other processes",
            str(os.getpid()),
            "Stop the server",
        )
    finally:
        server.close()
    assert state(site) == before


# --- reading an archive: what it may hold ----------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["../escape.png", "/etc/passwd", "media/../../escape.png", "media//x.png", "elsewhere/x.png"]
)
def test_members_outside_the_archive_layout_are_refused(name, tmp_path):
    path = tmp_path / "evil.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo(name)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    staging = tmp_path / "staging"
    staging.mkdir()
    with pytest.raises(backup.BackupError, match="not a ShiAn backup"):
        backup.read_archive(path, staging)
    assert not (tmp_path / "escape.png").exists() and not list(staging.rglob("*.png"))


def test_links_in_an_archive_are_refused(tmp_path):
    path = tmp_path / "link.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("media/link.png")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(backup.BackupError, match="not a regular file"):
        backup.read_archive(path, tmp_path)


def test_a_newer_archive_format_is_refused():
    with pytest.raises(backup.BackupError, match="format version 2 is newer"):
        backup.check_manifest({"format": "shian-backup", "format_version": 2, "shian_version": "9.0"}, {})


# --- PostgreSQL ------------------------------------------------------------------------------------
def pg_fingerprint(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        query = 'SELECT * FROM "{}"'  # table names from pg_tables
        # the entries `shian backup` and `shian restore` write about themselves are not the data backed up
        own = "SELECT * FROM core_auditentry WHERE object_type <> 'core.backup'"
        rows = {
            t: _rows_digest(conn.execute(own if t == "core_auditentry" else query.format(t)).fetchall()) for t in tables
        }
        schema = {
            # names, not definitions: a partial index's predicate comes back from pg_restore worded differently
            "indexes": conn.execute(
                "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"
            ).fetchall(),
            "triggers": conn.execute(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2"
            ).fetchall(),
            # the audit log's sequence moves on with those entries too
            "sequences": conn.execute(
                "SELECT sequencename, CASE WHEN sequencename LIKE 'core_auditentry%' THEN NULL ELSE last_value END "
                "FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
            ).fetchall(),
        }
    assert rows["registry_business"][0] > 0 and rows["core_auditentry"][0] > 0
    return {"tables": rows, "schema": schema}


@pytest.fixture
def pg_site(tmp_path):
    url = os.environ["SHIAN_DATABASE_URL"]
    import psycopg

    base = url.rsplit("/", 1)[0]
    name = f"shian_backup_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    data_dir = tmp_path / "pg"
    data_dir.mkdir()
    yield environment(data_dir, f"{base}/{name}"), f"{base}/{name}", data_dir
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres_only
@pytest.mark.skipif(
    not os.environ.get("SHIAN_DATABASE_URL", "").startswith("postgres"),
    reason="the suite runs on SQLite (SHIAN_DATABASE_URL=postgres://… runs this test)",
)
def test_postgresql_round_trip(pg_site, archive, tmp_path):
    import psycopg

    env, url, data_dir = pg_site
    ok(shian(env, "demo", "--size", "tiny", "--no-serve"))
    original = pg_fingerprint(url), media_fingerprint(data_dir / "media")
    path = tmp_path / "pg.tar.gz"
    ok(shian(env, "backup", str(path)))
    with tarfile.open(path) as tar:
        assert json.load(tar.extractfile("manifest.json"))["database"]["vendor"] == "postgresql"

    with psycopg.connect(url) as conn:  # damage: rows changed, the audit log's trigger gone and the log emptied
        conn.execute(
            "UPDATE registry_business SET name = 'mutated' WHERE id IN (SELECT id FROM registry_business LIMIT 7)"
        )
        conn.execute("DROP TRIGGER core_auditentry_append_only ON core_auditentry")
        conn.execute("DELETE FROM core_auditentry")
        conn.execute("CREATE TABLE stray (x integer)")  # as a newer migration would leave
    shutil.rmtree(data_dir / "media")
    refused(shian(env, "restore", str(archive), "--yes"), "holds a SQLite database", "Nothing was changed")

    ok(shian(env, "restore", str(path), "--yes"))
    assert (pg_fingerprint(url), media_fingerprint(data_dir / "media")) == original
    with psycopg.connect(url) as conn:
        for statement in ("UPDATE core_auditentry SET note = 'forged'", "DELETE FROM core_auditentry"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"), conn.transaction():
                conn.execute(statement)

    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    refused(shian(env, "restore", str(cut), "--yes"), "truncated", "Nothing was changed")
    assert pg_fingerprint(url) == original[0]
