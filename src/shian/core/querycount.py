"""The number of database queries of a request, in response headers, for the page-speed benchmark
(benchmarks/bench_pages.py): ``X-Shian-Queries`` (count) and ``X-Shian-Query-Ms`` (time spent in them).

Off unless SHIAN_QUERY_COUNT_HEADER is true (or settings.QUERY_COUNT_HEADER): then Django drops the
middleware at start-up (MiddlewareNotUsed) and a deployment pays nothing and discloses nothing. Listed
first in MIDDLEWARE, so the session and user look-ups are counted too."""

from __future__ import annotations

import os
import time
from contextlib import ExitStack

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections

HEADER = "X-Shian-Queries"
TIME_HEADER = "X-Shian-Query-Ms"


def enabled() -> bool:
    configured = getattr(settings, "QUERY_COUNT_HEADER", None)
    if configured is not None:
        return bool(configured)
    return os.environ.get("SHIAN_QUERY_COUNT_HEADER", "").strip().lower() in {"1", "true", "yes", "on"}


class _Counter:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class QueryCountMiddleware:
    def __init__(self, get_response):
        if not enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        counter = _Counter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        response[HEADER] = str(counter.count)
        response[TIME_HEADER] = f"{counter.seconds * 1000:.1f}"
        return response
