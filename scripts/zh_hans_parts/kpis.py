"""The dashboard tiles' definitions (core/kpis.py Tile.definition, each app's kpis.py, core/_tiles.html)."""

ZH = {
    "How this figure is counted": "该指标的统计口径",
    "How it is counted": "统计口径",
    # registry
    "Businesses in your scope whose status on the register is operating (在营), counted today. Suspended and "
    "deregistered businesses are not counted.": (
        "您权限范围内登记状态为“在营”的经营主体数，按今日统计；停业、注销的不计入。"
    ),
    "两员配备率 = operating businesses that have, among their active staff, every role the staffing rule table "
    "requires of their type, scale and diners per meal (a food-safety director 食品安全总监, an officer 食品安全员, "
    "or both) ÷ all operating businesses, × 100. Counted today, in your scope.": (
        "两员配备率 =（在岗人员已按配备规则表对其业态、规模和每餐供餐人数的要求配齐食品安全总监和/或食品安全员的"
        "在营主体数）÷ 在营主体总数 × 100%。按今日统计，范围为您的权限范围。"
    ),
    "Licences (food business and food production licences) of operating businesses in your scope whose validity "
    "ends between today and %(n)d days from today, both days included. It counts licences, not businesses; "
    "filings (备案) have no expiry and are never counted.": (
        "您权限范围内在营主体持有的许可证（食品经营许可证、食品生产许可证）中，有效期截止日在今日至 %(n)d 天后"
        "（含首尾两日）之间的张数。按许可证计数，不按主体计数；备案凭证无有效期，不计入。"
    ),
    "Operating businesses in your scope that have at least one licence on record but none valid today: the "
    "validity of every licence they hold ended before today (a filing, 备案, counts as valid). Businesses with no "
    "licence on record at all are not counted here.": (
        "您权限范围内有许可证记录、但今日无一有效的在营主体数：其所持全部许可证的有效期均已在今日之前届满"
        "（备案视为有效）。完全没有许可证记录的主体不在此计数。"
    ),
    # hazards
    "Hazards of businesses in your scope whose loop is still open today: found, rectification ordered, "
    "rectifying, evidence submitted, or verified and awaiting closing. Closed hazards and hazards escalated to a "
    "case (立案) are not counted.": (
        "您权限范围内经营主体截至今日尚未闭环的隐患数：包括已发现、已责令整改、整改中、已提交整改材料，"
        "以及已复查待销号的隐患。已闭环和已转立案的隐患不计入。"
    ),
    "Open hazards of businesses in your scope still awaiting rectification (found, ordered, rectifying or "
    "evidence submitted) whose rectification deadline is before today. Verified hazards are not overdue; "
    "escalated ones are counted as cases, not here.": (
        "您权限范围内经营主体尚待整改（已发现、已责令整改、整改中或已提交整改材料）且整改期限早于今日的隐患数。"
        "已复查的隐患不算超期；已转立案的按案件统计，不在此计数。"
    ),
    "整改按期闭环率 = hazards closed after rectification on or before their deadline (or with no deadline set) "
    "and never escalated ÷ hazards whose loop has ended (closed, or escalated to a case and not yet closed), × "
    "100, over every hazard recorded for businesses in your scope. A hazard escalated for being overdue counts "
    "against the rate, whether or not its case is closed since. Median days: from the day found to the day "
    "closed, over closed hazards.": (
        "整改按期闭环率 =（经整改于期限当日或之前闭环（或未设期限）且从未转立案的隐患数）÷（已结束闭环的隐患数："
        "已闭环的，加已转立案尚未办结的）× 100%，统计范围为您权限范围内经营主体有记录以来的全部隐患。"
        "因超期转立案的隐患，无论案件其后是否办结，均计为未按期。中位天数：已闭环隐患自发现之日至闭环之日的"
        "天数中位数。"
    ),
    "Notices addressed to you about hazards (an escalation to a case, rejected evidence) that you have not opened "
    "yet. Shown only when there is at least one.": (
        "发给您且您尚未查看的隐患通知（转立案、整改材料被退回等）条数。仅在至少有一条时显示。"
    ),
    # oversight
    "%(level)s every %(d)d days": "%(level)s每 %(d)d 天",
    "包保督导率 = assignments supervised on schedule ÷ assignments due, × 100, over the 包保 assignments of "
    "businesses in your scope in force today. An assignment is due once it has run for one full period of its "
    "level (%(periods)s); it is on schedule when its latest visit falls within the last period, counted back "
    "from today.": (
        "包保督导率 = 按期督导的包保任务数 ÷ 应督导的包保任务数 × 100%%，统计范围为您权限范围内经营主体今日"
        "仍在有效期内的包保任务。包保任务自开始满其层级的一个督导周期（%(periods)s）后即为应督导；最近一次督导"
        "在自今日倒推的一个周期之内的，为按期督导。"
    ),
    "包保督导率 at %(level)s: the %(level)s assignments supervised on schedule ÷ those due, × 100, over the "
    "assignments of businesses in your scope in force today. Due once it has run for one full period (%(d)s days); "
    "on schedule when its latest visit falls within the last %(d)s days.": (
        "%(level)s包保督导率 = %(level)s包保任务中按期督导的任务数 ÷ 应督导的任务数 × 100%%，统计范围为您权限范围内"
        "经营主体今日仍在有效期内的包保任务。任务满一个督导周期（%(d)s 天）即为应督导；最近一次督导在最近 %(d)s 天"
        "之内的，为按期督导。"
    ),
    # selfchecks
    "日管控落实率 = daily self-checks (日管控) filed for the last %(n)d complete days — yesterday and the %(m)d "
    "days before it — by businesses in your scope operating today ÷ (those businesses × %(n)d), × 100. Today is "
    "not counted: its check may still come in. The hint counts the operating businesses with no daily check filed "
    "for yesterday.": (
        "日管控落实率 = 您权限范围内今日在营的经营主体在最近 %(n)d 个完整日（昨日及此前 %(m)d 日）填报的日管控"
        "记录数 ÷（上述主体数 × %(n)d）× 100%%。今日不计入（当日记录仍可填报）。提示中的数字为昨日未填报日管控"
        "的在营主体数。"
    ),
    # supervision
    "Businesses in your scope whose current risk grade, under the rule set in force, “%(rules)s”, is its "
    "highest-risk grade, %(g)s. Only operating businesses have a current grade; the grade is the one last "
    "computed (nightly, and after each closed inspection).": (
        "您权限范围内按现行规则集（%(rules)s）当前风险等级为最高风险等级 %(g)s 的经营主体数。仅在营主体有当前"
        "等级；等级为最近一次计算的结果（每晚计算，检查办结后也会重算）。"
    ),
    "The routine inspections a year that the current grades of the businesses in your scope require: the sum, "
    "over every graded (operating) business, of the lowest and of the highest number of inspections a year its "
    "grade band sets (%(bands)s).": (
        "您权限范围内经营主体按当前风险等级每年应接受的日常检查次数：对每个已定级（在营）主体，按其等级规定的"
        "年检查频次下限与上限分别求和（%(bands)s）。"
    ),
}

ZH_CONTEXT = {
    ("list separator", "; "): "；",
    ("list separator", ", "): "，",
}
