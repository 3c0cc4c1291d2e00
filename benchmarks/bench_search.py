"""The business list page with a short search term, answered from the bigram index and by the LIKE scan.

Used by bench_db.py (on the freshly generated benchmark city), or on its own against an existing
database (SHIAN_DATABASE_URL / SHIAN_DATA_DIR), e.g. the city demo:

    SHIAN_DATA_DIR=/tmp/d .venv/bin/python benchmarks/bench_search.py [--repeats 20]

Prints JSON: p50/p95 of the list page per term and overall, with the index ("index") and with the
previous LIKE-only filter ("like", the same page with ``search_businesses`` swapped for the plain
LIKE), and the number of matches (equal in both, or the run fails)."""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def search_queries() -> list[tuple[str, str, str]]:
    """(label, user, query string): two-character Chinese terms and a lower-case USCC fragment."""
    from shian.registry.models import Business

    uscc = Business.objects.order_by("pk").values_list("uscc", flat=True)[Business.objects.count() // 2]
    fragment = uscc[10:14].lower()
    return [
        ("海曙", "admin", "?q=海曙"),
        ("饺子", "admin", "?q=饺子"),
        (f"uscc {fragment}", "admin", f"?q={fragment}"),
        ("饺子 (district user)", "haishu", "?q=饺子&status=operating"),
    ]


def _time_pages(queries, repeats: int) -> dict:
    from django.test import Client

    from shian.core.models import User

    clients = {}
    for _label, username, _q in queries:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
    per_term: dict[str, list[float]] = {label: [] for label, _u, _q in queries}
    for _label, username, q in queries:  # warm-up
        assert clients[username].get(f"/registry/businesses/{q}").status_code == 200
    for _ in range(repeats):
        for label, username, q in queries:
            started = time.perf_counter()
            response = clients[username].get(f"/registry/businesses/{q}")
            per_term[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    everything = [t for ts in per_term.values() for t in ts]
    return {
        "requests": len(everything),
        "p50_ms": round(statistics.median(everything), 1),
        "p95_ms": round(percentile(everything, 0.95), 1),
        "p95_ms_by_term": {label: round(percentile(ts, 0.95), 1) for label, ts in per_term.items()},
    }


def _matches(queries) -> dict[str, int]:
    from django.http import QueryDict

    from shian.core.models import User
    from shian.registry import selectors
    from shian.registry.filters import BusinessFilter

    out = {}
    for label, username, q in queries:
        f, _problems = BusinessFilter.from_query(QueryDict(q.lstrip("?")))
        out[label] = selectors.business_list(User.objects.get(username=username), f).count()
    return out


def bench_search(repeats: int, like_repeats: int | None = None) -> dict:
    from shian.registry import filters
    from shian.registry.search import like_q

    queries = search_queries()
    result = {"index": _time_pages(queries, repeats), "matches": _matches(queries)}
    indexed = filters.search_businesses
    filters.search_businesses = lambda qs, term: qs.filter(like_q(term))  # the filter as it was before
    try:
        result["like"] = _time_pages(queries, like_repeats or max(3, repeats // 2))
        assert _matches(queries) == result["matches"], "the index and LIKE disagree"
    finally:
        filters.search_businesses = indexed
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    import django

    django.setup()
    from django.db import connection

    from shian.registry.models import Business

    out = {"database": connection.vendor, "businesses": Business.objects.count()}
    print(json.dumps(out | {"search": bench_search(args.repeats)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
