from django.db import migrations

ITEMS = [
    ("从业人员晨检：无发热、腹泻、手部伤口等，健康证在有效期内", ""),
    ("原料进货查验：票证齐全，无过期变质原料", ""),
    ("冷藏冷冻设备温度正常并记录", ""),
    ("加工操作生熟分开，工用具分开使用", ""),
    ("餐用具清洗消毒到位", ""),
    ("食品添加剂专柜存放、使用记录完整", ""),
    ("环境卫生整洁，无虫害迹象，垃圾桶加盖", ""),
    ("按规定留样（每餐每样≥125 克，冷藏≥48 小时）", "school_canteen"),
    ("按规定留样（每餐每样≥125 克，冷藏≥48 小时）", "elderly_canteen"),
    ("按规定留样（每餐每样≥125 克，冷藏≥48 小时）", "central_kitchen"),
]


def seed(apps, schema_editor):
    DailyItem = apps.get_model("selfchecks", "DailyItem")
    DailyItem.objects.bulk_create([DailyItem(order=i, text=t, business_type=bt) for i, (t, bt) in enumerate(ITEMS, 1)])


def unseed(apps, schema_editor):
    apps.get_model("selfchecks", "DailyItem").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("selfchecks", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
