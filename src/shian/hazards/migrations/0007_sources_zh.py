"""The deadline rules 0002 seeded (with 0006's note on case leads on the serious row) cite their source in
English; a Chinese regulator reads it in Chinese. Only a row still holding exactly the seeded text is
rewritten (a text the bureau has edited is left alone); the reverse puts the English back."""

from django.db import migrations

SOURCE = (
    "Common practice in local rectification rules; no national figure exists. "
    "Set by the bureau (hazards → deadline rules)."
)
# 0006 appended this to the serious row and cut the result to the field's 255 characters
SERIOUS = (
    SOURCE
    + " Serious hazards raise a case lead (案件线索) at once; a case is opened (立案) only by a regulator with the "
    "bureau head's approval (市场监督管理行政处罚程序规定 Arts. 18-19)."
)[:255]
SOURCE_ZH = "各地隐患整改规定的通行做法，国家无统一规定。由监管部门设置（隐患 → 整改期限规则），本地规则，可由监管部门修改。"
SERIOUS_ZH = SOURCE_ZH + (
    "严重隐患立即生成案件线索；是否立案由执法人员提出，经市场监督管理部门负责人批准后决定"
    "（《市场监督管理行政处罚程序规定》第十八条、第十九条）。"
)
TEXTS = [(SOURCE, SOURCE_ZH), (SERIOUS, SERIOUS_ZH)]


def _rewrite(apps, pairs):
    rules = apps.get_model("hazards", "DeadlineRule").objects
    for old, new in pairs:
        rules.filter(source=old).update(source=new)


def forward(apps, schema_editor):
    _rewrite(apps, TEXTS)


def backward(apps, schema_editor):
    _rewrite(apps, [(new, old) for old, new in TEXTS])


class Migration(migrations.Migration):
    dependencies = [("hazards", "0006_case_leads")]
    operations = [migrations.RunPython(forward, backward)]
