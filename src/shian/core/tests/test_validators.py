import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from shian.core.validators import (
    USCC_CHARSET,
    make_uscc,
    org_code_check_char,
    uscc_check_char,
    validate_business_licence,
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
    ],
)
def test_bad_uscc_has_a_specific_message(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == code


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
    st.sampled_from(["91", "92", "93", "11", "52"]),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
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


@pytest.mark.parametrize("number", ["SC10633020300012", "sc12733020600011"])
def test_production_licence_ok(number):
    validate_production_licence(number)


@pytest.mark.parametrize("number", ["SC1063302030001", "SC106330203000123", "JY10633020300012", "SCX0633020300012"])
def test_production_licence_bad(number):
    with pytest.raises(ValidationError) as exc:
        validate_production_licence(number)
    assert exc.value.code == "sc_format"


@pytest.mark.parametrize("number", ["JY23302030012345", "JY13302030000011", "JY33302030000011"])
def test_business_licence_ok(number):
    validate_business_licence(number)


@pytest.mark.parametrize("number", ["JY43302030012345", "JY2330203001234", "SC23302030012345", ""])
def test_business_licence_bad(number):
    with pytest.raises(ValidationError) as exc:
        validate_business_licence(number)
    assert exc.value.code == "jy_format"


@pytest.mark.parametrize("phone", ["13800138000", "+8613800138000", "0574-87654321", "057487654321", "021-12345678"])
def test_phone_ok(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12800138000", "1380013800", "87654321", "phone", "0574-876"])
def test_phone_bad(phone):
    with pytest.raises(ValidationError) as exc:
        validate_phone(phone)
    assert exc.value.code == "phone_format"
