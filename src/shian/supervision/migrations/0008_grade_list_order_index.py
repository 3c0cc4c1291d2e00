"""The grade list's order (highest score first, then the business's name) served by an index.

The list is read 50 rows at a time in ``-score, business.name`` order. Without an index the database reads
every grade in the user's scope, joins each to its business and sorts them all to keep 50 (60,000 rows at
city size, 500,000 at province size). With ``(score DESC, business_id)`` it walks the grades from the top
score and only sorts the businesses that share a score (PostgreSQL's incremental sort; SQLite's "temp
b-tree for the right part of the ORDER BY"), so a page reads about as many rows as it shows. The same
index with ``grade`` first serves the list filtered to one grade.

An index the database keeps, not part of the model's state (``RunSQL`` without state operations): the
model declares no indexes and the autodetector has nothing to add or remove."""

from django.db import migrations

INDEXES = {
    "supervision_grade_score_idx": "(score DESC, business_id)",
    "supervision_grade_grade_score_idx": "(grade, score DESC, business_id)",
}


class Migration(migrations.Migration):
    dependencies = [("supervision", "0007_sources_zh")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON supervision_businessgrade {columns}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
