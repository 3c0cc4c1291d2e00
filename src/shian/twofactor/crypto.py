"""The TOTP secrets at rest and the recovery codes' digests, through the platform's field encryption
(``core.crypto``: AES-256-GCM and HMAC-SHA256 by default, a 国密 SM4/SM3 provider pluggable; keys from
``SHIAN_FIELD_KEYS`` / ``SHIAN_FIELD_HASH_KEY``, derived from ``SECRET_KEY`` in development).

Each value is bound to its account (the account id is part of the associated data), so a secret copied
onto another account's row does not decrypt, and the same recovery code hashes differently per account.
A database dump or backup alone reveals neither secrets nor codes."""

from __future__ import annotations

from shian.core import crypto

SecretUnreadable = crypto.DecryptionError


def _context(kind: str, user_id: int) -> str:
    return f"twofactor.{kind}:{user_id}"


def seal(secret_b32: str, *, user_id: int) -> str:
    return crypto.encrypt(secret_b32, context=_context("totpdevice.secret", user_id))


def unseal(stored: str, *, user_id: int) -> str:
    """The base32 secret; raises SecretUnreadable when the key is gone or the row was tampered with."""
    return crypto.decrypt(stored, context=_context("totpdevice.secret", user_id))


def code_digest(code: str, *, user_id: int) -> str:
    """Keyed digest of a normalised recovery code: checked with one indexed lookup, not guessable offline
    from a dump without the key."""
    return crypto.keyed_hash(code, context=_context("recoverycode", user_id))
