"""The 量化分级 level follows the inspection's conclusion (issue 9): the best level per conclusion, and the
policy's source rewritten with it and with the incident rule."""

from django.db import migrations, models


SOURCE = (
    "餐饮服务食品安全监督量化分级管理: SFDA 关于实施餐饮服务食品安全监督量化分级管理工作的指导意见 "
    "(国食药监食〔2012〕5号): the dynamic level (优秀/良好/一般; big smile, smile, neutral face) is the evaluation of "
    "each inspection's result, the annual level (A/B/C) that of the last 12 months; no dynamic level for 3 months "
    "after a new licence, nor for 6 months after the business caused a food-safety incident (食品安全事故, Food "
    "Safety Law Art. 150; a recorded incident, hazards.Incident). Thresholds: 2011 draft guide (Hainan 2012 the "
    "same on a 10-point scale): score ≥90 优秀, 75–90 良好, 60–75 一般, below 60 none; annual average ≥90 A, 75–90 "
    "B, 60–75 C; Hainan: no level when 2 or more key items (关键项) fail. The level follows the inspection's "
    "conclusion (SAMR Order 49, 2021: 符合/基本符合/不符合): an inspection that concludes 不符合 gives at most 一般, "
    "whatever its score (best_level_nonconform); a 基本符合 one is rated by its score (best_level_basically = 优秀). "
    "No national text maps the three conclusions to the three levels: provinces that do set their own mapping "
    "here. Deductions per failed item are ShiAn defaults."
)


def seed(apps, schema_editor):
    apps.get_model("inspections", "RatingPolicy").objects.update(
        best_level_basically="excellent", best_level_nonconform="fair", source=SOURCE
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0009_alter_checklisttemplate_business_type"),
    ]

    operations = [
        migrations.AddField(
            model_name="ratingpolicy",
            name="best_level_basically",
            field=models.CharField(
                choices=[
                    ("excellent", "Excellent (优秀)"),
                    ("good", "Good (良好)"),
                    ("fair", "Fair (一般)"),
                    ("none", "No level"),
                ],
                default="excellent",
                max_length=12,
                verbose_name="best level of a 基本符合 inspection",
            ),
        ),
        migrations.AddField(
            model_name="ratingpolicy",
            name="best_level_nonconform",
            field=models.CharField(
                choices=[
                    ("excellent", "Excellent (优秀)"),
                    ("good", "Good (良好)"),
                    ("fair", "Fair (一般)"),
                    ("none", "No level"),
                ],
                default="fair",
                help_text="An inspection that does not conform cannot give 优秀 or 良好, whatever its score.",
                max_length=12,
                verbose_name="best level of a 不符合 inspection",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
