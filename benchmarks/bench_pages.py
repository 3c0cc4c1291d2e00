"""Page speed of every page, as every role: a crawl of the demo city through the production server.

For each demo login (every account with a password: one per role, and whatever roles are added later)
it logs in through the form, follows every same-origin GET link, HTMX target and GET form (with and
without search and filters) from ``/`` (shian.core.crawl: no list of pages is kept here, so new pages are
crawled the day they are linked), keeps up to --per-kind URLs of each page kind, then requests each kept
URL --runs times after one unrecorded warm-up, one request at a time over a keep-alive connection on
loopback. It prints p50/p95 per page kind and role, the database queries per page (the server's
X-Shian-Queries header: shian.core.querycount, switched on here with SHIAN_QUERY_COUNT_HEADER), and the
five slowest pages, and writes benchmarks/results/pages-<size>-<db>.json.

    python benchmarks/bench_pages.py --size small                       # SQLite in var/bench-pages/small-sqlite
    python benchmarks/bench_pages.py --size city --db postgresql        # SHIAN_BENCH_PG_URL's server

Goals (issue 14): every crawled page p95 < 150 ms at city size and < 300 ms at province size, on both
databases; the dashboard p95 < 100 ms. A measurement, not a test: it fails only if something breaks
(a login that does not work, a crawled page that answers 5xx is reported, not raised)."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
import load  # noqa: E402  (benchmarks/load.py: the production server and the login through the form)

from shian.core.crawl import Response, crawl, page_kind  # noqa: E402

PG_URL = os.environ.get("SHIAN_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/shian_bench")
GOALS_MS = {"tiny": 150, "small": 150, "city": 150, "province": 300}
DASHBOARD_GOAL_MS = 100


class Browser(load.User):
    """load.User (keep-alive connection, cookies, the login form) that also reads response headers."""

    def get(self, path: str, htmx: bool = False) -> tuple[int, dict[str, str], bytes, float]:
        headers = {"Host": load.HOST, "Accept-Language": "zh-hans", "User-Agent": "shian-pages"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=headers)
                response = self.conn.getresponse()
                body = response.read()
                break
            except (http.client.HTTPException, OSError):  # the server closed a kept-alive connection
                self.conn.close()
                self.conn = http.client.HTTPConnection(load.HOST, self.port, timeout=120)
                if attempt == 2:
                    raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body, elapsed_ms


def fetcher(browser: Browser):
    def fetch(path: str, htmx: bool) -> Response:
        status, headers, body, _ms = browser.get(path, htmx)
        queries = headers.get("x-shian-queries")
        return Response(
            status=status,
            content_type=headers.get("content-type", ""),
            body=body.decode("utf-8", "replace") if "html" in headers.get("content-type", "") else "",
            queries=int(queries) if queries else None,
        )

    return fetch


def prepare(size: str, env: dict) -> tuple[list[dict], dict]:
    """The demo city (generated unless there), and every login with a password given the benchmark's own
    (the production profile refuses the published demo password)."""
    load.ensure_database(env)
    started = time.perf_counter()
    load.shian("demo", "--size", size, "--no-serve", env=env, capture=True)
    generated_s = round(time.perf_counter() - started, 1)
    code = (
        "import json; from shian.core.models import User; from shian.accounts.models import PasswordState; "
        "from shian.registry.models import Business; from django.db import connection; out = []\n"
        "for u in User.objects.order_by('pk'):\n"
        "    if not u.has_usable_password(): continue\n"
        f"    u.set_password({load.PASSWORD!r}); u.save()\n"
        "    PasswordState.objects.update_or_create(user=u, defaults={'must_change': ''})\n"
        "    out.append({'login': u.username, 'role': u.role})\n"
        "print(json.dumps({'logins': out, 'businesses': Business.objects.count(), 'vendor': connection.vendor}))"
    )
    facts = json.loads(load.shian("shell", "-c", code, env=env, capture=True).strip().splitlines()[-1])
    facts["prepare_s"] = generated_s
    return facts.pop("logins"), facts


def route_writes_checker(env: dict):
    """core.policy's write flag per route, read in this process (settings and URLconf only, no database)."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("SHIAN_", "DJANGO_"))})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    import django

    django.setup()
    from shian.core.crawl import django_route_writes

    return django_route_writes


def measure_login(port: int, login: dict, args, writes) -> dict:
    browser = Browser(port)
    try:
        browser.login(login["login"])
    except SystemExit as exc:
        print(f"  {login['login']:<12}login failed: {exc}", flush=True)
        return {"login": login["login"], "role": login["role"], "error": str(exc), "pages": [], "not_ok": []}
    origin = f"http://{load.HOST}:{port}"
    started = time.perf_counter()
    found = crawl(
        fetcher(browser),
        per_kind=args.per_kind,
        max_pages=args.max_pages,
        search=args.search,
        writes=writes,
        origin=origin,
    )
    crawl_s = time.perf_counter() - started
    rows = []
    for page in found.pages:
        browser.get(page.url, page.htmx)  # warm-up, not recorded
        timings, queries, db_ms = [], [], []
        for _ in range(args.runs):
            status, headers, _body, ms = browser.get(page.url, page.htmx)
            if status == 200:
                timings.append(ms)
            if headers.get("x-shian-queries"):
                queries.append(int(headers["x-shian-queries"]))
                db_ms.append(float(headers.get("x-shian-query-ms", "0")))
        rows.append(
            {
                "kind": page.kind,
                "url": page.url,
                "htmx": page.htmx,
                "runs": len(timings),
                "p50_ms": round(statistics.median(timings), 1) if timings else None,
                "p95_ms": round(load.percentile(timings, 0.95), 1) if timings else None,
                "max_ms": round(max(timings), 1) if timings else None,
                "queries": max(queries) if queries else None,
                "db_ms": round(statistics.median(db_ms), 1) if db_ms else None,
            }
        )
    result = {
        "login": login["login"],
        "role": login["role"],
        "crawl_s": round(crawl_s, 1),
        "pages": rows,
        "not_ok": [{"url": p.url, "status": p.status, "content_type": p.content_type} for p in found.other],
        "downloads": sorted({page_kind(url) for url in found.downloads}),  # listed, not timed
        "skipped_writes": len(found.skipped_writes),
        "capped": found.capped,
    }
    kinds = {r["kind"] for r in rows}
    print(
        f"  {login['login']:<12}{len(rows):>4} pages ({len(kinds)} kinds) crawled in {crawl_s:.1f} s; "
        f"{len(found.other)} not 200, {len(found.downloads)} downloads, {len(found.skipped_writes)} "
        f"write routes skipped{f', {found.capped} over the page cap' if found.capped else ''}",
        flush=True,
    )
    return result


def by_kind(logins: list[dict]) -> list[dict]:
    """One row per page kind and login: p50/p95 over the kept URLs of that kind, the most queries."""
    out = []
    for result in logins:
        groups: dict[str, list[dict]] = {}
        for row in result["pages"]:
            groups.setdefault(row["kind"], []).append(row)
        for kind, rows in groups.items():
            p50s = [r["p50_ms"] for r in rows if r["p50_ms"] is not None]
            p95s = [r["p95_ms"] for r in rows if r["p95_ms"] is not None]
            queries = [r["queries"] for r in rows if r["queries"] is not None]
            out.append(
                {
                    "kind": kind,
                    "login": result["login"],
                    "role": result["role"],
                    "urls": len(rows),
                    "p50_ms": max(p50s) if p50s else None,
                    "p95_ms": max(p95s) if p95s else None,
                    "queries": max(queries) if queries else None,
                    "example": max(rows, key=lambda r: r["p95_ms"] or 0)["url"],
                }
            )
    return out


def print_report(rows: list[dict], logins: list[dict], size: str, facts: dict) -> dict:
    goal = GOALS_MS[size]
    names = [x["login"] for x in logins]
    cells = {(r["kind"], r["login"]): r for r in rows}
    width = max(8, *(len(n) + 1 for n in names))
    print("\np95 ms per page kind (rows) and login (columns); * over the goal; queries: the most of any login")
    print(f"{'page kind':<56}" + "".join(f"{n:>{width}}" for n in names) + f"{'queries':>9}")
    for kind in sorted({r["kind"] for r in rows}):
        line = f"{kind[:55]:<56}"
        for name in names:
            r = cells.get((kind, name))
            limit = DASHBOARD_GOAL_MS if kind == "/" else goal
            mark = "*" if r and (r["p95_ms"] or 0) > limit else ""
            line += f"{(str(r['p95_ms']) + mark) if r else '·':>{width}}"
        queries = [r["queries"] for (k, _n), r in cells.items() if k == kind and r["queries"] is not None]
        print(line + f"{max(queries) if queries else '—'!s:>9}")
    print(f"\n{'login':<12}{'role':<22}{'pages':>6}{'p50 of p50s':>13}{'worst p95':>11}{'dashboard p50/p95':>19}")
    for x in logins:
        mine = [r for r in rows if r["login"] == x["login"]]
        p50s = [r["p50_ms"] for r in mine if r["p50_ms"] is not None]
        p95s = [r["p95_ms"] for r in mine if r["p95_ms"] is not None]
        dash = cells.get(("/", x["login"]))
        dash_text = f"{dash['p50_ms']}/{dash['p95_ms']}" if dash else "—"
        middle = round(statistics.median(p50s), 1) if p50s else "—"
        worst = max(p95s) if p95s else "—"
        print(f"{x['login']:<12}{x['role']:<22}{len(x['pages']):>6}{middle!s:>13}{worst!s:>11}{dash_text:>19}")
    slowest = sorted(rows, key=lambda r: r["p95_ms"] or 0, reverse=True)[:5]
    print("\nthe five slowest pages (p95):")
    for r in slowest:
        print(f"  {r['p95_ms']:>8} ms  {r['login']:<12}{r['example']}  ({r['queries']} queries)")
    most = sorted(rows, key=lambda r: r["queries"] or 0, reverse=True)[:5]
    print("the five pages with the most queries:")
    for r in most:
        print(f"  {r['queries']!s:>8}     {r['login']:<12}{r['example']}")
    over = [r for r in rows if (r["p95_ms"] or 0) > goal]
    dash = [r for r in rows if r["kind"] == "/"]
    dash_over = [r for r in dash if (r["p95_ms"] or 0) > DASHBOARD_GOAL_MS]
    bad = [(x["login"], p["url"], p["status"]) for x in logins for p in x["not_ok"] if p["status"] >= 500]
    print(
        f"\n{len(rows)} page kinds x logins on {facts['vendor']}, {facts['businesses']:,} businesses: "
        f"{len(over)} over the {goal} ms p95 goal; dashboard over {DASHBOARD_GOAL_MS} ms for "
        f"{len(dash_over)} of {len(dash)} logins"
    )
    if any(r["queries"] is None for r in rows):
        print("(no X-Shian-Queries header: QueryCountMiddleware is not in MIDDLEWARE, so no query counts)")
    for login, url, status in bad:
        print(f"SERVER ERROR {status}: {login} {url}")
    errors = [x for x in logins if x.get("error")]
    for x in errors:
        print(f"login failed: {x['login']}: {x['error']}")
    return {"slowest": slowest, "over_goal": len(over), "dashboard_over_goal": len(dash_over), "server_errors": bad}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="small", choices=["tiny", "small", "city", "province"])
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=10, help="timed requests per kept URL (after one warm-up)")
    parser.add_argument("--per-kind", type=int, default=1, help="URLs kept per page kind (the first object of each)")
    parser.add_argument("--max-pages", type=int, default=200, help="pages fetched per login while crawling")
    parser.add_argument("--logins", help="comma-separated demo logins (default: every login with a password)")
    parser.add_argument("--search", default=load.SEARCH, help="the term typed into every search box")
    parser.add_argument("--port", type=int, default=8170)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: shian serve's)")
    parser.add_argument("--threads", type=int, help="threads per gunicorn worker (default: shian serve's)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var/bench-pages", help="<dir>/<size>-<db>/")
    parser.add_argument("--json", type=Path, help="default benchmarks/results/pages-<size>-<db>.json")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped benchmark stops its server (finally)

    data_dir = args.data_dir / f"{args.size}-{args.db}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("SHIAN_DATABASE_URL", "SHIAN_PROFILE")}
    env |= {"SHIAN_DATA_DIR": str(data_dir), "SHIAN_FIELD_KEYS": load.FIELD_KEYS}
    env |= {"SHIAN_FIELD_HASH_KEY": load.FIELD_HASH_KEY, "SHIAN_QUERY_COUNT_HEADER": "1"}
    env |= {"SHIAN_RATE_LIMIT_ANONYMOUS": "1000/60"}  # one login form per role from one address
    if args.db == "postgresql":
        env["SHIAN_DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + f"/shian_pages_{args.size}"
    where = env.get("SHIAN_DATABASE_URL") or data_dir
    print(f"[pages] the {args.size} demo city on {args.db} ({where}) ...", flush=True)
    logins, facts = prepare(args.size, env)
    if args.logins:
        wanted = args.logins.split(",")
        logins = [x for x in logins if x["login"] in wanted]
    print(f"[pages] {facts['businesses']:,} businesses; {len(logins)} logins", flush=True)
    writes = route_writes_checker(env)
    log_dir = ROOT / "var/bench-load-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    process, handle = load.start_server("production", args.port, env, args.workers, args.threads, log_dir / "pages.log")
    load_before = os.getloadavg()[0]
    results = []
    try:
        for login in logins:
            results.append(measure_login(args.port, login, args, writes))
    finally:
        load.stop_server(process, handle)
    rows = by_kind(results)
    summary = print_report(rows, results, args.size, facts)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "size": args.size,
        "database": facts["vendor"],
        "businesses": facts["businesses"],
        "runs": args.runs,
        "per_kind": args.per_kind,
        "workers": args.workers,
        "threads": args.threads,
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "goal_p95_ms": GOALS_MS[args.size],
        "dashboard_goal_p95_ms": DASHBOARD_GOAL_MS,
        "kinds": rows,
        "logins": results,
    } | summary
    out = args.json or ROOT / f"benchmarks/results/pages-{args.size}-{args.db}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written: {out}")
    return result


if __name__ == "__main__":
    main()
