"""The phone checklist (core/_checklist.html) and its uses: inspections, the daily self-check, 包保 visits."""

ZH = {
    # core/_checklist.html, core/checklists.py
    "All fine": "全部符合",
    "All fine: items left unanswered count as Yes": "全部符合：未回答的项目按“是”计",
    "Press “All fine”, then mark the exceptions.": "先点“全部符合”，再标出不符合的项目。",
    "Checked": "已检查",
    "key item": "重点项",
    "What is wrong": "问题说明",
    "Add a note or photo": "添加备注或照片",
    "Add a note": "添加备注",
    "Not answered": "未回答",
    "This checklist has no items.": "本检查表没有项目。",
    "Answer every item first, or press “All fine”.": "请先逐项回答，或点“全部符合”。",
    "Unknown answer %(a)s.": "未知答案 %(a)s。",
    "%(n)d of %(t)d items are not answered yet (first: %(item)s). Answer each item, or press “All fine” and then "
    "mark the exceptions.": (
        "%(t)d 项中有 %(n)d 项尚未回答（第一项：%(item)s）。请逐项回答，或先点“全部符合”再标出不符合的项目。"
    ),
    # self-checks
    "Week %(w)d of %(y)d (%(start)s – %(end)s)": "%(y)d年第%(w)d周 (%(start)s – %(end)s)",
    "Answer each item: Yes when it is in order, No when there is a problem (then say what is wrong). A day without "
    "problems is still filed.": "逐项回答：符合要求选“是”，存在问题选“否”并说明问题。没有问题的一天也要填报。",
    "Record the No items as hazards": "将答“否”的项目登记为隐患",
    "Filed by %(who)s at %(at)s.": "%(who)s 于 %(at)s 填报。",
    "No problems: a zero-risk day.": "无问题：零风险。",
    "No problems found": "未发现问题",
    "Recorded as hazards": "已登记的隐患",
    "History": "历史记录",
    "Enter a valid date.": "请输入有效日期。",
    "Enter a whole number.": "请输入整数。",
    "The number of problems cannot be negative.": "问题数不能为负数。",
    "Daily check": "日管控",
    "Weekly review": "周排查",
    "Monthly scheduling": "月调度",
    # 包保 visits
    "Assigned supervision": "包保督导",
    "Assigned-supervision rate": "包保督导率",
    "Record a visit": "记录督导",
    "Other findings": "其他督导情况",
    "The business's daily-control items: answer each one as you find it. The No items and their notes become the "
    "findings.": "按该单位的日管控项目逐项回答；答“否”的项目及其说明记入督导情况。",
    "Daily-control items checked: %(t)d; in order: %(yes)d; not in order: %(no)d; not applicable: %(na)d.": (
        "日管控项目检查 %(t)d 项：符合 %(yes)d 项，不符合 %(no)d 项，合理缺项 %(na)d 项。"
    ),
}

PLURALS = {"%(n)s problem": "%(n)s 个问题"}

ZH_CONTEXT = {
    ("checklist answer", "Yes"): "是",
    ("checklist answer", "No"): "否",
    ("checklist answer", "N/A"): "合理缺项",
}
