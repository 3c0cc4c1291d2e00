"""Identifier validators: the Unified Social Credit Code (GB 32100-2015), licence numbers and phone
numbers. Each raises ``ValidationError`` with a message that names what is wrong."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # values 0..30; no I, O, Z, S, V
USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ...
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714: digits 0-9, letters A=10 .. Z=35

_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_SC_RE = re.compile(r"^SC\d{14}$")
_JY_RE = re.compile(r"^JY[123]\d{13}$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    total = sum(ORG_CHARSET.index(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def normalise_uscc(value: str) -> str:
    return (value or "").strip().upper()


def validate_uscc(value: str) -> None:
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("Unified social credit code must have 18 characters, not %(n)d."),
            code="uscc_length",
            params={"n": len(code)},
        )
    bad = sorted({c for c in code if c not in USCC_VALUES})
    if bad:
        raise ValidationError(
            _("Unified social credit code contains characters not allowed by GB 32100: %(chars)s."),
            code="uscc_charset",
            params={"chars": " ".join(bad)},
        )
    if not _USCC_RE.match(code):
        raise ValidationError(
            _("Unified social credit code: characters 3–8 must be the 6-digit administrative division code."),
            code="uscc_division",
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("Unified social credit code check character is wrong (expected %(expected)s, got %(got)s)."),
            code="uscc_check",
            params={"expected": expected, "got": code[17]},
        )
    org = code[8:17]
    if org_code_check_char(org[:8]) != org[8]:
        raise ValidationError(
            _("Unified social credit code: the embedded organisation code %(org)s fails its GB 11714 check."),
            code="uscc_org_check",
            params={"org": org},
        )


def make_uscc(first16_without_org_check: str) -> str:
    """Complete a code from its first 16 characters (authority, type, division, 8 org characters):
    adds the organisation-code check and the USCC check. Used by the demo generator and tests."""
    body = first16_without_org_check.upper()
    body17 = body + org_code_check_char(body[8:16])
    return body17 + uscc_check_char(body17)


def validate_production_licence(value: str) -> None:
    if not _SC_RE.match((value or "").strip().upper()):
        raise ValidationError(
            _("Food production licence number must be SC followed by 14 digits (e.g. SC10633020300012)."),
            code="sc_format",
        )


def validate_business_licence(value: str) -> None:
    if not _JY_RE.match((value or "").strip().upper()):
        raise ValidationError(
            _(
                "Food business licence number must be JY followed by 14 digits, the first being 1, 2 or 3 "
                "(e.g. JY23302030012345)."
            ),
            code="jy_format",
        )


def validate_phone(value: str) -> None:
    v = (value or "").strip().replace(" ", "")
    if v.startswith("+86"):
        v = v[3:]
    if not (_MOBILE_RE.match(v) or _LANDLINE_RE.match(v)):
        raise ValidationError(
            _("Phone number must be an 11-digit mainland mobile number or a landline such as 0574-87654321."),
            code="phone_format",
        )
