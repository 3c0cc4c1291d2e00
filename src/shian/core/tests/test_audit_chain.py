"""The audit log's hash chain and anchors (core.auditchain, `shian audit …`): whatever is done to the table
around the application — an entry edited, deleted, inserted out of order, the newest entries deleted —
`shian audit verify` exits non-zero and names the first bad entry."""

import datetime as dt
import gzip
import json
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from shian.core import auditchain
from shian.core.audit import audit, audit_many, build_entry
from shian.core.choices import AuditAction
from shian.core.models import AuditEntry

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _anchor_file(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")


@pytest.fixture
def entries(users, city):
    """Six entries through every writer: audit(), objects.create (the login), audit_many (bulk)."""
    first = audit(actor=users["admin"], action=AuditAction.UPDATE, obj=city["haishu"], changes={"name": ["a", "b"]})
    login = AuditEntry.objects.create(
        actor=users["haishu"], actor_name="haishu", source="10.0.0.9", action=AuditAction.LOGIN, object_type="core.user"
    )
    audit_many(
        build_entry(actor=None, action=AuditAction.CREATE, obj=city[k])
        for k in ("haishu_street", "haishu_grid", "city")
    )
    last = audit(actor=users["admin"], action=AuditAction.UPDATE, obj=city["jiangbei"], changes={"n": [1.5, 1e16]})
    return [first, login, *AuditEntry.objects.filter(action=AuditAction.CREATE).order_by("id"), last]


@contextmanager
def around_the_app():
    """Someone with database access: the append-only triggers dropped (the test's transaction restores
    them), raw SQL."""
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks before ALTER TABLE
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            cursor.execute("DROP TRIGGER core_auditentry_no_delete")
        yield cursor
        if POSTGRES:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")


def verify():
    return auditchain.verify()


def insert_raw(cursor, *, pk, at, prev, digest, note="forged", object_type="core.region"):
    cursor.execute(
        "INSERT INTO core_auditentry (id, at, actor_name, source, action, object_type, object_id, object_repr, "
        "changes, note, scope_path, prev_digest, digest) VALUES (%s, %s, 'admin', '10.0.0.1', 'update', %s, '1', "
        "'x', '{}', %s, '', %s, %s)",
        [pk, at, object_type, note, prev, digest],
    )


# --- what the writers do -----------------------------------------------------------------------------
def test_every_writer_appends_to_one_chain(entries):
    stored = list(AuditEntry.objects.order_by("id"))
    assert [e.pk for e in stored] == [e.pk for e in entries]
    assert stored[0].prev_digest == auditchain.GENESIS
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.prev_digest == before.digest and after.digest.startswith("hmac-sha256:")
    report = verify()
    assert report.ok, report.problems
    assert report.checked == 6 and report.last_id == entries[-1].pk


def test_the_chain_stamps_the_time_whatever_the_caller_says(users):
    back_dated = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
    before = timezone.now()
    entry = AuditEntry.objects.create(at=back_dated, actor_name="x", action=AuditAction.LOGIN, object_type="core.user")
    assert AuditEntry.objects.get(pk=entry.pk).at >= before
    assert verify().ok


def test_updates_stay_refused(entries):
    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_update(entries, ["note"])
    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_create([entries[0]])  # an existing entry again
    with pytest.raises(PermissionError):
        entries[0].save()


def test_changes_read_back_as_they_were_chained(entries):
    """JSON that a database gives back differently (tuples, integral floats, key order) still verifies."""
    entry = audit(actor=None, action=AuditAction.UPDATE, obj=entries[0].actor, changes={"b": (1, 2), "a": 2.0})
    assert AuditEntry.objects.get(pk=entry.pk).changes == {"b": [1, 2], "a": 2.0}
    assert verify().ok


# --- what verify finds -------------------------------------------------------------------------------
def test_an_edited_entry_is_named(entries):
    victim = entries[2]
    with around_the_app() as cursor:
        cursor.execute("UPDATE core_auditentry SET note = 'nothing happened' WHERE id = %s", [victim.pk])
    report = verify()
    assert not report.ok
    assert (report.first.entry_id, report.first.kind) == (victim.pk, "edited")
    assert f"#{victim.pk}" in report.first.message
    with pytest.raises(CommandError, match=f"first bad entry: entry #{victim.pk} "):
        call_command("audit", "verify", stdout=_out(), stderr=_out())


def test_an_edited_source_address_is_named(entries):
    with around_the_app() as cursor:
        cursor.execute("UPDATE core_auditentry SET source = '1.1.1.1' WHERE id = %s", [entries[1].pk])
    assert verify().first.entry_id == entries[1].pk


def test_a_deleted_entry_breaks_the_chain_at_the_next(entries):
    with around_the_app() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[3].pk])
    report = verify()
    assert (report.first.entry_id, report.first.kind) == (entries[4].pk, "broken")
    assert f"after entry #{entries[2].pk}" in report.first.message


def test_deleting_the_first_entries_is_found(entries):
    with around_the_app() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id <= %s", [entries[1].pk])
    report = verify()
    assert (report.first.entry_id, report.first.kind) == (entries[2].pk, "broken")


def test_a_forged_back_dated_insert_is_found(entries):
    """Without the key: an entry slipped into a gap in the ids, dated last year, copying a real digest."""
    gap = entries[0].pk + 1 if entries[1].pk > entries[0].pk + 1 else None
    with around_the_app() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])  # make room, as an attacker
        insert_raw(
            cursor,
            pk=gap or entries[1].pk,
            at=timezone.now() - dt.timedelta(days=365),
            prev=entries[0].digest,
            digest=entries[1].digest,
        )
    report = verify()
    assert report.first.entry_id == (gap or entries[1].pk)
    assert report.first.kind == "edited"


def test_a_forged_insert_at_the_end_with_a_made_up_digest_is_found(entries):
    with around_the_app() as cursor:
        insert_raw(cursor, pk=entries[-1].pk + 10, at=timezone.now(), prev=entries[-1].digest, digest="hmac-sha256:x:y")
    report = verify()
    assert (report.first.entry_id, report.first.kind) == (entries[-1].pk + 10, "unknown_key")


def test_an_insider_with_the_key_still_cannot_back_date(entries):
    """Even with the key (the chain then links up), an entry dated before the one before it is out of order."""
    last = entries[-1]
    values = {
        **auditchain.values_of(last),
        "id": last.pk + 1,
        "at": last.at - dt.timedelta(days=30),
        "note": "forged",
        "changes": {},
        "object_type": "core.region",
        "object_id": "1",
        "object_repr": "x",
        "actor_id": None,
        "actor_name": "admin",
        "source": "10.0.0.1",
        "action": "update",
        "scope_path": "",
        "scope_business": None,
    }
    digest = auditchain.current_signer().sign(last.digest, auditchain.canonical(values))
    with around_the_app() as cursor:
        insert_raw(cursor, pk=last.pk + 1, at=values["at"], prev=last.digest, digest=digest)
    report = verify()
    assert [(p.entry_id, p.kind) for p in report.problems] == [(last.pk + 1, "out_of_order")]


def test_deleting_the_newest_entries_is_found_by_the_anchor(entries, settings):
    call_command("audit", "anchor", stdout=_out())
    anchor = json.loads(Path(settings.AUDIT_ANCHOR_FILE).read_text().splitlines()[-1])
    assert anchor["id"] == entries[-1].pk and anchor["count"] == 6
    assert verify().ok and verify().anchors == 1
    with around_the_app() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id >= %s", [entries[-2].pk])
    report = verify()
    assert (report.first.kind, report.first.entry_id) == ("truncated", entries[-3].pk)
    assert f"#{entries[-1].pk}" in report.first.message


def test_without_anchors_a_truncated_tail_is_only_warned_about(entries):
    with around_the_app() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[-1].pk])
    report = verify()
    assert report.ok and "no anchors" in report.warnings[0]


def test_a_forged_anchor_is_found(entries, settings):
    call_command("audit", "anchor", stdout=_out())
    path = settings.AUDIT_ANCHOR_FILE
    anchor = json.loads(Path(path).read_text())
    anchor["count"] = 99
    with open(path, "w") as f:
        f.write(json.dumps(anchor) + "\n")
    report = verify()
    assert report.first.kind == "anchor" and "MAC" in report.first.message


def test_anchor_writes_only_when_there_is_something_new(entries, settings):
    from shian.core import jobs
    from shian.core.tasks import anchor_audit_log

    assert auditchain.write_anchor() is not None
    assert auditchain.write_anchor() is None  # nothing new
    audit(actor=None, action=AuditAction.UPDATE, obj=entries[0].actor)
    assert anchor_audit_log.call() == AuditEntry.objects.order_by("-id").first().pk
    assert len(Path(settings.AUDIT_ANCHOR_FILE).read_text().splitlines()) == 2
    assert "core.audit_anchor.00" in {p.name for p in jobs.periodic_tasks()}
    assert verify().ok


# --- keys and algorithms -----------------------------------------------------------------------------
def test_a_rotated_key_verifies_with_the_retired_one_listed(users, city, settings):
    settings.AUDIT_KEY = "first-key-" + "a" * 30
    audit(actor=None, action=AuditAction.UPDATE, obj=city["haishu"])
    old = settings.AUDIT_KEY
    settings.AUDIT_KEY = "second-key-" + "b" * 30
    audit(actor=None, action=AuditAction.UPDATE, obj=city["haishu"])
    settings.PRODUCTION = True  # no key derived from SECRET_KEY
    report = verify()
    assert [p.kind for p in report.problems] == ["unknown_key"]
    settings.AUDIT_OLD_KEYS = [old]
    assert verify().ok


def test_another_key_cannot_recompute_the_chain(entries, settings):
    """Someone who rewrites every digest with a key of their own: unknown key, from the first entry."""
    signer = auditchain.Signer("hmac-sha256", b"attacker")
    prev = auditchain.GENESIS
    with around_the_app() as cursor:
        for row in list(auditchain._rows("default")):
            digest = signer.sign(prev, auditchain.canonical(row))
            cursor.execute(
                "UPDATE core_auditentry SET prev_digest = %s, digest = %s WHERE id = %s", [prev, digest, row["id"]]
            )
            prev = digest
    report = verify()
    assert (report.first.entry_id, report.first.kind) == (entries[0].pk, "unknown_key")


@pytest.mark.skipif("hmac-sm3" not in auditchain.ALGORITHMS, reason="OpenSSL without SM3")
def test_sm3_is_a_setting_away(users, city, settings):
    settings.AUDIT_HASH = "hmac-sm3"
    entry = audit(actor=None, action=AuditAction.UPDATE, obj=city["haishu"])
    assert entry.digest.startswith("hmac-sm3:")
    assert verify().ok


def test_production_needs_its_own_key(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PRODUCTION, settings.AUDIT_KEY = True, ""
    with pytest.raises(ImproperlyConfigured, match="SHIAN_AUDIT_KEY"):
        auditchain.current_key()


# --- the seal: entries from before the chain keep their times -----------------------------------------
def _row(pk, at, prev, signer, object_type="core.region"):
    values = {
        "id": pk,
        "at": at,
        "actor_id": None,
        "actor_name": "x",
        "source": "",
        "action": "update",
        "object_type": object_type,
        "object_id": str(pk),
        "object_repr": "",
        "changes": {},
        "note": "",
        "scope_path": "",
        "scope_business": None,
    }
    return {**values, "prev_digest": prev, "digest": signer.sign(prev, auditchain.canonical(values))}


def test_times_are_checked_after_the_seal_only(settings):
    signer = auditchain.current_signer()
    t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows, prev = [], auditchain.GENESIS
    # legacy entries out of time order, the seal, then one back-dated entry
    spec = [(1, t), (2, t - dt.timedelta(1)), (3, t + dt.timedelta(1))]
    spec += [(4, t + dt.timedelta(2), auditchain.SEAL_OBJECT_TYPE), (5, t)]
    for pk, at, *kind in spec:
        rows.append(_row(pk, at, prev, signer, *kind))
        prev = rows[-1]["digest"]
    report = auditchain.verify_rows(rows, times_checked=False)
    assert [(p.entry_id, p.kind) for p in report.problems] == [(5, "out_of_order")]
    report = auditchain.verify_rows(rows[:4], times_checked=True)
    assert [(p.entry_id, p.kind) for p in report.problems] == [(2, "out_of_order")]


# --- PostgreSQL: TRUNCATE --------------------------------------------------------------------------
@pytest.mark.skipif(not POSTGRES, reason="TRUNCATE is PostgreSQL's (SQLite's DELETE fires the row trigger)")
def test_truncate_is_refused(entries):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks before TRUNCATE
        cursor.execute("SET LOCAL shian.audit_truncate = 'deny'")  # the suite's connections allow it (conftest)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditentry CASCADE")
    assert AuditEntry.objects.count() == 6


@pytest.mark.skipif(not POSTGRES, reason="SQLite has one writer (BEGIN IMMEDIATE): appends cannot interleave")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    """Writers in parallel, each entry its own transaction: the advisory lock keeps the chain one line."""
    import threading

    errors = []

    def work(k: int) -> None:
        try:
            for i in range(25):
                AuditEntry.objects.create(
                    actor_name=f"t{k}", action=AuditAction.UPDATE, object_type="core.region", object_id=str(i)
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        report = verify()
        assert report.ok, [p.message for p in report.problems]
        assert report.checked == 150
        digests = list(AuditEntry.objects.values_list("prev_digest", flat=True))
        assert len(set(digests)) == len(digests)  # no two entries chained on the same one
    finally:  # a transactional test leaves its rows: the flush's TRUNCATE would be refused
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            cursor.execute("DELETE FROM core_auditentry")
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")


# --- export and archive ---------------------------------------------------------------------------
def _out():
    import io

    return io.StringIO()


def test_verify_command_says_what_it_checked(entries):
    out = _out()
    call_command("audit", "verify", stdout=out, stderr=_out())
    assert "audit log verified: 6 entries" in out.getvalue()


def test_export_as_json_lines_verifies_on_its_own(entries, tmp_path):
    today = timezone.localdate().isoformat()
    target = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--since", today, "--until", today, "--output", str(target), stdout=_out())
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and json.loads(lines[0])["id"] == entries[0].pk
    out = _out()
    call_command("audit", "verify", "--file", str(target), stdout=out, stderr=_out())
    assert "6 entries" in out.getvalue()
    # the export itself is in the log
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="core.auditentry").count() == 1
    # a line edited in the file
    row = json.loads(lines[2])
    row["note"] = "edited"
    lines[2] = json.dumps(row)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=f"entry #{row['id']} "):
        call_command("audit", "verify", "--file", str(target), stdout=_out(), stderr=_out())


def test_export_period_and_formats(entries, tmp_path):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    target = tmp_path / "none.jsonl"
    call_command("audit", "export", "--until", yesterday, "--output", str(target), stdout=_out())
    assert target.read_text() == ""
    xlsx = tmp_path / "audit.xlsx"
    call_command("audit", "export", "--output", str(xlsx), stdout=_out())
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx, read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) == 1 + 6 + 1  # header, entries, the first export's own entry
    with pytest.raises(CommandError, match="must end in"):
        call_command("audit", "export", "--output", str(tmp_path / "a.txt"), stdout=_out())
    with pytest.raises(CommandError, match="not a date"):
        call_command("audit", "export", "--since", "2026-13-01", "--output", str(target), stdout=_out())


def test_archive_continues_where_it_stopped(entries, tmp_path):
    folder = tmp_path / "archive"
    today = timezone.localdate().isoformat()
    call_command("audit", "archive", "--until", today, "--dir", str(folder), stdout=_out())
    (first,) = sorted(folder.glob("*.jsonl.gz"))
    manifest = json.loads((folder / (first.name + ".manifest.json")).read_text())
    assert manifest["count"] == 6 and manifest["first_prev_digest"] == auditchain.GENESIS
    audit(actor=None, action=AuditAction.UPDATE, obj=entries[0].actor)
    call_command("audit", "archive", "--until", today, "--dir", str(folder), stdout=_out())
    second = [p for p in sorted(folder.glob("*.jsonl.gz")) if p != first][0]
    rows = [json.loads(x) for x in gzip.decompress(second.read_bytes()).decode().splitlines()]
    # the archive run's own entry and the new one, chained on the first archive
    assert rows[0]["prev_digest"] == manifest["last_digest"] and len(rows) == 2
    out = _out()
    call_command("audit", "verify", "--file", str(second), stdout=out, stderr=_out())
    assert "2 entries" in out.getvalue()
    first.write_bytes(gzip.compress(gzip.decompress(first.read_bytes()).replace(b'"update"', b'"create"', 1)))
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--file", str(first), stdout=_out(), stderr=_out())


# --- the migration that introduced the chain ---------------------------------------------------------
def _empty_the_log() -> None:
    """After a transactional test: the rows go (the flush would be refused), the triggers stay."""
    import importlib

    sqlite_triggers = importlib.import_module("shian.core.migrations.0007_audit_chain").SQLITE_TRIGGERS
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            cursor.execute("DELETE FROM core_auditentry")
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_delete")
            cursor.execute("DELETE FROM core_auditentry")
            for statement in sqlite_triggers:
                cursor.execute(statement)


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_the_entries_written_before_it():
    from django.db.migrations.executor import MigrationExecutor

    try:
        MigrationExecutor(connection).migrate([("core", "0006_business_account")])
        with connection.cursor() as cursor:
            for i in (3, 1, 2):  # written by concurrent writers: times not in id order
                cursor.execute(
                    "INSERT INTO core_auditentry (at, actor_name, source, action, object_type, object_id, "
                    "object_repr, changes, note, scope_path) VALUES (%s, 'old', '10.0.0.1', 'update', "
                    "'core.region', %s, 'r', %s, '', '')",
                    [f"2026-01-01 00:00:0{i}", str(i), '{"b": [1, 2.5, 1e16], "a": "中"}'],
                )
        MigrationExecutor(connection).migrate([("core", "0007_audit_chain")])
        report = verify()
        assert report.ok, [p.message for p in report.problems]
        assert report.checked == 4
        seal = AuditEntry.objects.get(object_type=auditchain.SEAL_OBJECT_TYPE)
        assert seal.changes == {"sealed": 3} and seal.pk == AuditEntry.objects.order_by("-id")[0].pk
        entry = AuditEntry.objects.create(actor_name="new", action=AuditAction.LOGIN, object_type="core.user")
        assert entry.prev_digest == seal.digest and verify().ok
        # the append-only triggers are back after SQLite's table rebuild
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute("UPDATE core_auditentry SET note = 'x'")
    finally:
        _empty_the_log()
