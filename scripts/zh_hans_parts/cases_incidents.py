"""Simplified Chinese for case leads (案件线索 / 立案 / 不予立案) and food-safety incidents (食品安全事故)."""

ZH = {
    # navigation, lists
    "Case leads": "案件线索",
    "Case lead": "案件线索",
    "Food-safety incidents": "食品安全事故",
    "Record a food-safety incident": "登记食品安全事故",
    "Record a food-safety incident at %(name)s": "登记 %(name)s 的食品安全事故",
    "Food-safety incident recorded.": "食品安全事故已登记。",
    "Cases opened (立案) on hazards in 12 months": "近 12 个月隐患立案数",
    # incident levels and sources (hazards/choices.py)
    "General (level IV)": "一般（Ⅳ级）",
    "Larger (level III)": "较大（Ⅲ级）",
    "Major (level II)": "重大（Ⅱ级）",
    "Especially major (level I)": "特别重大（Ⅰ级）",
    "Report by a medical institution": "医疗机构报告",
    "Report by the business": "事故单位报告",
    "Complaint or tip-off": "投诉举报",
    "Found in supervision": "监督检查发现",
    # lead reasons and grounds
    "Serious hazard": "严重隐患",
    "Rectification overdue": "逾期未整改",
    "Referred by an official": "执法人员移送",
    "Minor, corrected in time, no harm (Art. 20 (1))": "违法行为轻微并及时改正，没有造成危害后果（第二十条第一项）",
    "First offence, slight harm, corrected in time (Art. 20 (2))": "初次违法且危害后果轻微并及时改正（第二十条第二项）",
    "The business proves it was not at fault (Art. 20 (3))": "当事人有证据足以证明没有主观过错（第二十条第三项）",
    "Other ground allowed by law (Art. 20 (4))": "依法可以不予立案的其他情形（第二十条第四项）",
    # forms
    "facts of the lead": "线索事实",
    "Choose: open a case or not.": "请选择：立案或不予立案。",
    "That decision is not open to you now; the page has been refreshed.": "您当前不能作出该决定，页面已刷新。",
    "approved by (head of the bureau)": "审批人（市场监管部门负责人）",
    "approval date": "审批日期",
    "case number": "案号",
    "ground": "不予立案情形",
    "reason for not opening a case": "不予立案理由",
    "Name the head of the bureau who approved opening the case (立案审批).": (
        "请填写批准立案的市场监管部门负责人（立案审批）。"
    ),
    "Give the date the case was approved.": "请填写立案审批日期。",
    "Choose the ground for not opening a case.": "请选择不予立案的情形。",
    "Say why no case is opened.": "请说明不予立案的理由。",
    # home and KPIs
    "Cases opened on hazards, still open": "已立案尚未办结的隐患",
    "Hazards on which a case was opened (立案, an accepted case lead) that have not been closed": (
        "已立案（案件线索经批准立案）且尚未办结的隐患"
    ),
    "Case leads awaiting a decision": "待决定的案件线索",
    "Case leads (案件线索) about hazards in your area — serious hazards, hazards overdue past the grace days, "
    "referrals — that no one has yet opened a case on (立案) or declined (不予立案). Shown red when older than 21 "
    "days (15 working days to check a lead, 市场监督管理行政处罚程序规定 Art. 18).": (
        "您辖区内隐患的案件线索（严重隐患、超过宽限期仍未整改的隐患、执法人员移送），尚未决定立案或不予立案。"
        "超过 21 天显示为红色（核查线索的期限为十五个工作日，《市场监督管理行政处罚程序规定》第十八条）。"
    ),
    "Hazards of businesses in your scope whose loop is still open today: found, rectification ordered, "
    "rectifying, evidence submitted, or verified and awaiting closing. Closed hazards and hazards on which a case "
    "was opened (立案) are not counted; a case lead awaiting a decision does not change a hazard's state.": (
        "您辖区内经营主体截至今天尚未闭环的隐患：已发现、已责令整改、整改中、已提交整改材料，或已复核待销号。"
        "已闭环和已立案的隐患不计入；待决定的案件线索不改变隐患状态。"
    ),
    "Open hazards of businesses in your scope still awaiting rectification (found, ordered, rectifying or "
    "evidence submitted) whose rectification deadline is before today. Verified hazards are not overdue; hazards "
    "with a case opened (立案) are counted as cases, not here.": (
        "您辖区内经营主体尚待整改（已发现、已责令整改、整改中或已提交整改材料）且整改期限早于今天的隐患。"
        "已复核的隐患不算超期；已立案的隐患计入案件，不计入此处。"
    ),
    "%(on)s of %(ended)s ended loops closed by the deadline with no case opened; median %(d)s days": (
        "%(ended)s 个已结束流程中 %(on)s 个按期整改闭环且未立案；中位 %(d)s 天"
    ),
    "整改按期闭环率 = hazards closed after rectification on or before their deadline (or with no deadline set) "
    "and with no case opened (立案) ÷ hazards whose loop has ended (closed, or with a case opened and not yet "
    "closed), × 100, over the hazards of businesses in your scope whose loop ended in the last 365 days (closed, "
    "or the case opened, on that day or later). A hazard on which a case was opened counts against the rate, "
    "whether or not its case is closed since. Median days: from the day found to the day closed, over the hazards "
    "closed in those 365 days.": (
        "整改按期闭环率 = 在整改期限内（或未设期限）整改闭环且未立案的隐患数 ÷ 流程已结束的隐患数（已闭环，"
        "或已立案尚未办结）× 100，统计范围为您辖区内经营主体近 365 天内流程结束（闭环或立案）的隐患。"
        "已立案的隐患无论案件是否办结均计为未按期。中位天数：近 365 天内闭环的隐患从发现到闭环的天数。"
    ),
    "Case leads (案件线索) about hazards of businesses in your scope on which no one has yet decided, today: "
    "neither a case opened (立案) nor declined (不予立案). A lead is raised by the nightly job for a serious hazard "
    "or a hazard overdue past its rule's grace days, or referred by an official. Leads are not cases.": (
        "截至今天，您辖区内经营主体隐患的案件线索中尚未决定的数量：既未立案也未不予立案。线索由夜间任务对严重隐患"
        "或超过宽限期仍未整改的隐患生成，或由执法人员移送。线索不等于案件。"
    ),
    "Case leads raised in 12 months": "近 12 个月案件线索",
    "%(d)s not opened (不予立案) in 12 months": "近 12 个月不予立案 %(d)s 条",
    "Case leads about hazards of businesses in your scope raised in the last 365 days (today included), "
    "whatever their decision since: open, opened as a case or declined. The hint counts the leads declined "
    "(不予立案) with the decision recorded in the same 365 days.": (
        "您辖区内经营主体隐患在最近 365 天（含今天）生成的案件线索，无论此后的决定：待决定、已立案或不予立案。"
        "提示中为同期记录不予立案决定的线索数。"
    ),
    "Cases opened in 12 months": "近 12 个月立案数",
    "Cases opened (立案) on hazards of businesses in your scope: case leads accepted by a regulator with the "
    "approval of the bureau's head, whose approval date is in the last 365 days (today included). Counted by "
    "approval date, not by the day the lead was raised (市场监督管理行政处罚程序规定 Arts. 18-19).": (
        "您辖区内经营主体隐患的立案数：经市场监管部门负责人批准立案的案件线索，审批日期在最近 365 天内（含今天）。"
        "按审批日期而非线索生成日期统计（《市场监督管理行政处罚程序规定》第十八、十九条）。"
    ),
    "Notices addressed to you about hazards (a case lead raised, a case opened, rejected evidence) that you have "
    "not opened yet. Shown only when there is at least one.": (
        "发给您的、尚未查看的隐患通知（生成案件线索、已立案、整改材料被退回）。仅在至少有一条时显示。"
    ),
    # model fields
    "raise a case lead when overdue by (days)": "超期多少天生成案件线索",
    "raise a case lead at once": "立即生成案件线索",
    "case opened on": "立案日期",
    "reason": "原因",
    "details": "详情",
    "raised on": "生成日期",
    "decision recorded by": "决定记录人",
    "decision recorded at": "决定记录时间",
    "approved by": "审批人",
    "case lead": "案件线索",
    "case leads": "案件线索",
    "occurred on": "发生日期",
    "diners exposed": "就餐人数",
    "people ill": "发病人数",
    "incident level": "事故级别",
    "reported through": "报告来源",
    "recorded by": "登记人",
    "recorded at": "登记时间",
    "food-safety incident": "食品安全事故",
    "food-safety incidents": "食品安全事故",
    # services
    "“%(action)s” is not a step of the hazard loop.": "“%(action)s”不是隐患闭环中的步骤。",
    "A case is opened (立案) by accepting the hazard's case lead, with the approval recorded; refer the hazard as a "
    "case lead first.": "立案须通过批准该隐患的案件线索并记录审批；请先将隐患移送为案件线索。",
    "At most %(n)d characters.": "最多 %(n)d 个字符。",
    "Choose a reason.": "请选择原因。",
    "Say what the lead is about: the facts a case would be opened on.": "请说明线索内容：拟立案所依据的事实。",
    "A case is already open for this hazard.": "该隐患已立案。",
    "This hazard already has a case lead awaiting decision.": "该隐患已有待决定的案件线索。",
    "Case lead about “%(t)s” at %(b)s: %(r)s": "%(b)s 的隐患“%(t)s”生成案件线索：%(r)s",
    "This case lead was decided or changed by someone else (now version %(v)d); reload and try again.": (
        "该案件线索已被他人决定或修改（当前版本 %(v)d），请刷新后重试。"
    ),
    "“%(action)s” is not allowed while the case lead is “%(state)s”.": "案件线索为“%(state)s”时不能“%(action)s”。",
    "Your role may not “%(action)s”.": "您的角色不能“%(action)s”。",
    "The approval date cannot be in the future.": "审批日期不能晚于今天。",
    "The approval date cannot be before the lead was raised (%(d)s).": "审批日期不能早于线索生成日期（%(d)s）。",
    "Approved by %(who)s on %(d)s": "经 %(who)s 于 %(d)s 批准立案",
    ", case number %(n)s": "，案号 %(n)s",
    "A case has been opened (立案) about “%(t)s”.": "隐患“%(t)s”已立案。",
    "An incident cannot have occurred in the future.": "事故发生日期不能晚于今天。",
    "More people ill (%(ill)d) than diners exposed (%(n)d).": "发病人数（%(ill)d）多于就餐人数（%(n)d）。",
    # templates
    "No food-safety incident on record.": "无食品安全事故记录。",
    "Occurred on": "发生日期",
    "Incident": "事故",
    "People ill": "发病人数",
    "Incident level": "事故级别",
    "Reported through": "报告来源",
    "Approved by %(who)s on %(day)s": "经 %(who)s 于 %(day)s 批准立案",
    "Case opened on": "立案日期",
    "Open the case lead": "查看案件线索",
    "Refer as a case lead (移送)": "移送为案件线索",
    "Recorded food-safety incidents (食品安全事故, Food Safety Law Art. 150). Record one from the business's page.": (
        "已登记的食品安全事故（《食品安全法》第一百五十条）。请在经营主体页面登记。"
    ),
    "incident or business": "事故或经营主体",
    "No incidents match.": "没有符合条件的事故。",
    "No case lead for this hazard.": "该隐患没有案件线索。",
    "Decide": "作出决定",
    "Open a case (立案)": "立案",
    "required to open a case": "立案时必填",
    "Do not open a case (不予立案)": "不予立案",
    "required not to open a case": "不予立案时必填",
    "Waiting for the district or city bureau to decide whether to open a case.": "等待区（县）或市局决定是否立案。",
    "Refer": "移送",
    "Leads (案件线索) raised for serious or overdue hazards, or referred by officials. Opening a case (立案) needs "
    "the approval of the bureau's head; a lead not opened needs its ground and reason "
    "(市场监督管理行政处罚程序规定 Arts. 18–20).": (
        "严重隐患、逾期未整改隐患生成的或执法人员移送的案件线索。立案须经市场监管部门负责人批准；不予立案须写明情形"
        "和理由（《市场监督管理行政处罚程序规定》第十八至二十条）。"
    ),
    "Awaiting a decision": "待决定",
    "Leads raised, 12 months": "近 12 个月线索",
    "Cases opened, 12 months": "近 12 个月立案",
    "Not opened, 12 months": "近 12 个月不予立案",
    "Reason": "原因",
    "Raised on": "生成日期",
    "Decision": "决定",
    "No case leads match.": "没有符合条件的案件线索。",
    # transitions, timeline
    "Case opened (立案)": "立案",
    "A case is open (立案): waiting for the case to be closed.": "已立案：等待案件办结。",
    "Case lead raised": "生成案件线索",
    "Case lead declined (不予立案)": "不予立案",
    # views
    "This hazard has no case lead awaiting a decision.": "该隐患没有待决定的案件线索。",
    "Decision recorded: %(step)s.": "已记录决定：%(step)s。",
    "Case lead raised.": "已生成案件线索。",
}

PLURALS = {
    "%(n)s incident": "%(n)s 起事故",
    "%(n)s case lead": "%(n)s 条案件线索",
}

ZH_CONTEXT = {
    ("incident source", "Other"): "其他",
    ("case lead state", "Awaiting decision"): "待决定",
    ("case lead state", "Case opened (立案)"): "已立案",
    ("case lead state", "Not opened (不予立案)"): "不予立案",
}
