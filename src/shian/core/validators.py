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


# --- plausible dates and numbers (docs/security.md, "Bad input: dates and numbers") --------------
# Each date a person enters has a window around today, each number a range: a value outside is refused
# naming the field, so that nothing backdated to 0001-01-01, due on 9999-12-31 or counted in the tens of
# thousands is stored (nor overflows a small-integer column, a 500 on PostgreSQL). The windows, in days:
SELFCHECK_BACKFILL_DAYS = 31  # a self-check may be filed for a period that ended at most a month ago
VISIT_BACKFILL_DAYS = 31  # a 包保 visit: recorded at most a month after it took place
RECORD_BACKFILL_DAYS = 366  # a hazard found or an incident that occurred: recorded within a year
DEADLINE_MAX_DAYS = 366  # a rectification deadline: at most a year ahead
ASSIGNMENT_WINDOW_DAYS = 366  # a 包保 assignment starts at most a year before or after today
PROBLEMS_MAX = 999  # problems found in one self-check period
PEOPLE_MAX = 100_000  # diners exposed or ill in one incident


def validate_date_window(
    value, *, field: str, earliest=None, latest=None, earliest_reason: str = "", latest_reason: str = ""
) -> None:
    """Refuse ``value`` (a date) outside ``[earliest, latest]`` (either may be None: open), naming ``field``
    and the bound, with the reason for it when given (``ValidationError({field: …})``)."""
    if value is None:
        return
    if earliest is not None and value < earliest:
        message = _("%(d)s is too early: the earliest accepted is %(e)s.") % {"d": value, "e": earliest}
        raise ValidationError({field: f"{message} {earliest_reason}".strip()})
    if latest is not None and value > latest:
        message = _("%(d)s is too late: the latest accepted is %(l)s.") % {"d": value, "l": latest}
        raise ValidationError({field: f"{message} {latest_reason}".strip()})


def validate_range(value, *, field: str, minimum=None, maximum=None) -> None:
    """Refuse a number outside ``[minimum, maximum]``, naming ``field`` and the range."""
    if value is None:
        return
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValidationError(
            {
                field: _("%(v)s is out of range: from %(lo)s to %(hi)s.")
                % {
                    "v": value,
                    "lo": minimum if minimum is not None else "…",
                    "hi": maximum if maximum is not None else "…",
                }
            }
        )


def days_ago(days: int, today=None):
    import datetime as dt

    from django.utils import timezone

    return (today or timezone.localdate()) - dt.timedelta(days=days)


def days_ahead(days: int, today=None):
    import datetime as dt

    from django.utils import timezone

    return (today or timezone.localdate()) + dt.timedelta(days=days)


# --- names: no bidi controls, no mixed-script look-alikes -----------------------------------------
# Bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) reorder
# what is shown ("好\u202e店" reads differently from what is stored); zero-width characters hide inside a
# name. A word that mixes Latin with Cyrillic or Greek letters ("Stаrbucks" with a Cyrillic а) is a
# homoglyph trick: it looks like another business's name and escapes a search for it. Chinese names
# with Latin words ("星巴克 Starbucks", "KFC肯德基") are ordinary and stay accepted.
_BIDI_AND_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SCRIPTS = (("LATIN", _("Latin")), ("CYRILLIC", _("Cyrillic")), ("GREEK", _("Greek")))


def _script(char: str) -> str | None:
    name = unicodedata.name(char, "")
    for prefix, script in _SCRIPTS:
        if name.startswith(prefix):
            return script
    return None


def validate_name_text(value: str) -> None:
    """A name (a business's, a person's) holds no bidi override or invisible character and no word that
    mixes Latin, Cyrillic and Greek letters."""
    if not value:
        return
    hidden = sorted({f"U+{ord(c):04X}" for c in _BIDI_AND_INVISIBLE.findall(value)})
    if hidden:
        raise ValidationError(
            _("Names may not hold text-direction or invisible characters (%(chars)s)."),
            code="name_bidi",
            params={"chars": " ".join(hidden)},
        )
    for word in re.findall(r"\w+", value):
        scripts = {str(s) for s in map(_script, word) if s}
        if len(scripts) > 1:
            raise ValidationError(
                _("“%(word)s” mixes %(scripts)s letters that look alike: write it in one script."),
                code="name_homoglyph",
                params={"word": word, "scripts": " + ".join(sorted(scripts))},
            )


def validate_recorded_day(value, *, field: str, days: int = RECORD_BACKFILL_DAYS, today=None) -> None:
    """A day something happened (a hazard found, an incident, a visit), entered now: not in the future,
    and at most ``days`` ago (a record backdated further is refused, naming the field)."""
    validate_date_window(
        value,
        field=field,
        earliest=days_ago(days, today),
        latest=today or days_ahead(0),
        earliest_reason=_("Records are entered within %(n)d days of the day they describe.") % {"n": days},
        latest_reason=_("It cannot be in the future."),
    )


def validate_deadline(value, *, field: str = "deadline", today=None) -> None:
    """A deadline set now: not in the past, at most ``DEADLINE_MAX_DAYS`` ahead."""
    validate_date_window(
        value,
        field=field,
        earliest=today or days_ago(0),
        latest=days_ahead(DEADLINE_MAX_DAYS, today),
        earliest_reason=_("A deadline cannot be in the past."),
        latest_reason=_("A deadline is set at most %(n)d days ahead.") % {"n": DEADLINE_MAX_DAYS},
    )
