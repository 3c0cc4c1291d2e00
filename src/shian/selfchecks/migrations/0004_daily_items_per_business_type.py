"""The daily check (日管控) depends on the business type (issue 9): an item lists the types it is asked of
(none: every type). Producers and sellers are no longer asked about 生熟分开 or tableware disinfection;
canteens, central kitchens and group-meal distributors keep 留样; schools and kindergartens add 陪餐 and
农残快检, takeout 外卖封签, central kitchens and group-meal distributors delivery temperature and time,
producers their process control and release testing, sellers shelf-life checks. Existing items keep their
ids (filed checks hold them); the per-type duplicates of 留样 become one item, the others inactive."""

from django.db import migrations, models

CATERING = [
    "catering",
    "takeout",
    "school_canteen",
    "kindergarten_canteen",
    "elderly_canteen",
    "other_canteen",
    "central_kitchen",
    "group_meal",
]
# 留样 is required (应) of these; other workplace canteens are only advised (宜) to keep samples (2018 规范)
SAMPLES = ["school_canteen", "kindergarten_canteen", "elderly_canteen", "central_kitchen", "group_meal"]
SCHOOLS = ["school_canteen", "kindergarten_canteen"]
ORDER60 = "《企业落实食品安全主体责任监督管理规定》（市场监管总局令第60号，2022年）"
DUTY = ORDER60 + "日管控：对照风险管控清单；食堂：《集中用餐单位落实食品安全主体责任监督管理规定》（2025年）"
LAW = "《中华人民共和国食品安全法》"
PRACTICE = "《餐饮服务食品安全操作规范》（市场监管总局，2018年）"
# existing items by their old order: (new text or None to keep, business types, source)
EXISTING = {
    1: (None, [], DUTY + "；" + LAW + "第四十五条（从业人员健康管理）"),
    2: ("进货查验：票证齐全，无过期变质的食品及原料", [], DUTY + "；" + LAW + "第五十条、第五十三条、第五十五条"),
    3: (None, [], DUTY),
    4: (None, CATERING, PRACTICE + "：生熟分开（仅餐饮服务）"),
    5: (None, CATERING, PRACTICE + "：餐用具清洗消毒（仅餐饮服务）"),
    6: (None, CATERING + ["production"], DUTY + "；GB 2760"),
    7: (None, [], DUTY),
    8: (None, SAMPLES, PRACTICE + "：集体用餐单位（食堂、中央厨房、集体用餐配送单位）留样"),
}
NEW = [
    ("生产过程关键控制点（投料、杀菌、配料等）受控并记录", ["production"], ORDER60 + "：食品生产企业风险管控清单"),
    ("出厂检验按规定进行并记录，不合格品已隔离", ["production"], ORDER60 + "：食品生产企业风险管控清单"),
    ("在售食品无过期变质，临近保质期食品集中陈列并提示", ["sales"], ORDER60 + "：食品销售企业风险管控清单"),
    ("学校（幼儿园）负责人陪餐并记录", SCHOOLS, "《学校食品安全与营养健康管理规定》（2019年）第九条：陪餐"),
    ("蔬菜水果农药残留快速检测并记录", SCHOOLS, "学校食堂通行做法（本地规则，可由监管部门修改）"),
    ("外卖使用食品安全封签，配送容器清洁", ["takeout"], "浙江“浙江外卖在线”（2021年）外卖封签承诺（本地规则，可由监管部门修改）"),
    ("配送食品温度（热藏≥60℃、冷藏≤8℃）和送达时间记录完整", ["central_kitchen", "group_meal"], PRACTICE + "：集体用餐配送"),
]


def forward(apps, schema_editor):
    DailyItem = apps.get_model("selfchecks", "DailyItem")
    for item in DailyItem.objects.order_by("order"):
        if item.business_type and item.order > 8:  # the 留样 duplicates of other types
            item.active = False
            item.business_types = [item.business_type]
            item.source = "已合并为适用于所有集体用餐业态的一项留样检查"
            item.save()
            continue
        text, types, source = EXISTING.get(item.order, (None, [item.business_type] if item.business_type else [], ""))
        item.text = text or item.text
        item.business_types = types
        item.source = source[:255]
        item.save()
    last = DailyItem.objects.order_by("-order").values_list("order", flat=True).first() or 0
    DailyItem.objects.bulk_create(
        [
            DailyItem(order=last + n, text=text, business_types=types, source=source[:255])
            for n, (text, types, source) in enumerate(NEW, start=1)
        ]
    )


def backward(apps, schema_editor):
    DailyItem = apps.get_model("selfchecks", "DailyItem")
    DailyItem.objects.filter(text__in=[t for t, _types, _s in NEW]).delete()
    for item in DailyItem.objects.all():
        types = item.business_types or []
        item.business_type = types[0] if len(types) == 1 else ""
        item.active = True
        item.save()


class Migration(migrations.Migration):
    dependencies = [("selfchecks", "0003_kind_labels_english")]

    operations = [
        migrations.AddField(
            model_name="dailyitem",
            name="business_types",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The business types asked this item (registry business type codes); empty: every type.",
                verbose_name="business types",
            ),
        ),
        migrations.AddField(
            model_name="dailyitem",
            name="source",
            field=models.CharField(blank=True, max_length=255, verbose_name="source"),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="dailyitem", name="business_type"),
    ]
