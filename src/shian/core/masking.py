"""Masking personal data for display: phone numbers (138****1234) and ID numbers (first 6 + last 4).

Common practice under PIPL (not a cited rule; see docs/security.md). Everything here is pure and total:
any value (None, a number, junk) gives a string and never raises, so a page or an export that masks what
is in the database cannot break on what it finds there.

- :func:`mask_phone` — a mobile number keeps its first 3 and last 4 digits (``138****1234``), a landline
  its area code and last 4 (``0574-****4321``); anything else phone-like keeps at most its last 4. A value
  that holds ``*`` is taken as masked already and kept (masking twice changes nothing).
- :func:`mask_id_number` — a resident ID number (18 or 15 characters) keeps its first 6 and last 4
  (``330203********1234``); anything else keeps at most its last 4.
- :func:`mask_text` — mobile numbers and ID numbers *found inside* a free text, masked in place.
- :func:`mask_value` — a JSON-like value (the audit log's ``changes``): a key that names a phone or an ID
  number masks its whole value, every other string is masked with :func:`mask_text`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["is_id_number", "mask_id_number", "mask_phone", "mask_text", "mask_value"]

STARS = "****"

_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})(?:-\d{1,6})?$")
# inside free text: not part of a longer run of digits (a licence number, a USCC)
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![0-9A-Za-z])")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _text(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _keep_last(v: str, n: int = 4) -> str:
    """All but the last ``n`` characters starred (fewer kept for a short value: at least half hidden)."""
    keep = min(n, len(v) // 2)
    return "*" * (len(v) - keep) + (v[-keep:] if keep else "")


def mask_phone(value: Any) -> str:
    """``13812341234`` → ``138****1234``; ``0574-87654321`` → ``0574-****4321``; "" for nothing."""
    v = _text(value)
    if not v or "*" in v:  # nothing, or masked already (e.g. an encrypted field as the audit log stores it)
        return v
    compact = v.replace(" ", "")
    m = _MOBILE.match(compact)
    if m:
        digits = m.group(1)
        return f"{digits[:3]}{STARS}{digits[7:]}"
    m = _LANDLINE.match(compact)
    if m:
        return f"{m.group(1)}-{STARS}{m.group(2)[-4:]}"
    return _keep_last(compact)


def is_id_number(value: Any) -> bool:
    """A mainland resident ID number: 18 characters with a valid check character (GB 11643-1999), or the
    old 15-digit form."""
    v = _text(value).upper()
    if len(v) == 15:
        return v.isdigit()
    if len(v) != 18 or not v[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(v[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == v[17]


def mask_id_number(value: Any) -> str:
    """``330203199001011234`` → ``330203********1234`` (first 6 and last 4 kept)."""
    v = _text(value).replace(" ", "")
    if not v or "*" in v:  # nothing, or masked already
        return v
    if len(v) > 10:
        return v[:6] + "*" * (len(v) - 10) + v[-4:]
    return _keep_last(v)


def mask_text(text: Any) -> str:
    """A free text with every mobile number and ID number in it masked (landlines and other numbers are
    left: in free text they cannot be told from a date, an amount or a licence number)."""
    if text is None:
        return ""
    s = str(text)

    def _id(m: re.Match) -> str:
        found = m.group(1)
        return mask_id_number(found) if is_id_number(found) else found

    s = _ID_IN_TEXT.sub(_id, s)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"[- ]", "", m.group(0))), s)


# keys of a record (model field names, JSON properties) whose whole value is a phone or an ID number
_PHONE_KEY = re.compile(r"(phone|mobile|(^|_)tel$|手机|电话)", re.IGNORECASE)
_ID_KEY = re.compile(r"((^|_)id_?(card|number|no)$|identity|身份证)", re.IGNORECASE)


def _mask_under(key: str, value: Any) -> Any:
    if _ID_KEY.search(key):
        return mask_id_number(value) if value not in (None, "") else value
    if _PHONE_KEY.search(key):
        return mask_phone(value) if value not in (None, "") else value
    return None


def mask_value(value: Any, key: str = "") -> Any:
    """A JSON-like value with its personal data masked (a new value; the argument is not changed).

    ``{"phone": ["13812341234", "13912345678"]}`` → ``{"phone": ["138****1234", "139****5678"]}``: under a
    key naming a phone or an ID number every string (or number) is masked whole; elsewhere strings are
    masked with :func:`mask_text`. Numbers, booleans and None elsewhere are kept."""
    if isinstance(value, dict):
        return {k: mask_value(v, str(k) if isinstance(k, str) else key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v, key) for v in value]
    if key and isinstance(value, str | int) and not isinstance(value, bool):
        masked = _mask_under(key, value)
        if masked is not None:
            return masked
    if isinstance(value, str):
        return mask_text(value)
    return value
