"""Simplified Chinese for the hazard pages (the action panel, evidence, timeline, the steps' waiting texts)."""

ZH = {
    # the steps and whom a hazard waits for (hazards/transitions.py)
    "Verify on site": "现场复查通过",
    "Escalate to a case": "立案",
    "Recorded": "登记隐患",
    "Waiting for a regulator to order rectification.": "等待监管人员责令整改。",
    "Waiting for the business to rectify and submit evidence.": "等待经营主体整改并提交整改证据。",
    "Waiting for the business to rectify and submit evidence, due %(date)s.": (
        "等待经营主体整改并提交整改证据，截止 %(date)s。"
    ),
    "Waiting for the business to submit rectification evidence.": "等待经营主体提交整改证据。",
    "Waiting for the business to submit rectification evidence, due %(date)s.": (
        "等待经营主体提交整改证据，截止 %(date)s。"
    ),
    "Waiting for a regulator to check the evidence.": "等待监管人员审核整改材料。",
    "Verified: waiting for a regulator to close the hazard.": "已复核：等待监管人员闭环销号。",
    "Escalated to a case: waiting for the case to be closed.": "已立案：等待案件办结。",
    "Closed on %(date)s: the loop is complete.": "已于 %(date)s 闭环，流程已完成。",
    # who acted (hazards/selectors.py)
    "System": "系统",
    "the business": "经营主体",
    # evidence sent with a step (hazards/services.py, forms.py)
    "Files are sent with a step that needs evidence, not with “%(step)s”.": (
        "文件须随需要整改材料的步骤提交，不能随“%(step)s”提交。"
    ),
    "Send at most %(n)d files with one step.": "每一步最多提交 %(n)d 个文件。",
    "file name": "文件名",
    "Photos or PDF": "照片或 PDF",
    "Choose a step.": "请选择要执行的步骤。",
    "That step is not open to you now; the page has been refreshed.": "您当前不能执行该步骤；页面已刷新。",
    "“%(step)s” needs a note: say why.": "“%(step)s”须填写说明：请写明理由。",
    "Set the deadline for “%(step)s”.": "请为“%(step)s”设定整改期限。",
    "Say what must be rectified.": "请写明需要整改的内容。",
    "“%(step)s” needs at least one photo or PDF: attach it here.": "“%(step)s”至少需要一张照片或一份 PDF：请在此添加。",
    "Files go with “%(steps)s”, not with “%(step)s”.": "文件须随“%(steps)s”提交，不能随“%(step)s”提交。",
    "Done: %(step)s.": "已完成：%(step)s。",
    # the action panel (hazards/hazard_detail.html)
    "required for %(steps)s": "%(steps)s时必填",
    "more may be added with %(steps)s": "可在%(steps)s时补充",
    "JPEG, PNG or PDF; at most 10 MB each, 10 files at a time.": (
        "照片或 PDF 文件，每个不超过 10 兆字节，每次最多 10 个。"
    ),
    "with a deadline and an order": "须设定期限和整改要求",
    "needs a photo or PDF and a note": "须附照片或 PDF 并填写说明",
    "needs a photo or PDF": "须附照片或 PDF",
    "needs a note": "须填写说明",
    "%(step)s: are you sure?": "确定要执行“%(step)s”吗？",
}

PLURALS = {
    "Overdue by %(d)s day": "超期 %(d)s 天",
}

ZH_CONTEXT = {
    ("between the items of a list", ", "): "、",
}
