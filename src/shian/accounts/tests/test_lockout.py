"""The lockout cannot be outrun by parallel requests, throttles per address as well as per account, and
does not tell which accounts exist."""

import re
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from shian.accounts.models import LoginThrottle
from shian.core import services as core_services
from shian.core.choices import AuditAction, Role
from shian.core.models import ApiToken, AuditEntry, User
from shian.core.tests.factories import PASSWORD, UserFactory


def _token(username, password, client=None, **extra):
    return (client or Client(**extra)).post(
        "/api/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


@pytest.fixture
def slow_and_counted(monkeypatch):
    """Every password check is counted and takes 0.2 s longer, as a slow hash would: the window in
    which the old code let parallel guesses through."""
    real = core_services.authenticate
    evaluated = []
    lock = threading.Lock()

    def authenticate(request, **credentials):
        with lock:
            evaluated.append(credentials["username"])
        time.sleep(0.2)
        return real(request, **credentials)

    monkeypatch.setattr(core_services, "authenticate", authenticate)
    return evaluated


def _parallel(wrong: list[tuple[str, str]], right: tuple[str, str], evaluated: list, in_flight: int) -> list[int]:
    """Send the wrong-password token requests all at once, each from its own thread (own database
    connection), and the right one once ``in_flight`` of them are being hashed (before any has been
    counted as a failure). Returns the statuses, the right one's last."""
    barrier = threading.Barrier(len(wrong) + 1)
    requests = [*wrong, right]
    statuses: list[int | None] = [None] * len(requests)

    def go(i, username, password):
        try:
            barrier.wait()
            if i == len(wrong):
                deadline = time.monotonic() + 5
                while len(evaluated) < in_flight and time.monotonic() < deadline:
                    time.sleep(0.005)
            statuses[i] = _token(username, password).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(i, u, p)) for i, (u, p) in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return statuses


@pytest.fixture
def audit_rows_removed_after():
    """A transactional test on PostgreSQL ends with a flush, which the audit log's TRUNCATE trigger refuses
    while it holds rows: remove this test's rows with the triggers off (the test database only)."""
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            cursor.execute("DELETE FROM core_auditentry")
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")


# SQLite: the in-memory test database's shared cache refuses concurrent writers ("table is locked") instead of
# waiting, so the parallel case runs on PostgreSQL here; benchmarks/bench_lockout.py runs it against a real
# multi-process server on either database.
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallelism needs PostgreSQL")
def test_fifteen_parallel_wrong_passwords_then_the_right_one(slow_and_counted, settings, audit_rows_removed_after):
    user = UserFactory(username="racer", role=Role.PUBLIC)
    wrong = [("racer", f"wrong-{i}") for i in range(15)]
    statuses = _parallel(wrong, ("racer", PASSWORD), slow_and_counted, settings.LOGIN_MAX_FAILURES)
    evaluated = len(slow_and_counted)
    assert evaluated <= settings.LOGIN_MAX_FAILURES, (evaluated, statuses)
    assert statuses.count(401) == 16, str(statuses)  # the right password is refused while locked
    assert not ApiToken.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert user.locked_until > timezone.now()


def test_locked_account_refuses_the_right_password_without_evaluating_it(users, settings, slow_and_counted):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert _token("haishu", "wrong").status_code == 401
    assert len(slow_and_counted) == settings.LOGIN_MAX_FAILURES
    response = _token("haishu", PASSWORD)
    assert response.status_code == 401
    assert "locked" in response.json()["detail"] or "锁定" in response.json()["detail"]
    assert response["Retry-After"]
    assert len(slow_and_counted) == settings.LOGIN_MAX_FAILURES  # refused before the hash


def test_success_clears_the_count(users, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert _token("haishu", "wrong").status_code == 401
    assert _token("haishu", PASSWORD).status_code == 200
    assert LoginThrottle.objects.get(key="user:haishu").attempts == 0
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert _token("haishu", "wrong").status_code == 401
    assert _token("haishu", PASSWORD).status_code == 200  # not locked: the count started again


def test_unknown_usernames_behave_like_known_ones(users, settings):
    """Same statuses and messages, step by step, for an account that exists and one that does not."""
    answers = {}
    for name in ("haishu", "nobody-here"):
        seen = []
        for _ in range(settings.LOGIN_MAX_FAILURES + 1):
            response = _token(name, "wrong")
            seen.append((response.status_code, response.json()["detail"].replace(name, "NAME")))
        answers[name] = [(status, re.sub(r"\d+", "N", detail)) for status, detail in seen]  # seconds left
    assert answers["haishu"] == answers["nobody-here"]
    assert answers["haishu"][-1][0] == 401 and "锁定" in answers["haishu"][-1][1]
    page = Client().post("/login/", {"username": "nobody-here", "password": "x"})
    known = Client().post("/login/", {"username": "haishu", "password": "x"})
    assert page.status_code == known.status_code == 401
    assert re.sub(r"\d+", "N", page.context["error"]) == re.sub(r"\d+", "N", known.context["error"])


def test_unknown_usernames_are_hashed_like_known_ones(users, monkeypatch):
    """Timing: a wrong password for a missing account costs one password hash too (Django's ModelBackend
    hashes for missing users), so response time does not tell the accounts apart."""
    from django.contrib.auth import hashers

    calls = []
    real = hashers.PBKDF2PasswordHasher.encode if hasattr(hashers, "PBKDF2PasswordHasher") else None
    for hasher in hashers.get_hashers():
        original = type(hasher).encode

        def counting(self, *args, _original=original, **kwargs):
            calls.append(type(self).__name__)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(type(hasher), "encode", counting)
    assert real is not None
    _token("nobody-here", "wrong")
    missing = len(calls)
    calls.clear()
    _token("haishu", "wrong")
    assert missing >= 1 and len(calls) >= 1


def test_password_spraying_is_throttled_per_address(users, settings):
    """Many accounts, one wrong password each, from one address: after LOGIN_IP_MAX_FAILURES the address
    gets 429 with Retry-After, also for an account it has not tried yet (with its right password)."""
    settings.LOGIN_IP_MAX_FAILURES = 6
    for i in range(6):
        assert _token(f"someone{i}", "123456").status_code == 401
    response = _token("haishu", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "network address" in response.json()["detail"] or "网络地址" in response.json()["detail"]
    # another address is not affected
    assert _token("haishu", PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_successes_from_one_address_do_not_throttle_it(users, settings):
    settings.LOGIN_IP_MAX_FAILURES = 3
    for _ in range(10):
        assert _token("haishu", PASSWORD).status_code == 200
        ApiToken.objects.all().delete()


def test_lock_suspends_the_accounts_tokens(users, settings, api):
    client = api(users["haishu"])
    assert client.get("/api/me").status_code == 200
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _token("haishu", "wrong")
    assert client.get("/api/me").status_code == 401
    LoginThrottle.objects.all().update(locked_until=timezone.now())
    User.objects.filter(pk=users["haishu"].pk).update(locked_until=None)
    assert client.get("/api/me").status_code == 200


def test_every_refusal_is_audited(users, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES + 2):
        _token("haishu", "wrong")
    notes = list(AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).values_list("note", flat=True))
    assert notes.count("bad credentials") == settings.LOGIN_MAX_FAILURES
    assert notes.count("locked") == 2
