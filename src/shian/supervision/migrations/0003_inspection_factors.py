"""Dynamic factors fed by inspection results (indicators published by the inspections app)."""

from decimal import Decimal as D

from django.db import migrations

ROWS = {
    "cn-samr-2016": [("inspections_nonconform_12m", "20", "40", "each 不符合 inspection in 12 months"),
                     ("inspections_basically_12m", "5", "10", "each 基本符合 inspection in 12 months")],
    "uk-fsa-flcop": [("inspections_nonconform_12m", "20", "30", "compliance: poor at the last inspections"),
                     ("inspections_basically_12m", "5", "10", "compliance: some non-compliance")],
}


def seed(apps, schema_editor):
    RuleSet = apps.get_model("supervision", "RiskRuleSet")
    Dynamic = apps.get_model("supervision", "DynamicFactor")
    for code, rows in ROWS.items():
        rule_set = RuleSet.objects.filter(code=code).first()
        if rule_set:
            Dynamic.objects.bulk_create([Dynamic(rule_set=rule_set, indicator=k, points_per_unit=D(u), max_points=D(m),
                                                 note=n) for k, u, m, n in rows])


def unseed(apps, schema_editor):
    apps.get_model("supervision", "DynamicFactor").objects.filter(indicator__startswith="inspections_").delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_rule_sets")]
    operations = [migrations.RunPython(seed, unseed)]
