"""The audit log's hash chain (core.auditchain): two columns, the existing entries sealed, TRUNCATE refused.

Sealing: the entries written before this migration are chained in id order with the key configured now
(SHIAN_AUDIT_KEY; in development derived from SECRET_KEY), then one entry ("core.auditchain", sealed)
records how many there were. From that entry on, ``shian audit verify`` also checks that times never go
backwards (the chain's writer guarantees it); the sealed entries keep the times they had. Sealing can
only vouch for the entries as they stand at this migration: what was changed before it is not detected.

SQLite adds the columns by rebuilding the table, which drops its append-only triggers: they are put back
here (as in 0004). PostgreSQL gets a statement trigger refusing TRUNCATE of a non-empty log (the row
trigger of 0003 does not fire for TRUNCATE); an empty log may be truncated, and so may any log on a
connection that set ``shian.audit_truncate = 'allow'`` (the test suite's connections do, for the flush of
transactional tests; anyone able to set it could also drop the trigger, which the chain catches). A database superuser can still drop the triggers: that is what the chain and its anchors catch.
"""

from django.db import migrations, models

SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
]
POSTGRES_TRUNCATE = [
    "CREATE OR REPLACE FUNCTION core_auditentry_no_truncate() RETURNS trigger AS $$ "
    "BEGIN IF current_setting('shian.audit_truncate', true) IS DISTINCT FROM 'allow' "
    "AND EXISTS (SELECT 1 FROM core_auditentry) THEN "
    "RAISE EXCEPTION 'the audit log is append-only: TRUNCATE refused'; END IF; RETURN NULL; END; "
    "$$ LANGUAGE plpgsql;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;",
    "CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_no_truncate();",
]
POSTGRES_TRUNCATE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;",
    "DROP FUNCTION IF EXISTS core_auditentry_no_truncate();",
]
BATCH = 5_000


def seal(apps, schema_editor):
    from django.utils import timezone

    from shian.core import auditchain

    connection = schema_editor.connection
    vendor = connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")

    signer = auditchain.current_signer()
    prev, count, last = auditchain.GENESIS, 0, None
    pending = []

    def flush():
        with connection.cursor() as cursor:
            cursor.executemany("UPDATE core_auditentry SET prev_digest = %s, digest = %s WHERE id = %s", pending)
        pending.clear()

    for row in auditchain._rows(connection.alias):
        digest = signer.sign(prev, auditchain.canonical(row))
        pending.append((prev, digest, row["id"]))
        prev, count, last = digest, count + 1, row
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    if count:
        entry_model = apps.get_model("core", "AuditEntry")
        (pk,) = auditchain.reserve_ids(connection, 1, last["id"])
        at = max(timezone.now(), auditchain._at(last["at"]))
        values = {
            "id": pk,
            "at": at,
            "actor_id": None,
            "actor_name": "system",
            "source": "system",
            "action": "create",
            "object_type": auditchain.SEAL_OBJECT_TYPE,
            "object_id": str(last["id"]),
            "object_repr": "audit chain",
            "changes": {"sealed": count},
            "note": f"sealed {count} entries written before the chain",
            "scope_path": "",
            "scope_business": None,
        }
        digest = signer.sign(prev, auditchain.canonical(values))
        entry_model(**values, prev_digest=prev, digest=digest).save(force_insert=True)

    if vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before ALTER TABLE
        schema_editor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
        for statement in POSTGRES_TRUNCATE:
            schema_editor.execute(statement)


def unseal(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_TRUNCATE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_business_account")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="prev_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=100),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Created"),
                    ("update", "Updated"),
                    ("delete", "Deleted"),
                    ("transition", "State change"),
                    ("import", "Imported"),
                    ("login", "Logged in"),
                    ("login_failed", "Login failed"),
                    ("logout", "Logged out"),
                    ("denied", "Access denied"),
                    ("export", "Exported"),
                    ("reveal", "Personal data shown"),
                ],
                max_length=16,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(seal, unseal),
    ]
