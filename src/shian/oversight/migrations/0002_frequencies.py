from django.db import migrations

SOURCE = ("No national figure: set locally (e.g. Lanzhou requires at least one visit per quarter). ShiAn "
          "defaults — city half-yearly, district quarterly, street monthly — are for the bureau to edit.")


def seed(apps, schema_editor):
    FrequencyRule = apps.get_model("oversight", "FrequencyRule")
    FrequencyRule.objects.bulk_create([FrequencyRule(level="city", every_days=182, source=SOURCE),
                                       FrequencyRule(level="district", every_days=91, source=SOURCE),
                                       FrequencyRule(level="street", every_days=31, source=SOURCE)])


def unseed(apps, schema_editor):
    apps.get_model("oversight", "FrequencyRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
