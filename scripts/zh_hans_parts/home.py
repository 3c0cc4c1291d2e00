# ruff: noqa: E501 - one translation per line reads best
"""The home page per role (core.home and each app's home.py)."""

ZH = {
    "Laboratory accounts will receive sampling tasks and enter test results here when the sampling and testing "
    "module is in service. Nothing is assigned to you yet.": "抽样检验模块上线后，检验机构账号将在此接收抽样任务并录入检验结果。目前尚无分配给您的任务。",
    "Insurer accounts will see the food-safety liability policies they underwrite and the claims that concern them "
    "when the co-governance module is in service. Nothing is shared with you yet.": "社会共治模块上线后，保险机构账号将在此查看其承保的食品安全责任保险保单及相关理赔。目前尚无与您共享的数据。",
    "Public accounts will be able to look up businesses' ratings, file complaints and join citizen spot-check events "
    "when the co-governance module is in service.": "社会共治模块上线后，公众账号可在此查询经营主体等级、提交投诉举报并报名参加百姓点检活动。",
    "Home": "首页",
    "Needs me": "待我处理",
    "Open the list": "查看列表",
    "Nothing is waiting for you.": "暂无待办事项。",
    "%(d)s days overdue": "已逾期 %(d)s 天",
    "deadline %(d)s": "期限 %(d)s",
    "found %(d)s": "发现于 %(d)s",
    "Rectification evidence to verify": "待核验的整改材料",
    "Hazards in your area whose business has submitted evidence, waiting for a regulator to verify it": "辖区内经营主体已提交整改材料、等待监管人员核验的隐患",
    "Hazards past their deadline": "逾期未整改的隐患",
    "Hazards not yet rectified (found, ordered, rectifying or evidence submitted) whose deadline has passed": "尚未整改完成（已发现、已责令整改、整改中或已提交材料）且已超过整改期限的隐患",
    "Hazards waiting for a rectification order": "待责令整改的隐患",
    "Hazards recorded but not yet given a rectification order and deadline": "已登记但尚未下达整改通知和期限的隐患",
    "Escalated cases still open": "已立案未结的案件",
    "Hazards escalated to a case that have not been closed": "已转立案处理但尚未办结的隐患",
    "No open hazards.": "暂无未闭环隐患。",
    "All %(total)s open hazards": "全部 %(total)s 条未闭环隐患",
    "due %(d)s": "应于 %(d)s 前完成",
    "My planned visits behind schedule": "我的逾期未检计划",
    "Planned visits behind schedule": "逾期未检的计划检查",
    "Visits of this year's inspection plans whose due date has passed with no closed inspection of the business "
    "between the window start and the due date": "本年度检查计划中，已过应检日期、且在检查窗口内（起始日期至应检日期）该经营主体没有已办结检查的计划",
    "Today's visits": "今日检查",
    "Last inspection and rating": "最近检查与等级",
    "No inspection yet": "尚无检查",
    "Navigate": "导航",
    "No visits planned for today.": "今日没有计划检查。",
    "My day: calendar and map": "我的日程：日历与地图",
    "My assigned-supervision visits due": "我的包保督导待走访",
    "Businesses assigned to you whose next visit (last visit, or the start of the assignment, plus the level's "
    "visit interval) is overdue or falls due within %(n)s days": "包保给您的经营主体中，下次走访日期（上次走访或包保开始日期加该层级走访间隔）已逾期或在 %(n)s 天内到期的",
    "Your business": "本单位",
    "expires %(d)s": "%(d)s 到期",
    "Licences expiring within %(n)s days": "%(n)s 天内到期的许可证",
    "Food business licences in your area whose validity ends within the warning period": "辖区内有效期在预警期内届满的食品经营许可证",
    "Expiring": "即将到期",
    "Today's self-checks": "今日自查",
    "not filed yet": "尚未填报",
    "Open self-checks": "打开自查",
    "Start today's daily check": "开始今日日管控",
}

PLURALS = {"%(n)s problem": "%(n)s 个问题"}

ZH.update(
    {
        "score %(s)s": "分值 %(s)s",
        "Risk grade": "风险等级",
        "Start an inspection": "开始检查",
        "Record a hazard": "登记隐患",
    }
)
