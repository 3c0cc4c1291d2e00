from django.db import migrations

SOURCE = ("Common practice in local rectification rules; no national figure exists. "
          "Set by the bureau (hazards → deadline rules).")


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("hazards", "DeadlineRule")
    DeadlineRule.objects.bulk_create([
        DeadlineRule(severity="general", days_to_rectify=15, escalate_after_days=7, source=SOURCE),
        DeadlineRule(severity="major", days_to_rectify=7, escalate_after_days=3, source=SOURCE),
        DeadlineRule(severity="serious", days_to_rectify=3, escalate_after_days=0, escalate_immediately=True,
                     source=SOURCE + " Serious hazards become cases (立案) at once."),
    ])


def unseed(apps, schema_editor):
    apps.get_model("hazards", "DeadlineRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
