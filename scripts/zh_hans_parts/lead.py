# ruff: noqa: E501 - one translation per line reads best
"""Strings the lead adds while helpers own the other part files (issue 8 leftovers, issue 9 glue)."""

ZH = {
    "A note may be at most %(n)d characters (this one has %(m)d).": "说明最多 %(n)d 个字符（此处为 %(m)d 个）。",
}
