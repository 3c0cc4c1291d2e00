"""The default 两员 rule table (see docs/regulatory-notes summary in docs/glossary.md). Editable afterwards."""

from django.db import migrations

ORDER60 = "SAMR Order 60 (2022, rev. 2025) 企业落实食品安全主体责任监督管理规定"
CANTEENS = "集中用餐单位落实食品安全主体责任监督管理规定 (in force 2025-04-15)"
TYPES = ["production", "sales", "catering", "school_canteen", "elderly_canteen", "central_kitchen", "takeout",
         "importer"]
DIRECTOR_RULES = [
    ("production", 2, None, ORDER60 + ": large and medium producers"),
    ("sales", 2, None, ORDER60 + ": large and medium sellers"),
    ("importer", 2, None, ORDER60 + ": large and medium sellers"),
    ("catering", 2, None, ORDER60 + ": large and medium caterers"),
    ("takeout", 2, None, ORDER60 + ": large and medium caterers"),
    ("central_kitchen", None, 1000, ORDER60 + ": central kitchens and meal-delivery units serving > 1000"),
    ("central_kitchen", 2, None, ORDER60 + ": large and medium caterers"),
    ("school_canteen", None, 500, CANTEENS + ": school canteens ≥ 500 diners per meal"),
    ("elderly_canteen", None, 300, CANTEENS + ": kindergarten and elderly-care canteens ≥ 300 diners per meal"),
]


def seed(apps, schema_editor):
    StaffingRule = apps.get_model("registry", "StaffingRule")
    rows = [StaffingRule(business_type=t, role="officer", source=ORDER60 + ": every business appoints an officer")
            for t in TYPES]
    rows += [StaffingRule(business_type=t, role="director", min_scale=s, min_diners=d, source=src)
             for t, s, d, src in DIRECTOR_RULES]
    StaffingRule.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    apps.get_model("registry", "StaffingRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
