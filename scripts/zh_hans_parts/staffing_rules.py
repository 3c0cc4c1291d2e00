# ruff: noqa: E501 - one translation per line reads best
"""The 两员 staffing rule table (registry.StaffingRule): attributes, strict/inclusive diners thresholds,
contradictions refused (issue 9 item 4)."""

ZH = {
    "at least (≥, the number itself counts: 以上)": "≥ 以上（含本数）",
    "more than (>, the number itself does not count: 超过)": "> 超过（不含本数）",
    "only when the business has": "仅适用于具有以下属性的主体",
    "Leave blank for every business of the type.": "留空则适用于该业态的所有主体。",
    "diners per meal threshold": "每餐次用餐（供餐）人数门槛",
    "diners comparison": "人数比较方式",
    "from %(scale)s": "%(scale)s及以上",
    "%(sign)s %(n)s diners per meal": "每餐次人数 %(sign)s %(n)s",
    "every business of the type": "该业态所有主体",
    "The diners threshold cannot be negative.": "人数门槛不能为负数。",
    "“More than” needs a diners per meal threshold.": "选择“超过”时须填写每餐次人数门槛。",
    "Rule #%(pk)s already counts %(n)s diners for this type and role as “%(other)s”: one threshold cannot be both inclusive and exclusive. Edit or deactivate that rule.": "规则 #%(pk)s 已对该业态和岗位的 %(n)s 人按“%(other)s”计算：同一门槛不能既含本数又不含本数。请修改或停用该规则。",
    "This rule repeats active rule #%(pk)s (%(source)s).": "该规则与已启用的规则 #%(pk)s（%(source)s）重复。",
}
