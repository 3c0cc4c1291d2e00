"""Model fields for personal data: encrypted at rest, found by a keyed hash, masked when shown.

::

    phone = EncryptedTextField(_("phone"), max_length=20, blank=True, validators=[validate_phone], mask="phone")
    phone_hash = KeyedHashField(source="phone", normalise="shian.core.personal.normalise_phone")

- ``EncryptedTextField`` holds the plain value in Python and the stored form (``v1:<key id>:<base64>``,
  core/crypto.py) in the database. ``max_length`` is the plain value's limit (validated like a
  ``CharField``'s; the column itself is text). Only ``isnull`` and ``= ""`` can be looked up: any other
  comparison would compare ciphertexts and is refused, naming the hash column to use instead.
- ``KeyedHashField`` is the value's keyed hash (HMAC) after normalisation, kept in step with its source
  whatever writes the row (``save``, ``bulk_create``, ``bulk_update`` — list it beside the source there),
  because reading it computes it from the source. Find a row with ``hash_lookup(Model, "phone", value)``.
- ``mask`` names how the value is shown when not revealed ("phone": 138****1234, "id_number": first 6
  and last 4; core/masking.py); ``masked(obj, "phone")`` applies it. The audit log records the masked
  form of a change, never the value (``core.audit.snapshot`` asks ``audit_value``).
"""

from __future__ import annotations

from typing import Any

from django.core import validators as django_validators
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.utils.functional import cached_property
from django.utils.module_loading import import_string

from . import crypto

MASKS = {"phone": "mask_phone", "id_number": "mask_id_number"}


def mask_value(kind: str | None, value: str | None) -> str:
    """``value`` shown masked as ``kind`` ("phone", "id_number"); "" stays ""."""
    if not value:
        return value or ""
    if kind is None:
        return value
    from . import masking

    return getattr(masking, MASKS[kind])(value)


class EncryptedExact(Exact):
    """``field=""`` (is it blank?) works, as the blank value is stored as is; any other value is refused."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.model._meta.label}.{self.lhs.target.name} is encrypted: find a value by its "
                f"keyed hash (hash_lookup), not by comparing the column"
            )
        return self.rhs


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest (AES-256-GCM by default; core/crypto.py)"

    def __init__(self, *args: Any, context: str | None = None, mask: str | None = None, **kwargs: Any):
        if mask is not None and mask not in MASKS:
            raise ValueError(f"mask must be one of {sorted(MASKS)}")
        self.explicit_context = context
        self.mask = mask
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        # the column, bound to every ciphertext as associated data (a value moved elsewhere won't decrypt);
        # a renamed field keeps reading its values by passing its old context explicitly
        self.context = self.explicit_context or f"{cls._meta.label_lower}.{name}"

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.explicit_context:
            kwargs["context"] = self.explicit_context
        if self.mask:
            kwargs["mask"] = self.mask
        return name, path, args, kwargs

    @cached_property
    def validators(self):
        extra = [django_validators.MaxLengthValidator(self.max_length)] if self.max_length else []
        return [*super().validators, *extra]

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value, context=self.context)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value, context=self.context)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EncryptedExact
        if lookup_name == "isnull":
            return IsNull
        return None  # Django then says the lookup is unsupported for this field

    def get_transform(self, lookup_name):
        return None

    def audit_value(self, value):
        """What the audit log records of a value: its masked form (a change still shows as a change)."""
        return mask_value(self.mask, value) if self.mask else ("***" if value else value)


class KeyedHashDescriptor:
    """Reading the hash computes it from the source field's current value; what is loaded or assigned is
    kept only for Django's bookkeeping."""

    def __init__(self, field: KeyedHashField):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return self.field.hash_of(getattr(instance, self.field.source))

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class KeyedHashField(models.CharField):
    description = "Keyed hash (HMAC) of another field, for exact lookups"

    def __init__(self, *args: Any, source: str, normalise: str = "", **kwargs: Any):
        self.source = source
        self.normalise_path = normalise
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.normalise_path:
            kwargs["normalise"] = self.normalise_path
        for key, default in (("max_length", 64), ("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        if kwargs.get("db_index") is True:
            kwargs.pop("db_index")
        else:
            kwargs["db_index"] = False
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, KeyedHashDescriptor(self))

    @cached_property
    def normaliser(self):
        return import_string(self.normalise_path) if self.normalise_path else (lambda v: (v or "").strip())

    @property
    def context(self) -> str:
        source = self.model._meta.get_field(self.source)
        return getattr(source, "context", None) or f"{self.model._meta.label_lower}.{self.source}"

    def hash_of(self, value: str | None) -> str:
        return crypto.keyed_hash(self.normaliser(value or ""), context=self.context)

    def pre_save(self, model_instance, add):
        value = self.hash_of(getattr(model_instance, self.source))
        model_instance.__dict__[self.attname] = value
        return value

    audit_exclude = True  # not a fact of its own: the source's change is recorded (masked)

    def audit_value(self, value):
        return None


def hash_field_for(model: type[models.Model], source: str) -> KeyedHashField:
    for field in model._meta.concrete_fields:
        if isinstance(field, KeyedHashField) and field.source == source:
            return field
    raise LookupError(f"{model._meta.label}.{source} has no keyed hash field")


def hash_lookup(model: type[models.Model], source: str, value: str) -> dict[str, str]:
    """Filter keyword arguments that find rows whose ``source`` equals ``value`` exactly (after
    normalisation): ``Staff.objects.filter(**hash_lookup(Staff, "phone", "138 0013 8000"))``."""
    field = hash_field_for(model, source)
    return {field.attname: field.hash_of(value) or "-"}  # a blank value finds nothing (no hash is "-")


def masked(obj: models.Model, name: str) -> str:
    """The value of an encrypted field as shown when not revealed."""
    field = obj._meta.get_field(name)
    return mask_value(getattr(field, "mask", None), getattr(obj, name))


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


class MaskedInitialMixin:
    """For a ModelForm editing an object with encrypted fields (listed in ``masked_fields``): the form
    shows the masked value, so an edit page does not disclose what "show" would have to audit; sent back
    as shown, the stored value is kept; anything else typed replaces it (and is validated as usual)."""

    masked_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stored: dict[str, tuple[str, str]] = {}
        for name in self.masked_fields:
            value = getattr(self.instance, name, "") if self.instance.pk else ""
            if value and name in self.fields:
                shown = masked(self.instance, name)
                self._stored[name] = (shown, value)
                self.initial[name] = shown

    def _clean_fields(self):
        super()._clean_fields()
        for name, (shown, value) in self._stored.items():
            if self.cleaned_data.get(name) == shown:
                self.cleaned_data[name] = value
