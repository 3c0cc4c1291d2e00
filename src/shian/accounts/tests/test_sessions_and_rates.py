"""Absolute session lifetime; request-rate limits shared by every process; 429 with Retry-After."""

import time

import pytest
from django.test import Client

from shian.accounts import ratelimit
from shian.accounts.middleware import SIGNED_IN_AT
from shian.accounts.models import RateCounter
from shian.core.choices import AuditAction
from shian.core.models import AuditEntry
from shian.core.tests.factories import PASSWORD


def test_login_records_when_the_session_started(users):
    client = Client()
    client.post("/login/", {"username": "haishu", "password": PASSWORD})
    assert time.time() - client.session[SIGNED_IN_AT] < 60


def test_session_ends_after_its_absolute_lifetime_however_active(users, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    client = Client()
    client.post("/login/", {"username": "haishu", "password": PASSWORD})
    assert client.get("/").status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 3601
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    entry = AuditEntry.objects.filter(action=AuditAction.LOGOUT, actor=users["haishu"]).get()
    assert "absolute" in entry.note
    assert client.get("/").status_code == 302  # stays signed out


def test_force_login_sessions_get_a_start_time(users, web):
    client = web(users["haishu"])
    assert client.get("/").status_code == 200
    assert SIGNED_IN_AT in client.session


def test_anonymous_writes_are_limited_per_address(users, settings):
    settings.RATE_LIMIT_ANONYMOUS = "3/60"
    client = Client()
    statuses = [client.post("/login/", {"username": "haishu", "password": "x"}).status_code for _ in range(4)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3] == 429
    response = client.post("/api/auth/token", {"username": "haishu", "password": PASSWORD}, "application/json")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert response.json()["detail"]
    page = client.post("/login/", {"username": "haishu", "password": PASSWORD})
    assert page.status_code == 429 and "Retry-After" in page
    # another address is not limited
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert other.post("/login/", {"username": "haishu", "password": PASSWORD}).status_code == 302


def test_signed_in_pages_are_not_limited_by_the_anonymous_limit(users, web, settings):
    settings.RATE_LIMIT_ANONYMOUS = "1/60"
    client = web(users["haishu"])
    for _ in range(3):
        assert client.get("/").status_code == 200


def test_api_calls_are_limited_per_token(users, api, settings):
    settings.RATE_LIMIT_API = "3/60"
    first, second = api(users["haishu"]), api(users["jiangbei"])
    assert [first.get("/api/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/me").status_code == 200


def test_counters_are_in_the_database_shared_by_processes(db):
    rate = ratelimit.Rate(2, 60)
    now = 1_800_000_000.0
    assert ratelimit.hit("k", rate, now).allowed
    assert ratelimit.hit("k", rate, now + 1).allowed
    verdict = ratelimit.hit("k", rate, now + 2)
    assert not verdict.allowed and 1 <= verdict.retry_after <= 60
    assert RateCounter.objects.get(bucket="k").count == 3
    assert ratelimit.hit("k", rate, now + 60).allowed  # the next slot


def test_cache_backend_counts_atomically(db, monkeypatch, settings):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(ratelimit, "_backend", lambda: "cache")
    rate = ratelimit.Rate(1, 60)
    assert ratelimit.hit("c", rate, 1_800_000_000.0).allowed
    assert not ratelimit.hit("c", rate, 1_800_000_001.0).allowed
    assert not RateCounter.objects.exists()


def test_redis_url_selects_the_cache_backend(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert ratelimit._backend() == "cache"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert ratelimit._backend() == "db"


@pytest.mark.parametrize("text", ["60", "a/b", "0/60", "60/0", ""])
def test_bad_rate_setting_is_named(text):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_API"):
        ratelimit.Rate.parse("RATE_LIMIT_API", text)
