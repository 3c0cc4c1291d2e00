# ruff: noqa: E501 - one translation per line reads best
"""Personal data (issue 10: encrypted, masked, shown in full only through an audited "show") and the employer
of food-safety staff (issue 9: 双食品安全总监 of outsourced canteens)."""

ZH = {
    # whose employee, and what the 两员 rules can require
    "The unit itself": "本单位",
    "The contractor": "承包方",
    "employed by": "所属单位",
    "Employed by": "所属单位",
    "contractor": "承包方名称",
    "The contracted company, when it employs this person.": "聘用此人的承包经营企业（由承包方聘用时填写）。",
    "A canteen run by a contractor has the unit's own director besides the contractor's.": "委托承包经营的食堂，除承包方的食品安全总监外，本单位也应配备食品安全总监。",
    "Name the contractor that employs this person.": "请填写聘用此人的承包方名称。",
    "Leave blank for anyone in the role. For a canteen run by a contractor (dual directors): the unit itself, or the contractor.": "留空则该岗位任何人均可。委托承包经营的食堂（双食品安全总监）：本单位或承包方。",
    "food-safety director of the unit itself": "本单位食品安全总监",
    "contractor's food-safety director": "承包方食品安全总监",
    "food-safety officer of the unit itself": "本单位食品安全员",
    "contractor's food-safety officer": "承包方食品安全员",
    "What is missing": "缺配情况",
    "Only a director row can name whose employee the person must be.": "只有食品安全总监的规则可以指定所属单位。",
    # identity numbers (GB 11643)
    "identity number": "身份证号",
    "Identity number": "身份证号",
    "Resident identity number, commonly recorded for the food-safety director.": "居民身份证号码，通常登记食品安全总监的身份证号。",
    "Identity number must be 18 characters: 17 digits and a check digit or X (GB 11643).": "身份证号应为18位：17位数字加1位校验码（数字或X）（GB 11643）。",
    "Identity number: digits 1–6, the division %(d)s, do not start with a province code.": "身份证号：第1–6位行政区划代码 %(d)s 不以省级代码开头。",
    "Identity number: digits 7–14, %(d)s, are not a date of birth.": "身份证号：第7–14位 %(d)s 不是有效的出生日期。",
    "Identity number: the check character is %(got)s, it should be %(want)s — a digit is mistyped.": "身份证号：校验码为 %(got)s，应为 %(want)s——有数字录入错误。",
    # showing a masked value in full, audited
    "Personal data shown": "查看个人信息",
    "Show": "显示",
    "Show the full number (recorded in the audit log)": "显示完整号码（将记入审计日志）",
    "“%(f)s” is not a value that can be shown; one of: %(names)s": "“%(f)s”不是可显示的字段，可选：%(names)s",
}

ZH_CONTEXT = {
    ("two staff badge", "Missing %(roles)s"): "缺%(roles)s",
}
