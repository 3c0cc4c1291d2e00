"""HOTP (RFC 4226) and TOTP (RFC 6238) with the standard library: pure functions, no state.

Written here rather than taken from pyotp/django-otp: the algorithm is a dozen lines of ``hmac``, it is
checked against the RFCs' own test vectors (tests/test_totp.py), and the state around it (the secret
encrypted at rest, the last step used, the lockout, the audit) is ShiAn's own anyway — django-otp would
bring a second device model and admin that the access policy would have to learn.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import urllib.parse
from collections.abc import Callable

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, the length RFC 4226 recommends (the HMAC-SHA1 output size)


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: Callable = hashlib.sha1) -> str:
    """RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, dynamic truncation, ``digits`` digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(unix_time: float, *, step: int = STEP_SECONDS, t0: int = 0) -> int:
    """RFC 6238 §4.2: T = floor((unix time − T0) / X)."""
    return int((unix_time - t0) // step)


def totp(
    key: bytes, unix_time: float, *, step: int = STEP_SECONDS, digits: int = DIGITS, digest: Callable = hashlib.sha1
) -> str:
    return hotp(key, step_at(unix_time, step=step), digits=digits, digest=digest)


def matching_step(key: bytes, code: str, unix_time: float, *, window: int = 1, after: int | None = None) -> int | None:
    """The time step (within ±``window`` steps of now) whose code is ``code``, if it is later than
    ``after`` (the last step already used: a code is accepted once). Compared in constant time."""
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    now = step_at(unix_time)
    found = None
    for candidate in range(now - window, now + window + 1):
        if candidate < 0 or (after is not None and candidate <= after):
            continue
        if hmac.compare_digest(hotp(key, candidate), code) and found is None:
            found = candidate
    return found


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def b32(secret: bytes) -> str:
    """The secret as authenticator apps take it: base32 without padding."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def from_b32(text: str) -> bytes:
    cleaned = "".join(text.split()).upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def provisioning_uri(secret: bytes, *, account: str, issuer: str) -> str:
    """The ``otpauth://totp/…`` URI (Google Authenticator's key-URI format) that a QR code carries."""
    label = urllib.parse.quote(f"{issuer}:{account}", safe=":@")
    query = urllib.parse.urlencode(
        {"secret": b32(secret), "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS},
        quote_via=urllib.parse.quote,
    )
    return f"otpauth://totp/{label}?{query}"
