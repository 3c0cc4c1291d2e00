"""Request-rate limits shared by every server process: a counter per key and fixed time slot, in the
database (one atomic upsert, SQLite and PostgreSQL alike) or, when SHIAN_REDIS_URL is set, in Redis
(the configured cache: ``add`` then ``incr``, both atomic). Never a per-process memory: gunicorn runs
several processes and each would count alone."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

CLEANUP_EVERY = 500  # about one request in this many deletes the slots that have passed


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, name: str, text: str) -> Rate:
        """Parse "60/60": 60 requests per 60 seconds."""
        try:
            limit, period = (int(part) for part in text.split("/"))
        except ValueError:
            raise ImproperlyConfigured(f"{name} must look like 60/60 (requests/seconds), not {text!r}") from None
        if limit < 1 or period < 1:
            raise ImproperlyConfigured(f"{name}: requests and seconds must be at least 1, not {text!r}")
        return cls(limit, period)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int


def _backend() -> str:
    return "cache" if "redis" in settings.CACHES["default"]["BACKEND"].lower() else "db"


UPSERT = (
    "INSERT INTO accounts_ratecounter (bucket, slot, count) VALUES (%s, %s, 1) "
    "ON CONFLICT (bucket, slot) DO UPDATE SET count = accounts_ratecounter.count + 1 RETURNING count"
)


def _count_db(bucket: str, slot: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [bucket, slot])
        (count,) = cursor.fetchone()
    if random.randrange(CLEANUP_EVERY) == 0:
        from .models import RateCounter

        RateCounter.objects.filter(slot__lt=slot - 86400).delete()
    return count


def _count_cache(bucket: str, slot: int, period: int) -> int:
    from django.core.cache import cache

    key = f"shian:rate:{bucket}:{slot}"
    cache.add(key, 0, timeout=period + 5)
    return cache.incr(key)


def hit(bucket: str, rate: Rate, now: float | None = None) -> Verdict:
    """Count one request for ``bucket``; refused beyond ``rate.limit`` in the current slot."""
    now = time.time() if now is None else now
    slot = int(now // rate.period) * rate.period
    bucket = bucket[:200]
    count = _count_cache(bucket, slot, rate.period) if _backend() == "cache" else _count_db(bucket, slot)
    return Verdict(count <= rate.limit, max(1, math.ceil(slot + rate.period - now)))
