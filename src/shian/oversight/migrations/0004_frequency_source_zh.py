"""The seeded note on where the visit frequencies come from, in Chinese like the rest of the bureau's
configuration (a note the bureau has edited since is left alone)."""

from django.db import migrations

OLD = (
    "No national figure: set locally (e.g. Lanzhou requires at least one visit per quarter). ShiAn "
    "defaults — city half-yearly, district quarterly, street monthly — are for the bureau to edit."
)
NEW = "国家无统一规定，由各地确定（如兰州要求每季度至少督导一次）。系统默认市级每半年、区县级每季度、街道每月一次，可由监管部门修改。"


def forward(apps, schema_editor):
    apps.get_model("oversight", "FrequencyRule").objects.filter(source=OLD).update(source=NEW)


def backward(apps, schema_editor):
    apps.get_model("oversight", "FrequencyRule").objects.filter(source=NEW).update(source=OLD)


class Migration(migrations.Migration):
    dependencies = [("oversight", "0003_english_labels")]
    operations = [migrations.RunPython(forward, backward)]
