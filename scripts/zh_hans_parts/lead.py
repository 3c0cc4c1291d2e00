# ruff: noqa: E501 - one translation per line reads best
"""Strings the lead adds while helpers own the other part files (issue 8 leftovers, issue 9 glue)."""

ZH = {
    "A note may be at most %(n)d characters (this one has %(m)d).": "说明最多 %(n)d 个字符（此处为 %(m)d 个）。",
}

ZH.update(
    {
        # what the system writes into the audit log (core.audit.SYSTEM_WORDS)
        "the system": "系统",
        "command line": "命令行",
        "unknown address": "未知地址",
        "demo city generator": "演示城市生成器",
        "background job %(id)s": "后台任务 %(id)s",
    }
)

ZH.update({"Applies when": "适用条件"})

ZH.update({"dynamic points capped at %(n)s": "动态分按上限 %(n)s 分计"})

ZH.update({"Map": "地图"})
