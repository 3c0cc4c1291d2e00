# ruff: noqa: E501 - one translation per line reads best
"""KPI snapshots (core.snapshots): the age of the dashboard's figures, the warning and the refresh button."""

ZH = {
    "Figures as of %(at)s": "数据截至 %(at)s",
    "Stale": "已过时",
    "Refresh": "刷新",
    "Recompute these figures in the background": "在后台重新计算这些数据",
    "Recompute requested.": "已申请重新计算。",
    "A recompute is already queued; it runs once.": "已有一次重新计算在排队，只会运行一次。",
    "Follow it": "查看进度",
    "Recompute the dashboard figures": "重新计算首页统计数据",
    "No snapshot of some of these figures yet: they were computed now, which is slow. Refresh to compute one.": "部分数据尚无快照：本次为实时计算，速度较慢。请点击刷新生成快照。",
    "These figures are %(age)s old: the background worker may be down. Counts that depend on the day (overdue, 12 months, yesterday's self-checks) are from %(day)s.": "这些数据已是 %(age)s 前的：后台任务进程可能已停止。与日期有关的计数（逾期、近 12 个月、昨日自查）按 %(day)s 计算。",
    "%(n)d minutes": "%(n)d 分钟",
    "%(n)d hours": "%(n)d 小时",
    "%(n)d days": "%(n)d 天",
}
