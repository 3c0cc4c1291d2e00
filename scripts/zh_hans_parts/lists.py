"""Simplified Chinese for the pager of long lists (core/listing.py, core/_pager.html, the business count)."""

ZH = {
    "%(label)s in all": "共 %(label)s 条",
    "%(label)s businesses": "%(label)s 家经营主体",
    "%(label)s hazards": "%(label)s 条隐患",
    "%(label)s incidents": "%(label)s 起事故",
    "%(label)s case leads": "%(label)s 条案件线索",
    "%(label)s licences": "%(label)s 张许可证",
    "about %(n)s": "约 %(n)s",
    "more than %(n)s": "超过 %(n)s",
    "counted at %(time)s": "%(time)s 统计",
    "Count exactly": "精确计数",
    "That page number is not an integer": "页码不是整数",
    "That page number is less than 1": "页码小于 1",
    "That page contains no results": "该页没有结果",
}
