import re

from django.db import migrations, models

STAMP = re.compile(r"^\d{14}-")  # evidence_path's upload-time prefix


def fill_original_names(apps, schema_editor):
    """Existing evidence gets the name its uploader gave it, as far as the stored name still tells."""
    Evidence = apps.get_model("hazards", "Evidence")
    rows = list(Evidence.objects.filter(original_name="").only("pk", "file"))
    for row in rows:
        row.original_name = STAMP.sub("", str(row.file).rsplit("/", 1)[-1])[:255]
    Evidence.objects.bulk_update(rows, ["original_name"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0003_hazard_origin"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="original_name",
            field=models.CharField(blank=True, max_length=255, verbose_name="file name"),
        ),
        migrations.RunPython(fill_original_names, migrations.RunPython.noop),
    ]
