"""Make the audit table append-only in the database itself: UPDATE and DELETE raise."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    "CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_auditentry_no_update;",
                  "DROP TRIGGER IF EXISTS core_auditentry_no_delete;"]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();",
]
POSTGRES_REVERSE = ["DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;",
                    "DROP FUNCTION IF EXISTS core_auditentry_append_only();"]


def forwards(apps, schema_editor):
    sql = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in sql:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    sql = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, [])
    for statement in sql:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
