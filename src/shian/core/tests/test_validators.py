import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from shian.core.validators import (
    USCC_CHARSET,
    make_uscc,
    normalise_uscc,
    org_code_check_char,
    uscc_check_char,
    validate_business_licence,
    validate_filing_number,
    validate_phone,
    validate_production_licence,
    validate_uscc,
)

STANDARD_EXAMPLE = "91350100M000100Y43"  # GB 32100-2015's own example


def test_standard_example_validates():
    validate_uscc(STANDARD_EXAMPLE)
    assert uscc_check_char(STANDARD_EXAMPLE[:17]) == "3"
    assert org_code_check_char("M000100Y") == "4"


def test_lowercase_and_spaces_are_normalised():
    validate_uscc(f"  {STANDARD_EXAMPLE.lower()} ")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "uscc_length"),
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100Y433", "uscc_length"),
        ("91350100M000100I43", "uscc_charset"),  # I is not in the GB 32100 character set
        ("91350100M000100Y44", "uscc_check"),
        ("9135A100M000100Y43", "uscc_division"),
        # structure (GB 32100 table 1, GB/T 2260): accepted before, although every check character is right
        ("01330212MA281ATH4R", "uscc_authority"),  # no registration authority 0
        ("91000000MA281ATH49", "uscc_division"),  # 000000 is no division
        ("91990101MA281ATH4E", "uscc_division"),  # 99 is no province
        ("94330212MA281ATH4E", "uscc_org_type"),  # 工商 has types 1, 2, 3 only
        ("Z1330212MA281ATH4E", "uscc_charset"),  # Z is never used
    ],
)
def test_bad_uscc_has_a_specific_message(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("value", "part"),
    [
        ("01330212MA281ATH4R", "character 1"),
        ("94330212MA281ATH4E", "character 2"),
        ("91990101MA281ATH4E", "characters 3–8"),
        ("91350100M000100Y44", "character 18"),
    ],
)
def test_uscc_message_names_the_failing_part(value, part):
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            validate_uscc(value)
        assert part in exc.value.messages[0]  # messages are lazy: read them in English


def test_uscc_message_in_chinese_names_the_part():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_uscc("01330212MA281ATH4R")
    assert "第1位" in exc.value.messages[0] and "登记管理部门代码" in exc.value.messages[0]


@pytest.mark.parametrize(
    "typed",
    [
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width digits and letters (Chinese input methods)
        "9135 0100 M000 100Y 43",  # spaces inside
        "\u30009135\u30000100M000100y43 ",  # ideographic spaces, lower case
    ],
)
def test_uscc_as_typed_is_normalised(typed):
    validate_uscc(typed)
    assert normalise_uscc(typed) == STANDARD_EXAMPLE


def test_full_width_forbidden_letters_stay_refused():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("９１３５０１００Ｍ０００１００Ｉ４３")  # full-width I becomes I, still refused
    assert exc.value.code == "uscc_charset"


def test_national_registrations_are_accepted():
    validate_uscc(make_uscc("11100000" + "00001234"))


def test_wrong_check_message_names_expected_character():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100Y44")
    assert "3" in exc.value.messages[0] and "4" in exc.value.messages[0]


def test_embedded_organisation_code_check():
    body = "91350100M000100Y5"  # organisation check 5 instead of 4 ...
    code = body + uscc_check_char(body)  # ... with a correct USCC check character on top
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == "uscc_org_check"


uscc_bodies = st.tuples(
    st.sampled_from(["91", "92", "93", "11", "52", "N2", "Y1"]),
    st.sampled_from(["11", "33", "44", "65"]).flatmap(
        lambda p: st.text(alphabet="0123456789", min_size=4, max_size=4).map(lambda rest: p + rest)
    ),
    st.text(alphabet=USCC_CHARSET, min_size=8, max_size=8),
)


@given(uscc_bodies)
def test_generated_codes_validate(parts):
    validate_uscc(make_uscc("".join(parts)))


@given(uscc_bodies, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_CHARSET))
def test_any_single_substitution_is_caught(parts, position, replacement):
    code = make_uscc("".join(parts))
    if code[position] == replacement:
        return
    mutated = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        validate_uscc(mutated)


@pytest.mark.parametrize(
    "number", ["SC10633020300012", "sc12733020600011", "SC12533020300018", "ＳＣ２０１３３０２０３００１１５"]
)
def test_production_licence_ok(number):
    validate_production_licence(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("SC1063302030001", "sc_format"),
        ("SC106330203000123", "sc_format"),
        ("JY10633020300012", "sc_format"),
        ("SCX0633020300012", "sc_format"),
        ("SC13233020300012", "sc_category"),  # the catalogue's food categories end at 131
        ("SC30133020300012", "sc_category"),
        ("SC10699020300012", "sc_division"),
    ],
)
def test_production_licence_bad(number, code):
    with pytest.raises(ValidationError) as exc:
        validate_production_licence(number)
    assert exc.value.code == code


@pytest.mark.parametrize("number", ["YB13302030000011", "yb1 330203 000001 1"])
def test_filing_number_ok(number):
    validate_filing_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [("备案33020300000001", "yb_format"), ("YB23302030000011", "yb_format"), ("YB19902030000011", "yb_division")],
)
def test_filing_number_bad(number, code):
    with pytest.raises(ValidationError) as exc:
        validate_filing_number(number)
    assert exc.value.code == code


@pytest.mark.parametrize("number", ["JY23302030012345", "JY13302030000011", "JY33302030000011"])
def test_business_licence_ok(number):
    validate_business_licence(number)


@pytest.mark.parametrize("number", ["JY43302030012345", "JY2330203001234", "SC23302030012345", ""])
def test_business_licence_bad(number):
    with pytest.raises(ValidationError) as exc:
        validate_business_licence(number)
    assert exc.value.code == "jy_format"


def test_business_licence_division_is_checked():
    with pytest.raises(ValidationError) as exc:
        validate_business_licence("JY20000000012345")
    assert exc.value.code == "jy_division"


@pytest.mark.parametrize("phone", ["13800138000", "+8613800138000", "0574-87654321", "057487654321", "021-12345678"])
def test_phone_ok(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12800138000", "1380013800", "87654321", "phone", "0574-876"])
def test_phone_bad(phone):
    with pytest.raises(ValidationError) as exc:
        validate_phone(phone)
    assert exc.value.code == "phone_format"
