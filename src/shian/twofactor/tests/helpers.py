"""Enrolling a test account the way a person does: start, then confirm with a code from the secret."""

import time

from shian.core.tests.factories import PASSWORD
from shian.twofactor import services, totp

ENROLLED_AGO = 120  # seconds: the enrolment code's step is well behind "now", so a current code is new


def enrol(user, *, at: float | None = None) -> tuple[bytes, list[str]]:
    """(secret, recovery codes) of a freshly enrolled authenticator."""
    at = time.time() - ENROLLED_AGO if at is None else at
    _device, secret = services.device_start(user=user)
    codes = services.device_confirm(user=user, password=PASSWORD, code=totp.totp(secret, at), at=at)
    return secret, codes


def code_now(secret: bytes, offset_steps: int = 0) -> str:
    return totp.totp(secret, time.time() + offset_steps * totp.STEP_SECONDS)
