"""Encrypted fields (core/fields.py, core/crypto.py): stored encrypted, read back plain, found by the keyed
hash, refused when altered or moved, rotated by `shian rotate_field_keys`, the provider pluggable; identity
numbers checked (GB 11643)."""

import base64
import io

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shian.core import crypto
from shian.core.fields import hash_lookup, masked
from shian.core.personal import id_check_char, normalise_phone, phone_query, validate_id_number
from shian.registry.models import Business, Staff
from shian.registry.tests.factories import BusinessFactory, StaffFactory

K1 = base64.b64encode(b"1" * 32).decode()
K2 = base64.b64encode(b"2" * 32).decode()


def _raw(model, pk, column):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test constants
        return cursor.fetchone()[0]


def _set_raw(model, pk, column, value):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


@pytest.fixture
def staff(city):
    business = BusinessFactory(region=city["haishu_grid"], contact_phone="0574-87654321")
    return StaffFactory(business=business, phone="13812345678", id_number="")


def test_stored_encrypted_read_back_plain(staff):
    stored = _raw(Staff, staff.pk, "phone")
    assert stored.startswith("v1:dev:") and "13812345678" not in stored and "5678" not in stored
    assert Staff.objects.get(pk=staff.pk).phone == "13812345678"
    assert Business.objects.get(pk=staff.business_id).contact_phone == "0574-87654321"
    # two rows with the same number do not share a ciphertext (random nonce)
    other = StaffFactory(business=staff.business, phone="13812345678")
    assert _raw(Staff, other.pk, "phone") != stored


def test_blank_stays_blank_and_is_the_one_comparison_allowed(staff):
    blank = StaffFactory(business=staff.business, phone="")
    assert _raw(Staff, blank.pk, "phone") == ""
    assert list(Staff.objects.filter(phone="").values_list("pk", flat=True)) == [blank.pk]
    with pytest.raises(FieldError, match="encrypted"):
        list(Staff.objects.filter(phone="13812345678"))
    with pytest.raises(FieldError):
        list(Staff.objects.filter(phone__icontains="1381"))


def test_keyed_hash_finds_the_number_however_typed(staff):
    assert Staff.objects.get(**hash_lookup(Staff, "phone", "+86 138 1234 5678")) == staff
    assert Staff.objects.get(**hash_lookup(Staff, "phone", "１３８１２３４５６７８")) == staff  # full-width
    assert not Staff.objects.filter(**hash_lookup(Staff, "phone", "13812345679")).exists()
    assert not Staff.objects.filter(**hash_lookup(Staff, "phone", "")).exists()
    assert Business.objects.filter(**hash_lookup(Business, "contact_phone", "057487654321")).count() == 1
    # the hash is of the column too: the same number as a business phone hashes differently
    business = staff.business
    business.contact_phone = "13812345678"
    business.save()
    assert _raw(Business, business.pk, "contact_phone_hash") != _raw(Staff, staff.pk, "phone_hash")
    assert len(_raw(Staff, staff.pk, "phone_hash")) == 64


def test_hash_follows_every_write(staff):
    staff.phone = "13900000000"
    Staff.objects.bulk_update([staff], ["phone", "phone_hash"])
    assert Staff.objects.get(**hash_lookup(Staff, "phone", "13900000000")).pk == staff.pk
    created = Staff.objects.bulk_create(
        [Staff(business=staff.business, role="director", name="新总监", phone="13700000000")]
    )
    assert Staff.objects.get(**hash_lookup(Staff, "phone", "13700000000")).pk == created[0].pk
    staff.phone = ""
    staff.save()
    assert _raw(Staff, staff.pk, "phone_hash") == ""


def test_altered_or_moved_value_is_refused_naming_the_column(staff):
    stored = _raw(Staff, staff.pk, "phone")
    fmt, key_id, payload = stored.split(":", 2)
    blob = bytearray(base64.b64decode(payload))
    blob[-1] ^= 1
    _set_raw(Staff, staff.pk, "phone", f"{fmt}:{key_id}:{base64.b64encode(bytes(blob)).decode()}")
    with pytest.raises(crypto.DecryptionError, match="registry.staff.phone") as exc:
        Staff.objects.get(pk=staff.pk)
    assert "1381234" not in str(exc.value)
    # a ciphertext copied into another column does not decrypt there (the column is associated data)
    _set_raw(Staff, staff.pk, "phone", "")
    _set_raw(Business, staff.business_id, "contact_phone", stored)
    with pytest.raises(crypto.DecryptionError, match="registry.business.contact_phone"):
        Business.objects.get(pk=staff.business_id)
    _set_raw(Business, staff.business_id, "contact_phone", "13812345678")  # plain text where a cipher belongs
    with pytest.raises(crypto.DecryptionError, match="not encrypted"):
        Business.objects.get(pk=staff.business_id)


def test_rotation_re_encrypts_under_the_new_key(staff, settings):
    settings.FIELD_KEYS = f"k1:{K1}"
    staff.phone = "13811112222"
    staff.save()
    assert _raw(Staff, staff.pk, "phone").startswith("v1:k1:")
    # the new key first, the old one kept: old values read, new ones are written under k2
    settings.FIELD_KEYS = f"k2:{K2},k1:{K1}"
    assert Staff.objects.get(pk=staff.pk).phone == "13811112222"
    out = io.StringIO()
    with pytest.raises(CommandError, match="not under the current key"):
        call_command("rotate_field_keys", "--check", stdout=out)
    call_command("rotate_field_keys", stdout=out)
    assert "registry.staff.phone: 1 re-encrypted" in out.getvalue()
    assert _raw(Staff, staff.pk, "phone").startswith("v1:k2:")
    # the business's contact phone was written under the development key: rotated too
    assert _raw(Business, staff.business_id, "contact_phone").startswith("v1:k2:")
    call_command("rotate_field_keys", "--check", stdout=io.StringIO())  # nothing left
    settings.FIELD_KEYS = f"k2:{K2}"  # the old key removed
    assert Staff.objects.get(pk=staff.pk).phone == "13811112222"
    settings.FIELD_KEYS = f"k3:{K1}"  # a key that wrote nothing here
    with pytest.raises(crypto.DecryptionError, match="'k2' is not in SHIAN_FIELD_KEYS"):
        Staff.objects.get(pk=staff.pk)


def test_new_hash_key_is_applied_by_the_rotation(staff, settings):
    settings.FIELD_HASH_KEY = base64.b64encode(b"h" * 32).decode()
    assert not Staff.objects.filter(**hash_lookup(Staff, "phone", "13812345678")).exists()  # stale until rotated
    call_command("rotate_field_keys", stdout=io.StringIO())
    assert Staff.objects.get(**hash_lookup(Staff, "phone", "13812345678")) == staff


class ToySm4Provider(crypto.AesGcmSha256):
    """Stands in for an SM4/SM3 provider: another format, another keyed hash."""

    format = "t1"

    def keyed_hash(self, key, data):
        import hashlib
        import hmac

        return hmac.new(key, data, hashlib.sha512).hexdigest()[:64]


def test_provider_is_pluggable_and_rotation_moves_values_to_it(staff, settings):
    settings.FIELD_CRYPTO_PROVIDER = f"{__name__}.ToySm4Provider"
    settings.FIELD_CRYPTO_READERS = ["shian.core.crypto.AesGcmSha256"]  # the values already stored
    assert Staff.objects.get(pk=staff.pk).phone == "13812345678"
    call_command("rotate_field_keys", stdout=io.StringIO())
    assert _raw(Staff, staff.pk, "phone").startswith("t1:dev:")
    assert Staff.objects.get(**hash_lookup(Staff, "phone", "13812345678")) == staff
    settings.FIELD_CRYPTO_READERS = []
    assert Staff.objects.get(pk=staff.pk).phone == "13812345678"
    settings.FIELD_CRYPTO_PROVIDER = "shian.core.crypto.AesGcmSha256"
    with pytest.raises(crypto.DecryptionError, match="no provider reads format 't1'"):
        Staff.objects.get(pk=staff.pk)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("k1", "entry 1"),
        (f"k-1:{K1}", "entry 1"),
        ("k1:not base64!", "not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "5 bytes"),
        (f"k1:{K1},k1:{K2}", "twice"),
    ],
)
def test_bad_key_settings_are_named(keys, message):
    with pytest.raises(ImproperlyConfigured, match=message) as exc:
        crypto.parse_keys(keys, 32)
    assert K2 not in str(exc.value)


def test_production_needs_the_keys(tmp_path):
    from shian.core.tests.test_settings import _manage

    env = {
        "SHIAN_PROFILE": "production",
        "SHIAN_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "SHIAN_ALLOWED_HOSTS": "shian.example.gov.cn",
        "SHIAN_DATA_DIR": str(tmp_path),
    }
    result = _manage("check", env_extra=env)
    assert result.returncode != 0
    assert "SHIAN_FIELD_KEYS must be set" in result.stderr


def test_masked_and_audit_values(staff):
    assert masked(staff, "phone") == "138****5678"
    staff.id_number = "11010519491231002X"
    assert masked(staff, "id_number") == "110105********002X"
    field = Staff._meta.get_field("phone")
    assert field.audit_value("13812345678") == "138****5678"
    assert Staff._meta.get_field("phone_hash").audit_value("ab" * 32) is None


def test_value_longer_than_the_field_is_refused(staff):
    staff.phone = "1" * 21
    with pytest.raises(ValidationError) as exc:
        staff.full_clean()
    assert "phone" in exc.value.message_dict


# --- identity numbers and phone searches --------------------------------------------------------
def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


def test_identity_number_check_digit():
    assert id_check_char("11010519491231002") == "X"  # the standard's own example
    validate_id_number("11010519491231002X")
    validate_id_number("11010519491231002x")  # lower case as typed
    validate_id_number(_id("33020319900101123"))


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_check"),
        ("1101051949123100", "id_format"),
        (_id("99020319900101123"), "id_division"),
        (_id("33020319901301123"), "id_birth_date"),
        (_id("33020318000101123"), "id_birth_date"),
    ],
)
def test_identity_number_refused_naming_the_part(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.code == code


def test_phone_query():
    assert phone_query(" 138-1234-5678 ") == "13812345678"
    assert phone_query("+8613812345678") == "13812345678"
    assert phone_query("0574-87654321") == "057487654321"
    assert phone_query("面馆") == "" and phone_query("1381234") == "" and phone_query(None) == ""
    assert normalise_phone("（0574）87654321") == "057487654321"
