"""The rule sets 0002/0003 seeded (names, sources, dynamic-factor notes, UK band labels) in Chinese, like the
rest of the bureau's configuration. Only a value still exactly as seeded is rewritten (a text the bureau has
edited is left alone); the reverse puts the seeded English back."""

from django.db import migrations

CN_CODE, UK_CODE = "cn-samr-2016", "uk-fsa-flcop"

# 0002's source with 0006's caps appended
CN_SOURCE = (
    "食品生产经营风险分级管理办法(试行) (CFDA 2016): static factors max 40, dynamic max 60; bands commonly cited "
    "A 0–30, B >30–45, C >45–60, D >60 (not confirmed in an official text); inspections per year A ≥1, B 1–2, "
    "C 2–3, D 3–4. SAMR Order 49 (2021) Art. 21–22 for the grading duty. Static points per business type and the "
    "dynamic indicator weights are ShiAn's working defaults (school, elderly canteens and central kitchens weigh "
    "highest) for the bureau to calibrate; until inspection results are recorded in ShiAn, hazard and licence "
    "indicators stand in for the inspection-based dynamic factors."
    " Caps: static points at most 40, dynamic points at most 60 (食品生产经营风险分级管理办法(试行), CFDA 2016, "
    "风险分值 = 静态风险因素量化分值 (≤40) + 动态风险因素量化分值 (≤60))."
)
CN_SOURCE_ZH = (
    "《食品生产经营风险分级管理办法（试行）》（原国家食品药品监督管理总局，2016年）：静态风险因素最高40分，"
    "动态风险因素最高60分；常见引用的分级分值为A级0–30分、B级30（不含）–45分、C级45（不含）–60分、D级60分以上"
    "（未见官方文本，待核实）；每年检查次数A级不少于1次、B级1–2次、C级2–3次、D级3–4次。风险分级职责见"
    "《食品生产经营监督检查管理办法》（市场监管总局令第49号，2021年）第二十一条、第二十二条。各业态静态分值和"
    "动态指标权重为系统默认值（非官方数值），可修改（学校食堂、养老机构食堂和中央厨房权重最高），由监管部门校准；"
    "在系统中录入检查结果之前，以隐患和许可证指标代替基于检查结果的动态风险因素。分值上限：静态风险因素最高40分，"
    "动态风险因素最高60分（《食品生产经营风险分级管理办法（试行）》，原国家食品药品监督管理总局，2016年："
    "风险分值 = 静态风险因素量化分值（≤40）+ 动态风险因素量化分值（≤60））。"
)
UK_SOURCE = (
    "UK Food Law Code of Practice (England), Annex 5 intervention rating: categories A ≥92, B 72–91, C 52–71, "
    "D 31–51, E 0–30; intervals 6, 12, 18, 24 months and ~36 months (E, alternative enforcement). Part 1 "
    "(type of food and handling, consumers at risk) approximated by business type; Part 2 (compliance, confidence "
    "in management) approximated by hazard, licence and staffing indicators."
)
UK_SOURCE_ZH = (
    "英国食品标准局（FSA）《食品法实施规范（英格兰）》附件5 干预评级：A类≥92分，B类72–91分，C类52–71分，"
    "D类31–51分，E类0–30分；检查间隔分别为6、12、18、24个月，E类约36个月（采用替代执法方式）。第1部分"
    "（食品类型与加工方式、受影响的消费者）以业态近似；第2部分（合规水平、对管理的信心）以隐患、许可证和两员配备"
    "指标近似。"
)
# (rule set code, seeded, Chinese)
NAMES = [
    (CN_CODE, "食品生产经营风险分级 (SAMR/CFDA 2016)", "食品生产经营风险分级（原国家食品药品监督管理总局，2016年）"),
    (
        UK_CODE,
        "UK FSA Food Law Code of Practice, Annex 5",
        "英国食品标准局（FSA）《食品法实施规范》附件5（UK FSA Food Law Code of Practice, Annex 5）",
    ),
]
SOURCES = [(CN_CODE, CN_SOURCE, CN_SOURCE_ZH), (UK_CODE, UK_SOURCE, UK_SOURCE_ZH)]
NOTES = [
    (CN_CODE, "each open serious hazard", "每个未办结的严重隐患"),
    (CN_CODE, "each hazard past its rectification deadline", "每个超过整改期限的隐患"),
    (CN_CODE, "each hazard escalated to a case in 12 months", "近12个月内每个转为案件的隐患"),
    (CN_CODE, "each open hazard", "每个未办结的隐患"),
    (CN_CODE, "licence expired", "许可证已过期"),
    (CN_CODE, "no licence on record", "无许可证记录"),
    (CN_CODE, "两员 not staffed as the rules require", "两员未按规定配备"),
    (CN_CODE, "each 不符合 inspection in 12 months", "近12个月内每次结论为不符合的检查"),
    (CN_CODE, "each 基本符合 inspection in 12 months", "近12个月内每次结论为基本符合的检查"),
    (UK_CODE, "compliance: hygiene and structure", "合规水平：卫生与设施结构"),
    (UK_CODE, "significant risk", "重大风险"),
    (UK_CODE, "confidence in management", "对管理的信心"),
    (UK_CODE, "compliance: poor at the last inspections", "合规水平：近期检查结果差"),
    (UK_CODE, "compliance: some non-compliance", "合规水平：存在部分不合规"),
]
LABELS = [(UK_CODE, f"every {n} months", f"每{n}个月一次") for n in (36, 24, 18, 12, 6)]


def _rewrite(apps, backwards=False):
    RuleSet = apps.get_model("supervision", "RiskRuleSet")
    Dynamic = apps.get_model("supervision", "DynamicFactor")
    Band = apps.get_model("supervision", "GradeBand")
    for model, field, rows, code_lookup in (
        (RuleSet, "name", NAMES, "code"),
        (RuleSet, "source", SOURCES, "code"),
        (Dynamic, "note", NOTES, "rule_set__code"),
        (Band, "label", LABELS, "rule_set__code"),
    ):
        for code, seeded, chinese in rows:
            old, new = (chinese, seeded) if backwards else (seeded, chinese)
            model.objects.filter(**{code_lookup: code, field: old}).update(**{field: new})


def forward(apps, schema_editor):
    _rewrite(apps)


def backward(apps, schema_editor):
    _rewrite(apps, backwards=True)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0006_rule_set_caps_attributes_key_supervision")]
    operations = [migrations.RunPython(forward, backward)]
