"""The 2026.1 checklists 0002 seeded (kept, inactive, for the inspections recorded on them) cite their source in
English; a Chinese regulator reads it in Chinese. Only a template still holding exactly the seeded text is
rewritten (a text the bureau has edited is left alone)."""

from django.db import migrations

SOURCE = (
    "ShiAn default after the structure of SAMR's 食品生产经营监督检查要点表 (2022); key items (重点项) marked. "
    "A bureau replaces or versions it."
)
SOURCE_ZH = (
    "系统默认值（非官方数值），可修改：参照市场监管总局《食品生产经营监督检查要点表》（2022年）的结构编制，"
    "标注重点项。监管部门可替换或另立版本。"
)


def forward(apps, schema_editor):
    apps.get_model("inspections", "ChecklistTemplate").objects.filter(source=SOURCE).update(source=SOURCE_ZH)


def backward(apps, schema_editor):
    apps.get_model("inspections", "ChecklistTemplate").objects.filter(source=SOURCE_ZH).update(source=SOURCE)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0011_checklists_per_business_type")]
    operations = [migrations.RunPython(forward, backward)]
