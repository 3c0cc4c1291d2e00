"""Personal identifiers: how phone numbers and resident identity numbers are normalised (for the keyed
hash that finds them by exact match) and how an identity number is checked (GB 11643-1999)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .data.gb2260 import PROVINCES

# residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证) use 81, 82, 83
ID_REGIONS = set(PROVINCES) | {"81", "82", "83"}
ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, …
ID_CHECK = "10X98765432"  # by the weighted sum modulo 11
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def normalise_phone(value: str | None) -> str:
    """A phone number as digits: full-width digits, spaces, dashes and a +86 prefix removed, so that
    "138 0013 8000", "+86 13800138000" and "0574-87654321" / "057487654321" find the same number."""
    v = unicodedata.normalize("NFKC", value or "").strip()
    v = re.sub(r"[\s\-()（）]", "", v)
    if v.startswith("+86"):
        v = v[3:]
    return v


def normalise_id_number(value: str | None) -> str:
    """An identity number as typed (full-width, spaces, a lower-case x) → 18 characters upper case."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value or "")).upper()


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    """A resident identity number (公民身份号码, GB 11643-1999): 6-digit division code, birth date
    YYYYMMDD, 3-digit sequence, check character (0–9 or X). The message names the failing part."""
    number = normalise_id_number(value)
    if not _ID_RE.match(number):
        raise ValidationError(
            _("Identity number must be 18 characters: 17 digits and a check digit or X (GB 11643)."),
            code="id_format",
        )
    if number[:2] not in ID_REGIONS:
        raise ValidationError(
            _("Identity number: digits 1–6, the division %(d)s, do not start with a province code."),
            code="id_division",
            params={"d": number[:6]},
        )
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > dt.date.today():
        raise ValidationError(
            _("Identity number: digits 7–14, %(d)s, are not a date of birth."),
            code="id_birth_date",
            params={"d": number[6:14]},
        )
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("Identity number: the check character is %(got)s, it should be %(want)s — a digit is mistyped."),
            code="id_check",
            params={"got": number[17], "want": expected},
        )


_PHONE_QUERY = re.compile(r"^(1[3-9]\d{9}|0\d{9,11})$")


def phone_query(text: str | None) -> str:
    """The normalised phone number a search text is, or "" when it is not one (a mobile number, or a
    landline with its area code: an exact number is found through the keyed hash, never by a partial match)."""
    v = normalise_phone(text)
    return v if _PHONE_QUERY.match(v) else ""
