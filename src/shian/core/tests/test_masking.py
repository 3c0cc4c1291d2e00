"""core.masking: phones and ID numbers shown masked (138****1234; ID first 6 + last 4), never raising."""

import pytest

from shian.core.masking import is_id_number, mask_id_number, mask_phone, mask_text, mask_value

ID_18 = "330203199001011236"  # a valid check character (GB 11643)
ID_18_X = "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812341234", "138****1234"),
        (" 138 1234 1234 ", "138****1234"),
        ("+8613812341234", "138****1234"),
        ("１３８１２３４１２３４", "138****1234"),  # full-width digits
        (13812341234, "138****1234"),
        ("0574-87654321", "0574-****4321"),
        ("057487654321", "0574-****4321"),
        ("010-1234567", "010-****4567"),
        ("12345", "***45"),
        ("1", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (ID_18, "330203********1236"),
        (ID_18_X, "110105********002X"),
        ("330203900101123", "330203*****1123"),  # the old 15-digit form
        ("ABC123", "***123"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number_keeps_first_six_and_last_four(value, masked):
    assert mask_id_number(value) == masked


def test_mask_id_number_hides_the_birth_date():
    masked = mask_id_number(ID_18)
    assert "19900101" not in masked and masked.startswith("330203") and masked.endswith("1236")
    assert len(masked) == 18


def test_is_id_number_checks_the_check_character():
    assert is_id_number(ID_18) and is_id_number(ID_18_X.lower())
    assert not is_id_number(ID_18[:17] + "0")
    assert not is_id_number("91330203MA2XXXXXX1")  # a USCC is not an ID number
    assert not is_id_number(None)


def test_mask_text_masks_mobiles_and_id_numbers_but_not_licence_numbers():
    text = f"联系人 13812341234 或 +86-139-1234-5678，身份证 {ID_18}，许可证 JY13302030012345，编号 20261129000001"
    masked = mask_text(text)
    assert "13812341234" not in masked and "138****1234" in masked
    assert "139****5678" in masked
    assert ID_18 not in masked and "330203********1236" in masked
    assert "JY13302030012345" in masked and "20261129000001" in masked
    # 18 digits that are not an ID number (a wrong check character) stay
    assert mask_text("单号 330203199001011230") == "单号 330203199001011230"
    assert mask_text(None) == ""


def test_mask_value_masks_by_key_and_inside_free_text():
    changes = {
        "phone": ["13812341234", "0574-87654321"],
        "contact_phone": [None, "13912345678"],
        "id_number": ["", ID_18],
        "note": ["call 13812341234", "ok"],
        "valid_number": ["12", "13"],  # not an ID number field
        "count": [1, 2],
        "nested": {"mobile": "13700001111", "items": [{"tel": "87654321"}]},
    }
    masked = mask_value(changes)
    assert masked["phone"] == ["138****1234", "0574-****4321"]
    assert masked["contact_phone"] == [None, "139****5678"]
    assert masked["id_number"] == ["", "330203********1236"]
    assert masked["note"] == ["call 138****1234", "ok"]
    assert masked["valid_number"] == ["12", "13"] and masked["count"] == [1, 2]
    assert masked["nested"] == {"mobile": "137****1111", "items": [{"tel": "****4321"}]}
    assert changes["phone"] == ["13812341234", "0574-87654321"]  # the argument is untouched


@pytest.mark.parametrize("junk", [object(), 3.5, True, b"\x00", {"phone": object()}, [None, [None]]])
def test_masking_never_raises(junk):
    mask_value(junk)
    mask_phone(junk)
    mask_id_number(junk)
    mask_text(junk)


def test_masking_twice_changes_nothing():
    for value in ("13812341234", "0574-87654321", "12345"):
        assert mask_phone(mask_phone(value)) == mask_phone(value)
    assert mask_id_number(mask_id_number(ID_18)) == mask_id_number(ID_18)
    assert mask_value({"phone": ["138****1234"]}) == {"phone": ["138****1234"]}
