"""Simplified Chinese for refusing bad input (core/middleware.py: over-long values)."""

ZH = {
    "Too long: at most %(n)s characters are accepted in one field; shorten: %(fields)s": (
        "内容过长：每个字段最多 %(n)s 个字符，请缩短：%(fields)s"
    ),
}
