"""Field-level encryption and keyed hashing of personal data, behind a small provider interface.

A stored value reads ``<format>:<key id>:<base64 of nonce + ciphertext + tag>``. The format names the
provider that wrote it (``v1``: AES-256-GCM, with HMAC-SHA256 as the keyed hash), so a commercial
cryptography provider (国密: SM4-GCM with HMAC-SM3) can be added beside it and become the one that
encrypts (``SHIAN_FIELD_CRYPTO_PROVIDER``) while the values already stored still decrypt; ``shian
rotate_field_keys`` then re-encrypts them.

Keys come from the environment (docs/security.md, "Personal data"):

- ``SHIAN_FIELD_KEYS`` — ``id:base64key,id:base64key,…``: the first encrypts, every one decrypts (a
  rotation puts the new key first and keeps the old ones until ``rotate_field_keys`` has run).
- ``SHIAN_FIELD_HASH_KEY`` — the key of the keyed hash that finds a value by exact match (separate from
  the encryption keys: knowing it reveals nothing stored, it only lets one test a guess).

Both are required in the production profile; in development they are derived from ``SECRET_KEY``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

DEV_KEY_ID = "dev"


class DecryptionError(Exception):
    """A stored value that cannot be read: an unknown format or key id, or a value altered in storage.
    The message names the column and the key id, never the value."""


class CryptoProvider(Protocol):
    """What a provider offers. ``format`` is the prefix of the values it writes and must be unique."""

    format: str
    key_length: int  # bytes

    def encrypt(self, key: bytes, plaintext: bytes, associated_data: bytes) -> bytes: ...

    def decrypt(self, key: bytes, blob: bytes, associated_data: bytes) -> bytes: ...

    def keyed_hash(self, key: bytes, data: bytes) -> str: ...


class AesGcmSha256:
    """AES-256-GCM (96-bit random nonce, 128-bit tag) and HMAC-SHA256, from the ``cryptography`` package."""

    format = "v1"
    key_length = 32
    nonce_length = 12

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM
        self._ciphers: dict[bytes, object] = {}

    def _cipher(self, key: bytes):
        cipher = self._ciphers.get(key)
        if cipher is None:
            cipher = self._ciphers[key] = self._aead(key)
        return cipher

    def encrypt(self, key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
        nonce = os.urandom(self.nonce_length)
        return nonce + self._cipher(key).encrypt(nonce, plaintext, associated_data)

    def decrypt(self, key: bytes, blob: bytes, associated_data: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag

        try:
            return self._cipher(key).decrypt(blob[: self.nonce_length], blob[self.nonce_length :], associated_data)
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("authentication failed") from exc

    def keyed_hash(self, key: bytes, data: bytes) -> str:
        return hmac.new(key, data, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Keyring:
    provider: CryptoProvider
    current_id: str
    keys: dict[str, bytes]  # id → key, the current one first
    hash_key: bytes


def _derive(label: str, length: int) -> bytes:
    """A development key: derived from SECRET_KEY, so a development database stays readable across runs."""
    return hashlib.sha256(f"shian:{label}:{settings.SECRET_KEY}".encode()).digest()[:length]


def parse_keys(text: str, key_length: int) -> dict[str, bytes]:
    """``id:base64,id:base64`` → {id: key}; refuses a malformed entry naming it (never printing a key)."""
    keys: dict[str, bytes] = {}
    for n, item in enumerate((p.strip() for p in text.split(",")), start=1):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or not key_id.isalnum():
            raise ImproperlyConfigured(
                f"SHIAN_FIELD_KEYS entry {n}: write it as <id>:<base64 key>, the id letters and digits only"
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"SHIAN_FIELD_KEYS key {key_id!r} is not valid base64") from None
        if len(key) != key_length:
            raise ImproperlyConfigured(
                f"SHIAN_FIELD_KEYS key {key_id!r} is {len(key)} bytes; the provider needs {key_length}"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"SHIAN_FIELD_KEYS names key {key_id!r} twice")
        keys[key_id] = key
    return keys


def providers() -> dict[str, CryptoProvider]:
    """Every provider that can read values, by format; the configured one is among them."""
    found: dict[str, CryptoProvider] = {}
    for path in [*getattr(settings, "FIELD_CRYPTO_READERS", []), _provider_path()]:
        provider = _load_provider(path)
        found[provider.format] = provider
    return found


def _provider_path() -> str:
    return getattr(settings, "FIELD_CRYPTO_PROVIDER", "") or "shian.core.crypto.AesGcmSha256"


@lru_cache(maxsize=8)
def _load_provider(path: str) -> CryptoProvider:
    try:
        return import_string(path)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"SHIAN_FIELD_CRYPTO_PROVIDER {path!r} cannot be imported: {exc}") from exc


@lru_cache(maxsize=4)
def _keyring(secret: str, keys_text: str, hash_key_text: str, provider_path: str, production: bool) -> Keyring:
    provider = _load_provider(provider_path)
    keys = parse_keys(keys_text, provider.key_length) if keys_text else {}
    if not production and DEV_KEY_ID not in keys:
        # development: the key derived from SECRET_KEY encrypts when none is configured, and still reads
        # what it wrote once keys are configured (production has no derived key)
        keys[DEV_KEY_ID] = _derive("field-encryption", provider.key_length)
    if hash_key_text:
        try:
            hash_key = base64.b64decode(hash_key_text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured("SHIAN_FIELD_HASH_KEY is not valid base64") from None
        if len(hash_key) < 32:
            raise ImproperlyConfigured("SHIAN_FIELD_HASH_KEY must be at least 32 bytes")
    else:
        hash_key = _derive("field-lookup-hash", 32)
    return Keyring(provider=provider, current_id=next(iter(keys)), keys=keys, hash_key=hash_key)


def keyring() -> Keyring:
    """The keys as configured now (cached per configuration, so tests may override settings)."""
    return _keyring(
        settings.SECRET_KEY,
        getattr(settings, "FIELD_KEYS", "") or "",
        getattr(settings, "FIELD_HASH_KEY", "") or "",
        _provider_path(),
        bool(getattr(settings, "PRODUCTION", False)),
    )


def encrypt(plaintext: str, *, context: str) -> str:
    """The stored form of ``plaintext``. ``context`` (the column, e.g. "registry.staff.phone") is bound to
    the ciphertext as associated data: a value copied into another column does not decrypt."""
    ring = keyring()
    aad = f"{ring.provider.format}:{ring.current_id}:{context}".encode()
    blob = ring.provider.encrypt(ring.keys[ring.current_id], plaintext.encode(), aad)
    return f"{ring.provider.format}:{ring.current_id}:{base64.b64encode(blob).decode('ascii')}"


def parse(stored: str) -> tuple[str, str, str] | None:
    """(format, key id, payload) of a stored value, or None when it is not in the stored form."""
    parts = stored.split(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1], parts[2]


def decrypt(stored: str, *, context: str) -> str:
    parsed = parse(stored)
    if parsed is None:
        raise DecryptionError(f"{context}: the stored value is not encrypted (no <format>:<key id>: prefix)")
    fmt, key_id, payload = parsed
    ring = keyring()
    provider = providers().get(fmt)
    if provider is None:
        raise DecryptionError(f"{context}: no provider reads format {fmt!r}")
    key = ring.keys.get(key_id)
    if key is None:
        raise DecryptionError(
            f"{context}: key {key_id!r} is not in SHIAN_FIELD_KEYS (configured: {', '.join(ring.keys)})"
        )
    try:
        blob = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError(f"{context}: the stored value is damaged (not base64)") from None
    try:
        return provider.decrypt(key, blob, f"{fmt}:{key_id}:{context}".encode()).decode()
    except DecryptionError:
        raise DecryptionError(
            f"{context}: value under key {key_id!r} fails authentication (altered, or moved from another column)"
        ) from None


def is_current(stored: str) -> bool:
    """Whether a stored value is written by the configured provider under the current key."""
    parsed = parse(stored)
    ring = keyring()
    return parsed is not None and parsed[0] == ring.provider.format and parsed[1] == ring.current_id


def keyed_hash(normalised: str, *, context: str) -> str:
    """The lookup hash of an already normalised value; "" for an empty one. ``context`` separates the
    columns (the same phone number hashes differently as a staff phone and as a business phone)."""
    if not normalised:
        return ""
    ring = keyring()
    return ring.provider.keyed_hash(ring.hash_key, f"{context}\x00{normalised}".encode())


def generate_key(length: int = 32) -> str:
    """A new random key, base64 (for ``shian rotate_field_keys --new-key``)."""
    return base64.b64encode(os.urandom(length)).decode("ascii")
