"""The register search index: character bigrams of name, USCC and address (see registry/search.py).

PostgreSQL: two SQL functions and a GIN expression index (built here from the existing rows).
SQLite: a contentless FTS5 table filled here from the existing rows, and the triggers that keep it
current. The SQL lives in registry/search.py next to the query that must fold text the same way; a
later migration that rebuilds registry_business on SQLite (AlterField, …) drops the triggers with the
table and must run ``install`` again."""

from django.db import migrations

from shian.registry import search


def forwards(apps, schema_editor):
    search.install(schema_editor)


def backwards(apps, schema_editor):
    search.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_default_staffing_rules")]
    operations = [migrations.RunPython(forwards, backwards)]
