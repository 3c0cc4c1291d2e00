"""The 量化分级 level follows the inspection's conclusion (issue 9): the best level per conclusion, and the
policy's source rewritten with it and with the incident rule."""

from django.db import migrations, models


SOURCE = (
    "餐饮服务食品安全监督量化分级管理：原国家食品药品监督管理局《关于实施餐饮服务食品安全监督量化分级管理工作的"
    "指导意见》（国食药监食〔2012〕5号）：动态等级（优秀/良好/一般，对应大笑、微笑、平脸）是对每次检查结果的评定，"
    "年度等级（A/B/C）是对近12个月的评定；新取得许可证3个月内不评定动态等级，经营者发生食品安全事故（《中华人民"
    "共和国食品安全法》第一百五十条；以系统中记录的事故为准）后6个月内亦不评定。分值标准：2011年征求意见稿（海南"
    "2012年以10分制规定相同标准）：得分≥90为优秀，75–90为良好，60–75为一般，低于60不评级；年度平均分≥90为A级，"
    "75–90为B级，60–75为C级；海南：2项及以上关键项不合格的不评级。等级服从检查结论（《食品生产经营监督检查管理"
    "办法》，市场监管总局令第49号，2021年：符合/基本符合/不符合）：结论为不符合的检查，无论得分多少最高评为一般"
    "（“不符合检查的最高动态等级”）；结论为基本符合的按得分评定（“基本符合检查的最高动态等级”为优秀）。国家文件未规定"
    "三种结论与三个等级的对应关系：有规定的省份在此设置本省的对应关系。每项不合格的扣分为系统默认值（非官方数值），"
    "可修改。"
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
