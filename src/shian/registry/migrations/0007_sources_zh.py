"""The 两员 rules 0002 seeded cite their sources in English; a Chinese regulator reads them in Chinese.
Only a row still holding exactly the seeded text is rewritten (a text the bureau has edited is left alone),
and only on the business types 0002 seeded (0006 writes its own rows in Chinese)."""

from django.db import migrations

ORDER60 = "SAMR Order 60 (2022, rev. 2025) 企业落实食品安全主体责任监督管理规定"
CANTEENS = "集中用餐单位落实食品安全主体责任监督管理规定 (in force 2025-04-15)"
ORDER60_ZH = "《企业落实食品安全主体责任监督管理规定》（市场监管总局令第60号，2022年公布，2025年修订）"
CANTEENS_ZH = "《集中用餐单位落实食品安全主体责任监督管理规定》（2025年4月15日起施行）"
TYPES_0002 = [
    "production", "sales", "catering", "school_canteen", "elderly_canteen", "central_kitchen", "takeout", "importer",
]
# (text as 0002 seeded it, Chinese)
TEXTS = [
    (ORDER60 + ": every business appoints an officer", ORDER60_ZH + "：每个企业均应配备食品安全员"),
    (ORDER60 + ": large and medium producers", ORDER60_ZH + "：大中型食品生产企业"),
    (ORDER60 + ": large and medium sellers", ORDER60_ZH + "：大中型食品销售企业"),
    (ORDER60 + ": large and medium caterers", ORDER60_ZH + "：大中型餐饮服务企业"),
    (
        ORDER60 + ": central kitchens and meal-delivery units serving > 1000",
        ORDER60_ZH + "：中央厨房和集体用餐配送单位供餐人数超过1000人",
    ),
    (CANTEENS + ": school canteens ≥ 500 diners per meal", CANTEENS_ZH + "：学校食堂每餐次平均用餐人数500人以上"),
    (
        CANTEENS + ": kindergarten and elderly-care canteens ≥ 300 diners per meal",
        CANTEENS_ZH + "：幼儿园食堂、养老机构食堂每餐次平均用餐人数300人以上",
    ),
]


def _rewrite(apps, pairs):
    rules = apps.get_model("registry", "StaffingRule").objects.filter(business_type__in=TYPES_0002)
    for old, new in pairs:
        rules.filter(source=old).update(source=new)


def forward(apps, schema_editor):
    _rewrite(apps, TEXTS)


def backward(apps, schema_editor):
    _rewrite(apps, [(new, old) for old, new in TEXTS])


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_staffing_rules_2022")]
    operations = [migrations.RunPython(forward, backward)]
