"""Default checklists (after the SAMR 检查要点 structure) and the result rule. Both are editable data."""

from django.db import migrations

SOURCE = ("ShiAn default after the structure of SAMR's 食品生产经营监督检查要点表 (2022); key items (重点项) marked. "
          "A bureau replaces or versions it.")
CATERING = [
    ("许可管理", "食品经营许可证合法有效，经营场所、主体业态、经营项目与许可一致", True),
    ("信息公示", "在醒目位置公示许可证、监督检查结果记录表和量化分级信息", False),
    ("制度管理", "建立食品安全管理制度，按规定配备食品安全总监、食品安全员", False),
    ("人员管理", "从业人员持有效健康证明上岗", True),
    ("人员管理", "从业人员穿戴清洁的工作衣帽，操作时不佩戴饰物", False),
    ("环境卫生", "食品处理区无蝇虫、鼠害痕迹，防鼠防虫防尘设施完好", True),
    ("环境卫生", "加工经营场所保持清洁，垃圾桶加盖且及时清理", False),
    ("原料控制", "查验供货者许可证和产品合格证明，进货查验记录完整", True),
    ("原料控制", "无腐败变质、超过保质期或来源不明的食品及原料", True),
    ("加工制作", "生熟分开，工具、容器分开使用并有明显标识", False),
    ("加工制作", "冷藏、冷冻设备温度符合要求并有记录", True),
    ("加工制作", "按规定使用食品添加剂，专柜存放、专人保管、记录使用", True),
    ("餐饮具", "餐饮具清洗消毒，保洁设施正常使用", True),
    ("留样", "集体用餐按规定留样：每餐每样不少于 125 克，冷藏不少于 48 小时", True),
    ("设施设备", "洗手消毒设施完好，水池分类使用", False),
    ("明厨亮灶", "后厨视频或透明明档正常运行", False),
    ("企业自查", "开展日管控、周排查、月调度并留存记录", False),
    ("投诉处置", "建立投诉受理和处置机制", False),
]
SALES = [
    ("许可管理", "食品经营许可或备案合法有效，与实际经营一致", True),
    ("信息公示", "在醒目位置公示许可证（备案凭证）和监督检查结果", False),
    ("进货查验", "查验供货者许可证和合格证明，进货查验记录完整", True),
    ("食品质量", "无腐败变质、超过保质期或来源不明的食品", True),
    ("贮存条件", "冷藏、冷冻食品贮存温度符合标签标示要求", True),
    ("标签标识", "预包装食品标签完整，散装食品标明名称、生产日期、保质期", False),
    ("临期食品", "临近保质期食品集中陈列并显著提示", False),
    ("进口食品", "进口预包装食品有中文标签并能提供入境检验检疫证明", True),
    ("人员管理", "从业人员持有效健康证明上岗", True),
    ("环境卫生", "经营场所整洁，食品与有毒有害物品分开存放", False),
    ("企业自查", "开展日管控、周排查、月调度并留存记录", False),
]
PRODUCTION = [
    ("许可管理", "食品生产许可证合法有效，生产的品种与许可范围一致", True),
    ("原辅料", "原辅料进货查验记录完整，不使用非食品原料", True),
    ("添加剂", "按 GB 2760 使用食品添加剂，使用记录完整", True),
    ("过程控制", "关键控制点受控并有记录", True),
    ("出厂检验", "按规定进行出厂检验并保存记录", True),
    ("不合格品", "不合格品有标识、隔离并按规定处置", False),
    ("标签", "产品标签符合 GB 7718 等标准要求", False),
    ("人员管理", "从业人员健康管理和培训记录完整", False),
    ("设备设施", "生产设备设施维护保养并有记录", False),
    ("追溯召回", "建立食品安全追溯体系和召回制度", True),
    ("企业自查", "开展日管控、周排查、月调度并留存记录", False),
]
BY_TYPE = {
    "catering": ("餐饮服务日常监督检查表", CATERING), "takeout": ("网络餐饮服务日常监督检查表", CATERING),
    "school_canteen": ("学校食堂日常监督检查表", CATERING), "elderly_canteen": ("养老食堂日常监督检查表", CATERING),
    "central_kitchen": ("中央厨房日常监督检查表", CATERING), "sales": ("食品销售日常监督检查表", SALES),
    "importer": ("进口食品经营日常监督检查表", SALES), "production": ("食品生产日常监督检查表", PRODUCTION),
}
RULE_SOURCE = ("SAMR Order 49 (2021): results are 符合 / 基本符合 / 不符合. Thresholds are common local practice "
               "(any key item failed, or more than 5 general items, means 不符合); editable.")


def seed(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    Rule = apps.get_model("inspections", "ResultRule")
    for btype, (name, items) in BY_TYPE.items():
        template = Template.objects.create(name=name, business_type=btype, version="2026.1", source=SOURCE)
        Item.objects.bulk_create([Item(template=template, order=i, section=s, text=t, is_key=k)
                                  for i, (s, t, k) in enumerate(items, start=1)])
    Rule.objects.bulk_create([
        Rule(order=1, max_key_failures=0, max_general_failures=0, conclusion="conform", source=RULE_SOURCE),
        Rule(order=2, max_key_failures=0, max_general_failures=5, conclusion="basically", source=RULE_SOURCE),
        Rule(order=3, max_key_failures=999, max_general_failures=999, conclusion="nonconform", source=RULE_SOURCE),
    ])


def unseed(apps, schema_editor):
    apps.get_model("inspections", "ChecklistTemplate").objects.all().delete()
    apps.get_model("inspections", "ResultRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
