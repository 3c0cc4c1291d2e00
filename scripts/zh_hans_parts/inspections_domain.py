"""Inspections and self-checks, issue 9: the 量化分级 level that follows the inspection's conclusion, the
recorded-incident rule, checklists and daily items per business type; issue 8 bad-input messages."""

ZH = {
    # inspections/models.py RatingPolicy
    "best level of a 基本符合 inspection": "基本符合检查的最高动态等级",
    "best level of a 不符合 inspection": "不符合检查的最高动态等级",
    "An inspection that does not conform cannot give 优秀 or 良好, whatever its score.": (
        "检查结果为不符合的，无论得分多少，动态等级不得评为优秀或良好。"
    ),
    "A 不符合 inspection cannot be rated above a 基本符合 one.": "不符合检查的等级不得高于基本符合检查。",
    # inspections/rating.py
    "food-safety incident on %(d)s (within %(m)d months)": "%(d)s 发生食品安全事故（%(m)d 个月内）",
    "at most %(level)s: the inspection concluded “%(c)s”": "最高为%(level)s：检查结果为“%(c)s”",
    "the inspection concluded “%(c)s”": "检查结果为“%(c)s”",
    # inspections/services.py, views.py: bad input
    "At most %(n)d characters (this has %(m)d).": "最多 %(n)d 个字符（当前 %(m)d 个）。",
    "The form's version is not a number: reload the page.": "表单版本号无效，请刷新页面。",
    "note of item %(id)s": "第 %(id)s 项的说明",
    # selfchecks/models.py DailyItem
    "business types": "业态",
    "The business types asked this item (registry business type codes); empty: every type.": (
        "适用本项的业态（主体登记的业态代码）；留空表示所有业态。"
    ),
    "Unknown business types: %(t)s.": "未知的业态：%(t)s。",
    "day": "日期",
}

ZH_CONTEXT = {
    ("dynamic level", "Excellent (优秀)"): "优秀",
    ("dynamic level", "Good (良好)"): "良好",
    ("dynamic level", "Fair (一般)"): "一般",
    ("dynamic level", "No level"): "不予评定",
}
