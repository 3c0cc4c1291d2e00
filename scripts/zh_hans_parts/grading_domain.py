# ruff: noqa: E501 - one translation per line reads best
"""Risk grading (issue 9 items 3 and 8): caps on static and dynamic points, rule-table contradictions,
static rows by attribute, 重点监督检查 (SAMR Order 49 Art. 22)."""

ZH = {
    # rule set caps
    "static points, at most": "静态风险分值上限",
    "dynamic points, at most": "动态风险分值上限",
    "Static points, at most": "静态风险分值上限",
    "Dynamic points, at most": "动态风险分值上限",
    "The cap on static points (SAMR 2016: 40). Empty: no cap.": "静态风险因素分值上限（2016 年《食品生产经营风险分级管理办法（试行）》：40）。留空：不设上限。",
    "The cap on the sum of dynamic points (SAMR 2016: 60). Empty: no cap.": "动态风险因素分值合计上限（2016 年《食品生产经营风险分级管理办法（试行）》：60）。留空：不设上限。",
    "The cap %(cap)s is below a static factor's points (%(row)s).": "上限 %(cap)s 低于某一静态因素的分值（%(row)s）。",
    "The cap %(cap)s is below a dynamic factor's maximum (%(row)s at most %(max)s).": "上限 %(cap)s 低于某一动态因素的最高分（%(row)s 最多 %(max)s）。",
    "With these caps no score exceeds %(max)s, so grade %(g)s (above %(min)s) is never reached.": "按此上限，分值不会超过 %(max)s，等级 %(g)s（高于 %(min)s）永远不会出现。",
    "The rule set has no grade bands.": "该规则集没有等级区间。",
    "%(name)s cannot grade: %(problems)s": "%(name)s 无法用于评级：%(problems)s",
    "cap on dynamic points": "动态风险分值上限",
    # static factors by attribute
    "only with attribute": "仅限具有该属性",
    "A row with an attribute applies, instead of the plain rows, to businesses that have it.": "设有属性的行适用于具有该属性的经营主体，并取代同业态的一般行。",
    "Empty: the rule set's source.": "留空：以规则集的依据为准。",
    "%(p)s is above the rule set's cap on static points (%(cap)s).": "%(p)s 超过规则集的静态风险分值上限（%(cap)s）。",
    "The rule set already has a row for this business type, attribute and scale.": "该规则集已有相同业态、属性和规模的行。",
    "%(p)s is above the rule set's cap on dynamic points (%(cap)s).": "%(p)s 超过规则集的动态风险分值上限（%(cap)s）。",
    # bands
    "At most (%(hi)s) is below at least (%(lo)s).": "上限（%(hi)s）低于下限（%(lo)s）。",
    "Grade %(g)s already starts above %(s)s: bands may not overlap.": "等级 %(g)s 已从 %(s)s 以上开始：等级区间不得重叠。",
    "The lowest band must start below 0: scores from 0 to %(s)s would have no grade.": "最低等级区间须从 0 以下开始：否则 0 至 %(s)s 分没有等级。",
    "Scores never exceed %(max)s under the rule set's caps: this band would never be given.": "按规则集的分值上限，分值不会超过 %(max)s：此等级永远不会出现。",
    # key supervision
    "food producers": "食品生产者",
    "food sellers and caterers": "食品经营者",
    "key-supervision rule": "重点监督检查规则",
    "key-supervision rules": "重点监督检查规则",
    "sector": "类别",
    "attribute": "属性",
    "grades": "等级",
    "Comma-separated, e.g. C,D. Empty: any grade.": "以逗号分隔，如 C,D。留空：任何等级。",
    "Empty: the upper end of the grade's range.": "留空：按所属等级检查频次的上限。",
    "Set at least one condition: a rule without one puts every business under it.": "请至少设置一个条件：没有条件的规则会把所有经营主体列入。",
    "%(t)s is not among %(s)s: no business could match.": "%(t)s 不属于%(s)s：不会有经营主体符合。",
    "Not a grade of this rule set: %(g)s (its grades: %(known)s).": "不是该规则集的等级：%(g)s（其等级为：%(known)s）。",
    "key supervision": "重点监督检查",
    "key-supervision reasons": "重点监督检查原因",
    "Key supervision": "重点监督检查",
    "Under key supervision": "重点监督检查对象",
    "Under key supervision only": "仅看重点监督检查对象",
    "SAMR Order 49 Art. 22: the key-supervision rules of the rule set in force": "《食品生产经营监督检查管理办法》（市场监管总局令第 49 号）第二十二条：现行规则集的重点监督检查规则",
    "Under key supervision (重点监督检查): planned more often and in every year's plan.": "列为重点监督检查对象：检查频次更高，且每年均列入检查计划。",
    "Key supervision (重点监督检查)": "重点监督检查",
    "Applies to": "适用对象",
    "Inspections per year, at least": "每年检查次数（至少）",
    "the upper end of the grade's range": "所属等级检查频次的上限",
    "No key-supervision rules.": "无重点监督检查规则。",
    "%(score)s; key supervision: %(why)s": "%(score)s；重点监督检查：%(why)s",
    "Under 重点监督检查 (SAMR Order 49 Art. 22), by the key-supervision rules of the rule set": "按规则集的重点监督检查规则列为重点监督检查对象（总局令第 49 号第二十二条）",
}

ZH_CONTEXT = {
    ("key supervision, short", "Key"): "重点",
}
