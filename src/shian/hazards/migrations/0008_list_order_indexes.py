"""The hazard list's order served by an index (issue 14: fast lists).

The hazard list shows 50 hazards at a time, newest first (``-found_on, -id``, the model's ordering). Without
an index the database sorts every hazard in the user's scope for each page (80,000 at city size); with
``(found_on DESC, id DESC)`` it walks the index and stops after the page. Case leads (``-raised_on, -id``)
and incidents (``-occurred_on, -id``) get the same.

Database indexes only (``RunSQL`` without state operations): the models declare none of these and the
autodetector has nothing to add or remove."""

from django.db import migrations

INDEXES = {
    "hazards_hazard_found_idx": "hazards_hazard (found_on DESC, id DESC)",
    "hazards_caselead_raised_idx": "hazards_caselead (raised_on DESC, id DESC)",
    "hazards_incident_occurred_idx": "hazards_incident (occurred_on DESC, id DESC)",
}


class Migration(migrations.Migration):
    dependencies = [("hazards", "0007_sources_zh")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table_columns}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table_columns in INDEXES.items()
    ]
