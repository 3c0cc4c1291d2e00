"""Checklists per business type (issue 9): one catering list served catering, takeout, school, elderly and
central kitchens alike. Now each type has its own version "2026.2" (the earlier versions stay, inactive, for
the inspections recorded on them):

- catering (餐馆等): the 2026.1 catering items without 留样 (meal samples are the collective-dining units'
  duty; a restaurant keeps them for a 重大活动 only);
- canteens (school, kindergarten, elderly-care, other workplace): the catering items with 留样; school and
  kindergarten canteens also 晨检, 陪餐 and 农残快检;
- online catering providers (入网餐饮服务提供者, takeout): catering + licence shown on the platform page +
  外卖封签;
- central kitchens and group-meal distributors (集体用餐配送单位): catering with 留样 + delivery temperature and
  delivery time;
- production: the items of 表1-1 食品生产日常监督检查要点表 (51: 21 key, 30 general);
- sales: unchanged (its 进口食品 item serves sellers that import; answer 合理缺项 otherwise).

The retired 进口食品经营 template: importers are no 业态 (registry: a seller with ``Business.imports_food``);
the template is kept for its inspections, inactive, filed under sales.

Both tables' ``source`` becomes free text (a full citation does not fit 255 characters).

The result rule's "more than 5 general failures → 不符合" was cited as common local practice with no text
behind it: its source now says so (a local, editable threshold)."""

from django.db import migrations, models

VERSION = "2026.2"
OLD_VERSION = "2026.1"
CATERING_SOURCE = (
    "参照《餐饮服务日常监督检查要点表》（表1-3，原国家食品药品监督管理总局食药监食监一〔2016〕58号，配套原国家食品"
    "药品监督管理总局令第23号，2016年）的结构及《食品生产经营监督检查管理办法》（市场监管总局令第49号，2021年）"
    "第十四条（检查要点）；留样依据《餐饮服务食品安全操作规范》（2018年）和《学校食品安全与营养健康管理规定》"
    "（2019年）；检查项目表述为本系统摘要，标注重点项。监管部门可替换或另立版本。"
)
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
    ("设施设备", "洗手消毒设施完好，水池分类使用", False),
    ("明厨亮灶", "后厨视频或透明明档正常运行", False),
    ("企业自查", "开展日管控、周排查、月调度并留存记录", False),
    ("投诉处置", "建立投诉受理和处置机制", False),
]
SAMPLES = (
    "留样",
    "按规定留样：每餐次每个品种不少于 125 克，专用冷藏设备冷藏不少于 48 小时，标明留样时间、品名、留样人",
    True,
)
# 餐饮服务食品安全操作规范 (2018) 留样: required (应) of school, childcare, elderly-care and hospital canteens,
# central kitchens, group-meal distributors, site canteens serving more than 100; advised (宜) of the others —
# so for the other workplace canteens it is a general item, not a key one
SAMPLES_ADVISED = (
    "留样",
    "留样（医院食堂、供餐超过 100 人的工地食堂等应留样，其他单位食堂宜留样）：每餐次每个品种不少于 125 克，冷藏不少于 48 小时",
    False,
)
SCHOOL = [
    ("人员管理", "每日晨检：从业人员无发热、腹泻、皮肤伤口或感染、咽部炎症等，晨检记录完整", True),
    ("陪餐", "学校（幼儿园）相关负责人按规定陪餐，陪餐记录完整", False),
    ("原料控制", "蔬菜水果等按规定进行农药残留快速检测，检测记录完整", False),
]
SCHOOL_SOURCE = (
    CATERING_SOURCE
    + "学校和幼儿园食堂：《学校食品安全与营养健康管理规定》（教育部、市场监管总局、国家卫生健康委令第45号，2019年）："
    "陪餐（第九条）、从业人员晨检和留样（条款号待核实）；农药残留快检依据地方学校食堂规定（通行做法，本地规则，"
    "可由监管部门修改）。"
)
TAKEOUT = [
    ("网络餐饮", "在网络平台公示食品经营许可证，公示信息与实体店一致", True),
    ("网络餐饮", "外卖配送使用食品安全封签（外卖封签），送餐容器清洁并保证食品不受污染", False),
]
TAKEOUT_SOURCE = (
    CATERING_SOURCE
    + "入网餐饮服务提供者：《网络餐饮服务食品安全监督管理办法》（原国家食品药品监督管理总局令第36号，2017年，"
    "2020年修订）：在网络平台经营页面公示许可证，配送容器保证食品安全（条款号待核实）；外卖封签依据浙江“浙江外卖"
    "在线”承诺（2021年；本地规则，可由监管部门修改）。"
)
DELIVERY = [
    ("配送运输", "配送食品温度符合要求：热藏不低于 60℃，冷藏不高于 8℃，配送温度有记录", True),
    ("配送运输", "标注加工时间和食用时限，烹饪后至食用不超过 2 小时（否则热藏或冷藏），配送时间有记录", True),
]
DELIVERY_SOURCE = (
    CATERING_SOURCE + "中央厨房和集体用餐配送单位：《餐饮服务食品安全操作规范》（市场监管总局，2018年）关于集体用餐"
    "配送的规定（热藏不低于60℃或冷藏不高于8℃；烹饪后至食用超过2小时的应热藏或冷藏；标注加工时间和食用时限）；"
    "《食品生产经营监督检查管理办法》（市场监管总局令第49号）第二十二条将其列为重点监督检查对象。"
)
PRODUCTION_SOURCE = (
    "《食品生产日常监督检查要点表》（表1-1，原国家食品药品监督管理总局食药监食监一〔2016〕58号，原国家食品药品监督"
    "管理总局令第23号配套表格，2016年；表头：食品通用检查项目 重点项(*) 21 项，一般项 30 项，共 51 项；每次检查"
    "至少检查10个重点项、共20个项目；合理缺项不计为不合格；“食品添加剂生产者管理”部分仅适用于食品添加剂生产者，"
    "不在本表内）。《食品生产经营监督检查管理办法》（市场监管总局令第49号，2021年）规定检查要点由市场监管总局制定、"
    "省级部门可以细化：本表检查项目表述为本系统对2016年要点表的摘要，待与本省现行要点表核实。"
)
PRODUCTION = [
    ("生产者资质", "食品生产许可证合法有效，在有效期内", True),
    ("生产者资质", "实际生产的食品品种、生产地址与许可一致", True),
    ("生产环境条件", "厂区无扬尘、积水，厂区、车间卫生整洁", False),
    ("生产环境条件", "厂区、车间与有毒有害场所及其他污染源保持规定距离", False),
    ("生产环境条件", "卫生间保持清洁，未与食品生产、包装或贮存区域直接连通", False),
    ("生产环境条件", "更衣、洗手、干手、消毒设施满足正常使用", False),
    ("生产环境条件", "通风、防尘、照明、存放垃圾和废弃物等设施正常运行", False),
    ("生产环境条件", "洗涤剂、消毒剂等化学品与原料、半成品、成品、包装材料分隔存放，有使用记录", False),
    ("生产环境条件", "定期检查防鼠、防蝇、防虫害设施并记录，生产场所无有害生物活体或痕迹", False),
    ("生产环境条件", "生产设备设施定期维护保养并记录", False),
    ("进货查验结果", "查验食品原料、食品添加剂、食品相关产品供货者的许可证和产品合格证明", True),
    ("进货查验结果", "进货查验记录真实完整，保存期限符合规定", True),
    ("进货查验结果", "原辅料的贮存、保管记录和领用出库记录完整", False),
    ("进货查验结果", "无法提供合格证明的原料按食品安全标准检验", False),
    ("生产过程控制", "有食品安全自查制度、从业人员健康管理制度和关键环节控制制度", False),
    ("生产过程控制", "未使用非食品原料、回收食品、超过保质期的原料或添加非食用物质", True),
    ("生产过程控制", "未超范围、超限量使用食品添加剂", True),
    ("生产过程控制", "生产投料、关键控制点（杀菌、配料等）按规定控制并记录", True),
    ("生产过程控制", "未添加药品或仅用于保健食品的原料（按规定可添加的除外）", True),
    ("生产过程控制", "生产用水符合生活饮用水卫生标准", True),
    ("生产过程控制", "原料、半成品、成品存放分区，防止交叉污染", False),
    ("生产过程控制", "食品添加剂专人专库（专区）管理，使用记录完整", False),
    ("生产过程控制", "包装材料、容器和工具符合食品安全标准，与食品接触面清洁", False),
    ("生产过程控制", "生产记录（投料、批次、工艺参数）真实完整", False),
    ("委托生产", "委托生产的，受托方具备相应许可，委托合同和生产记录完整", False),
    ("产品检验结果", "自行检验的，具备与所检项目相适应的检验室和检验能力，检验仪器按规定检定校准", True),
    ("产品检验结果", "委托检验的，受托机构具有相应资质", False),
    ("产品检验结果", "按食品安全标准和企业标准进行出厂检验，检验记录完整", True),
    ("产品检验结果", "按规定留存出厂检验样品", False),
    ("产品检验结果", "有与所生产食品相适应的食品安全标准文本", False),
    ("贮存及交付控制", "原辅料、成品贮存条件符合标签和标准要求", False),
    ("贮存及交付控制", "贮存、运输和装卸食品的容器、工具和设备安全无害，保持清洁", False),
    ("贮存及交付控制", "食品出厂（销售）记录真实完整", True),
    ("贮存及交付控制", "仓库内无有毒有害物品和个人杂物", False),
    ("不合格品管理和食品召回", "不合格品有标识、隔离存放并按规定处置，有记录", True),
    ("不合格品管理和食品召回", "建立并实施食品召回制度，召回和处置记录完整", True),
    ("不合格品管理和食品召回", "召回食品按规定向监管部门报告", False),
    ("标签和说明书", "预包装食品标签符合 GB 7718 等标准，标注内容真实", True),
    ("标签和说明书", "食品添加剂按规定标注", False),
    ("标签和说明书", "说明书和标签无虚假、夸大宣传及涉及疾病预防、治疗功能的内容", True),
    ("标签和说明书", "生产日期、保质期标注清晰，未篡改", True),
    ("食品安全自查", "定期对食品安全状况进行检查评价，自查记录完整", True),
    ("食品安全自查", "发现问题及时整改，有重大风险时停止生产并报告", False),
    ("从业人员管理", "配备食品安全总监、食品安全员，落实日管控、周排查、月调度", False),
    ("从业人员管理", "从业人员持有效健康证明", True),
    ("从业人员管理", "从业人员食品安全知识培训和考核记录完整", False),
    ("从业人员管理", "从业人员进入车间按规定更衣、洗手、消毒", False),
    ("信息记录和追溯", "建立并实施食品安全追溯体系，信息记录可追溯", True),
    ("信息记录和追溯", "各项记录保存期限不少于产品保质期满后六个月，无保质期的不少于二年", False),
    ("食品安全事故处置", "制定食品安全事故处置方案，定期检查安全防范措施落实情况", False),
    ("食品安全事故处置", "发生食品安全事故的，立即处置并按规定报告", True),
]
RULE_SOURCE = (
    "《食品生产经营监督检查管理办法》（市场监管总局令第49号，2021年）：检查结果分为符合、基本符合、不符合。判定"
    "阈值（任一重点项不合格，或一般项不合格超过5项，即为不符合）为本地规则（系统默认值（非官方数值），可由监管部门"
    "修改）：未找到规定该阈值的国家文件；2016年结果记录表通知（食药监食监一〔2016〕58号）另有判定方法——监管部门"
    "在此录入本省的规则。"
)


def _template(apps, btype, name, items, source):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    template = Template.objects.create(name=name, business_type=btype, version=VERSION, source=source)
    Item.objects.bulk_create(
        [Item(template=template, order=i, section=s, text=t, is_key=k) for i, (s, t, k) in enumerate(items, start=1)]
    )


def forward(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Rule = apps.get_model("inspections", "ResultRule")
    # the retired importer template: kept (inspections refer to it), inactive, filed under sales
    Template.objects.filter(business_type="importer").update(
        business_type="sales",
        active=False,
        source="2026年停用：进口商不是业态，进口商是有“进口食品”属性的食品销售者或生产者（《食品经营许可和备案管理办法》，"
        "市场监管总局，2023年）。保留此表供已记录的检查引用。",
    )
    replaced = ["catering", "takeout", "school_canteen", "elderly_canteen", "central_kitchen", "production"]
    Template.objects.filter(business_type__in=replaced, version=OLD_VERSION).update(active=False)
    canteen = CATERING + [SAMPLES]
    _template(apps, "catering", "餐饮服务日常监督检查表", CATERING, CATERING_SOURCE)
    _template(apps, "takeout", "网络餐饮服务（入网餐饮服务提供者）监督检查表", CATERING + TAKEOUT, TAKEOUT_SOURCE)
    _template(apps, "school_canteen", "学校食堂监督检查表", canteen + SCHOOL, SCHOOL_SOURCE)
    _template(apps, "kindergarten_canteen", "幼儿园（托幼机构）食堂监督检查表", canteen + SCHOOL, SCHOOL_SOURCE)
    _template(apps, "elderly_canteen", "养老机构食堂监督检查表", canteen, CATERING_SOURCE)
    _template(apps, "other_canteen", "单位食堂监督检查表", CATERING + [SAMPLES_ADVISED], CATERING_SOURCE)
    _template(apps, "central_kitchen", "中央厨房监督检查表", canteen + DELIVERY, DELIVERY_SOURCE)
    _template(apps, "group_meal", "集体用餐配送单位监督检查表", canteen + DELIVERY, DELIVERY_SOURCE)
    _template(apps, "production", "食品生产监督检查要点表", PRODUCTION, PRODUCTION_SOURCE)
    Rule.objects.update(source=RULE_SOURCE)


def backward(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Template.objects.filter(version=VERSION).delete()
    Template.objects.filter(version=OLD_VERSION).update(active=True)
    Template.objects.filter(name="进口食品经营日常监督检查表").update(business_type="importer")


class Migration(migrations.Migration):
    dependencies = [("inspections", "0010_rating_follows_conclusion")]
    operations = [
        # a full citation does not fit 255 characters
        migrations.AlterField(
            model_name="checklisttemplate", name="source", field=models.TextField(verbose_name="source")
        ),
        migrations.AlterField(model_name="resultrule", name="source", field=models.TextField(verbose_name="source")),
        migrations.RunPython(forward, backward),
    ]
