"""RFC 4226 (HOTP) and RFC 6238 (TOTP) test vectors, the ±1 step window and the once-only rule."""

import hashlib
import urllib.parse

import pytest

from shian.twofactor import totp

RFC4226_KEY = b"12345678901234567890"
RFC4226_CODES = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]

# RFC 6238 Appendix B: 8 digits; the seed for each hash is the ASCII key repeated to the hash's length
SEEDS = {
    hashlib.sha1: b"12345678901234567890",
    hashlib.sha256: b"12345678901234567890123456789012",
    hashlib.sha512: b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize("counter", range(10))
def test_rfc4226_hotp_vectors(counter):
    assert totp.hotp(RFC4226_KEY, counter) == RFC4226_CODES[counter]


@pytest.mark.parametrize(("t", "sha1", "sha256", "sha512"), RFC6238)
def test_rfc6238_totp_vectors(t, sha1, sha256, sha512):
    for digest, want in ((hashlib.sha1, sha1), (hashlib.sha256, sha256), (hashlib.sha512, sha512)):
        assert totp.totp(SEEDS[digest], t, digits=8, digest=digest) == want


def test_rfc6238_steps():
    assert totp.step_at(59) == 1
    assert totp.step_at(1111111109) == 0x23523EC
    assert totp.step_at(20000000000) == 0x27BC86AA


def test_window_is_one_step_either_side():
    key, now = RFC4226_KEY, 1_000_000_000.0
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        assert totp.matching_step(key, totp.hotp(key, step + offset), now) == step + offset
    for offset in (-2, 2):
        assert totp.matching_step(key, totp.hotp(key, step + offset), now) is None


def test_a_code_is_accepted_once_and_no_earlier_one_after_it():
    key, now = RFC4226_KEY, 1_000_000_000.0
    step = totp.step_at(now)
    code = totp.hotp(key, step)
    assert totp.matching_step(key, code, now, after=step - 1) == step
    assert totp.matching_step(key, code, now, after=step) is None  # replay
    assert totp.matching_step(key, totp.hotp(key, step - 1), now, after=step) is None  # older than the last used
    assert totp.matching_step(key, totp.hotp(key, step + 1), now, after=step) == step + 1


@pytest.mark.parametrize("junk", ["", "12345", "1234567", "abcdef", "12 456", "１２３４５６"])
def test_junk_codes_never_match(junk):
    assert totp.matching_step(RFC4226_KEY, junk, 1_000_000_000.0) is None


def test_base32_round_trip_and_uri():
    secret = totp.new_secret()
    assert len(secret) == 20
    assert totp.from_b32(totp.b32(secret).lower()) == secret
    uri = totp.provisioning_uri(secret, account="张三", issuer="ShiAn")
    parsed = urllib.parse.urlsplit(uri)
    assert (parsed.scheme, parsed.netloc) == ("otpauth", "totp")
    assert urllib.parse.unquote(parsed.path) == "/ShiAn:张三"
    query = urllib.parse.parse_qs(parsed.query)
    assert query["secret"] == [totp.b32(secret)]
    assert query["issuer"] == ["ShiAn"] and query["digits"] == ["6"] and query["period"] == ["30"]
