from decimal import Decimal as D

from django.db import migrations

SOURCE = ("餐饮服务食品安全监督量化分级管理 (SFDA 2012 guidance; 2011 draft thresholds, Hainan 2012 the same on a "
          "10-point scale): dynamic level ≥90 优秀, 75–90 良好, 60–75 一般, below 60 none; annual average ≥90 A, "
          "75–90 B, 60–75 C; no dynamic level for 3 months after a new licence or 6 months after a food-safety "
          "incident; Hainan: no level when 2 or more key items fail. Deductions per failed item are ShiAn defaults.")


def seed(apps, schema_editor):
    Policy = apps.get_model("inspections", "RatingPolicy")
    Band = apps.get_model("inspections", "RatingBand")
    Policy.objects.create(key_deduction=D("10"), general_deduction=D("4"), no_level_key_failures=2,
                          months_after_new_licence=3, months_after_incident=6, source=SOURCE)
    Band.objects.bulk_create([
        Band(kind="dynamic", min_score=D("90"), level="excellent", label="优秀"),
        Band(kind="dynamic", min_score=D("75"), level="good", label="良好"),
        Band(kind="dynamic", min_score=D("60"), level="fair", label="一般"),
        Band(kind="annual", min_score=D("90"), level="A", label="A 级"),
        Band(kind="annual", min_score=D("75"), level="B", label="B 级"),
        Band(kind="annual", min_score=D("60"), level="C", label="C 级"),
    ])


def unseed(apps, schema_editor):
    apps.get_model("inspections", "RatingPolicy").objects.all().delete()
    apps.get_model("inspections", "RatingBand").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0003_ratingband_ratingpolicy_inspection_score")]
    operations = [migrations.RunPython(seed, unseed)]
