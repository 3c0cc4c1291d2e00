"""The business list's orders served by indexes (issue 14: fast lists).

The list shows 50 businesses at a time in the order the user picked (name by default). Without an index
on that order the database reads and sorts every business in the user's scope for each page (60,000 at
city size, 500,000 at province size); with one it walks the index and stops after the page, and a deep
page costs its offset in index entries instead of a sort of the whole scope.

- ``(name, id)``: the default order, and the name order of the other sorts' ties.
- ``(updated_at, id)``: "recently updated".
- ``(region_path, name, id)``: the region order (the materialised path, then the name).
- ``(status, name, id)`` and ``(type, name, id)``: those orders, and a status or type filter in name order.

Database indexes only (``RunSQL`` without state operations): the model declares none and the autodetector
has nothing to add or remove. Creating an index does not rebuild the table, so the search triggers of
migration 0003 stay (see registry/search.py)."""

from django.db import migrations

INDEXES = {
    "registry_business_name_idx": "(name, id)",
    "registry_business_updated_idx": "(updated_at, id)",
    "registry_business_region_name_idx": "(region_path, name, id)",
    "registry_business_status_name_idx": "(status, name, id)",
    "registry_business_type_name_idx": "(type, name, id)",
}


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_personal_data_and_employer")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON registry_business {columns}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
