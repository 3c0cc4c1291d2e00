"""Identifier validators: the Unified Social Credit Code (GB 32100-2015), licence numbers and phone
numbers. Each raises ``ValidationError`` with a message that names what is wrong (for a credit code,
which part: position 1 the registration authority, 2 the organisation type, 3–8 the division, 9–17 the
organisation code, 18 the check character)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .data.food_licences import JY_BUSINESS_TYPES, SC_CATEGORIES, YB_BUSINESS_TYPES
from .data.gb2260 import NATIONAL, PROVINCES
from .data.gb32100 import AUTHORITIES

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # values 0..30; no I, O, Z, S, V
USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ...
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714: digits 0-9, letters A=10 .. Z=35

_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_SC_RE = re.compile(r"^SC\d{14}$")
_JY_RE = re.compile(r"^JY[123]\d{13}$")
_YB_RE = re.compile(r"^YB\d{14}$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    total = sum(ORG_CHARSET.index(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def normalise_code(value: str | None) -> str:
    """A code as typed in Chinese data entry, made canonical: NFKC (full-width digits and letters become
    ASCII, the ideographic space a space), every space removed, upper case."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(text.split()).upper()


def normalise_uscc(value: str | None) -> str:
    return normalise_code(value)


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
    authority = AUTHORITIES.get(code[0])
    if authority is None:
        raise ValidationError(
            _(
                "Unified social credit code: character 1, the registration authority code, is %(c)s, which is "
                "not in the GB 32100 table (%(codes)s)."
            ),
            code="uscc_authority",
            params={"c": code[0], "codes": " ".join(AUTHORITIES)},
        )
    authority_name, types = authority
    if code[1] not in types:
        raise ValidationError(
            _(
                "Unified social credit code: character 2, the organisation type code, is %(c)s, which is not a "
                "type of registration authority %(a)s %(name)s (allowed: %(codes)s)."
            ),
            code="uscc_org_type",
            params={"c": code[1], "a": code[0], "name": authority_name, "codes": " ".join(types)},
        )
    if not _USCC_RE.match(code):
        raise ValidationError(
            _("Unified social credit code: characters 3–8 must be the 6-digit administrative division code."),
            code="uscc_division",
        )
    division = code[2:8]
    if division != NATIONAL and (division[:2] not in PROVINCES or division == "000000"):
        raise ValidationError(
            _(
                "Unified social credit code: characters 3–8, the administrative division code %(d)s, do not "
                "start with a GB/T 2260 province code (%(p)s is none)."
            ),
            code="uscc_division",
            params={"d": division, "p": division[:2]},
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "Unified social credit code: character 18, the check character, is wrong (expected %(expected)s, "
                "got %(got)s)."
            ),
            code="uscc_check",
            params={"expected": expected, "got": code[17]},
        )
    org = code[8:17]
    if org_code_check_char(org[:8]) != org[8]:
        raise ValidationError(
            _(
                "Unified social credit code: characters 9–17, the embedded organisation code %(org)s, fail its "
                "GB 11714 check."
            ),
            code="uscc_org_check",
            params={"org": org},
        )


def make_uscc(first16_without_org_check: str) -> str:
    """Complete a code from its first 16 characters (authority, type, division, 8 org characters):
    adds the organisation-code check and the USCC check. Used by the demo generator and tests."""
    body = first16_without_org_check.upper()
    body17 = body + org_code_check_char(body[8:16])
    return body17 + uscc_check_char(body17)


def _province_ok(division: str) -> bool:
    return division[:2] in PROVINCES


def validate_production_licence(value: str) -> None:
    number = normalise_code(value)
    if not _SC_RE.match(number):
        raise ValidationError(
            _("Food production licence number must be SC followed by 14 digits (e.g. SC10633020300012)."),
            code="sc_format",
        )
    if number[2:5] not in SC_CATEGORIES:
        raise ValidationError(
            _(
                "Food production licence number: digits 1–3, the food category %(c)s, are not a category of the "
                "food production licence catalogue (101–131 food, 201–203 additives)."
            ),
            code="sc_category",
            params={"c": number[2:5]},
        )
    if not _province_ok(number[5:11]):
        raise ValidationError(
            _("Food production licence number: digits 4–9, the division %(d)s, do not start with a province code."),
            code="sc_division",
            params={"d": number[5:11]},
        )


def validate_business_licence(value: str) -> None:
    number = normalise_code(value)
    if not _JY_RE.match(number):
        raise ValidationError(
            _(
                "Food business licence number must be JY followed by 14 digits, the first being 1, 2 or 3 "
                "(e.g. JY23302030012345)."
            ),
            code="jy_format",
        )
    if number[2] not in JY_BUSINESS_TYPES or not _province_ok(number[3:9]):
        raise ValidationError(
            _("Food business licence number: digits 2–7, the division %(d)s, do not start with a province code."),
            code="jy_division",
            params={"d": number[3:9]},
        )


def validate_filing_number(value: str) -> None:
    """A filing (备案) for selling prepackaged food only: YB + 1 business-type digit (1, sales) + 6-digit
    division + 6-digit serial + 1 check digit (食品经营许可和备案管理办法, 2023)."""
    number = normalise_code(value)
    if not _YB_RE.match(number) or number[2] not in YB_BUSINESS_TYPES:
        raise ValidationError(
            _(
                "Filing number must be YB followed by 14 digits, the first being 1 (food sales), as the 2023 "
                "measures set out (e.g. YB13302030000011)."
            ),
            code="yb_format",
        )
    if not _province_ok(number[3:9]):
        raise ValidationError(
            _("Filing number: digits 2–7, the division %(d)s, do not start with a province code."),
            code="yb_division",
            params={"d": number[3:9]},
        )


def validate_phone(value: str) -> None:
    v = unicodedata.normalize("NFKC", value or "").strip().replace(" ", "")
    if v.startswith("+86"):
        v = v[3:]
    if not (_MOBILE_RE.match(v) or _LANDLINE_RE.match(v)):
        raise ValidationError(
            _("Phone number must be an 11-digit mainland mobile number or a landline such as 0574-87654321."),
            code="phone_format",
        )
