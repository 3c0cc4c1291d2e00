"""The lists at a given size (issue 14, fast lists): p50/p95 of every list page through the production server.

For each list (the business list with and without a search, filter and sort, a deep page, the licence list,
the risk-grade list, the hazard, case-lead and incident lists) as the city administrator and a district
regulator, one user requests the page repeatedly; then 8 concurrent users request the business list. The
server is `shian serve --production` (gunicorn) on loopback, started and logged into as benchmarks/load.py
does (its helpers are imported, not copied).

    python benchmarks/bench_lists.py --size city                      # SQLite under var/bench-load/city
    SHIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_load python benchmarks/bench_lists.py

The data is the demo city of that size in SHIAN_DATA_DIR or SHIAN_DATABASE_URL (generated when missing, as
load.py does). Prints a table and writes benchmarks/results/lists-<size>-<vendor>.json (or --json)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (  # noqa: E402 - the benchmarks folder is not a package
    FIELD_HASH_KEY,
    FIELD_KEYS,
    PASSWORD,
    ROOT,
    User,
    ensure_database,
    hammer,
    shian,
    start_server,
    stop_server,
)

LOGINS = ("admin", "haishu")
Q = urllib.parse.quote
LISTS = [
    ("businesses", "admin", "/registry/businesses/"),
    ("businesses page 2", "admin", "/registry/businesses/?page=2"),
    ("businesses page 20", "admin", "/registry/businesses/?page=20"),
    ("businesses by update", "admin", "/registry/businesses/?sort=-updated"),
    ("businesses by region", "admin", "/registry/businesses/?sort=region"),
    ("businesses operating catering", "admin", "/registry/businesses/?status=operating&type=catering"),
    ("businesses licence expired", "admin", "/registry/businesses/?licence=expired"),
    ("businesses search 海曙", "admin", "/registry/businesses/?q=" + Q("海曙")),
    ("businesses", "haishu", "/registry/businesses/"),
    ("businesses search 饺子", "haishu", "/registry/businesses/?q=" + Q("饺子")),
    ("licences", "admin", "/registry/licences/"),
    ("licences expiring", "admin", "/registry/licences/?state=expiring"),
    ("risk grades", "admin", "/supervision/grades/"),
    ("risk grades C", "admin", "/supervision/grades/?grade=C"),
    ("risk grades", "haishu", "/supervision/grades/"),
    ("hazards", "admin", "/hazards/"),
    ("hazards open", "haishu", "/hazards/?state=open"),
    ("case leads", "admin", "/hazards/leads/"),
    ("incidents", "admin", "/hazards/incidents/"),
]
CONCURRENT = ("businesses", "admin", "/registry/businesses/")


def prepare(size: str, env: dict) -> dict:
    ensure_database(env)
    shian("demo", "--size", size, "--no-serve", env=env)  # skipped when the city is there
    reset = (
        "from shian.core.models import User; from shian.accounts.models import PasswordState\n"
        f"for name in {list(LOGINS)!r}:\n"
        "    u = User.objects.get(username=name)\n"
        f"    u.set_password({PASSWORD!r}); u.save()\n"
        "    PasswordState.objects.update_or_create(user=u, defaults={'must_change': ''})\n"
        "from django.db import connection; from shian.registry.models import Business\n"
        "import json; print(json.dumps({'vendor': connection.vendor, 'businesses': Business.objects.count()}))"
    )
    return json.loads(shian("shell", "-c", reset, env=env, capture=True).strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="city", choices=["tiny", "small", "city", "province"])
    parser.add_argument("--seconds", type=float, default=6.0, help="per list (one user)")
    parser.add_argument("--max-requests", type=int, default=60, help="per list (one user)")
    parser.add_argument("--concurrent-seconds", type=float, default=15.0)
    parser.add_argument("--users", type=int, default=8, help="concurrent users on the business list")
    parser.add_argument("--port", type=int, default=8170)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: shian serve's)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    env = os.environ | {"SHIAN_DATA_DIR": os.environ.get("SHIAN_DATA_DIR", str(ROOT / "var/bench-load" / args.size))}
    env.pop("SHIAN_PROFILE", None)
    # personal data is encrypted at rest: the server reads it with the keys it was written with (load.py's,
    # unless this environment names the keys of a city generated otherwise)
    env = {"SHIAN_FIELD_KEYS": FIELD_KEYS, "SHIAN_FIELD_HASH_KEY": FIELD_HASH_KEY} | env
    facts = prepare(args.size, env)
    print(f"[lists] {facts['businesses']:,} businesses on {facts['vendor']}", flush=True)
    log = ROOT / "var" / f"bench-lists-{os.getpid()}.log"
    log.parent.mkdir(exist_ok=True)
    process, handle = start_server("production", args.port, env, args.workers, None, log)
    rows = []
    try:
        pool = {name: [User(args.port) for _ in range(args.users if name == CONCURRENT[1] else 1)] for name in LOGINS}
        for name, users in pool.items():
            for user in users:
                user.login(name)
        for label, login, path in LISTS:
            user = pool[login][0]
            hammer([user], [path], seconds=1.0, max_requests=3)  # warm-up, unrecorded
            row = hammer([user], [path], seconds=args.seconds, max_requests=args.max_requests)
            row |= {"list": label, "login": login, "path": path, "users": 1}
            rows.append(row)
            print(
                f"  {label:<32}{login:<8} p50 {row['p50_ms']!s:>7} ms  p95 {row['p95_ms']!s:>7} ms  "
                f"({row['requests']} requests, {row['errors']} errors)",
                flush=True,
            )
        label, login, path = CONCURRENT
        row = hammer(pool[login], [path], seconds=args.concurrent_seconds, max_requests=100_000)
        row |= {"list": label, "login": login, "path": path, "users": args.users}
        rows.append(row)
        print(
            f"  {label:<32}{login:<8} {args.users} users: p50 {row['p50_ms']} ms  p95 {row['p95_ms']} ms  "
            f"{row['rps']} req/s ({row['requests']} requests, {row['errors']} errors)",
            flush=True,
        )
    finally:
        stop_server(process, handle)
    slow = [r for r in rows if r["p95_ms"] is None or r["p95_ms"] >= (150 if args.size != "province" else 300)]
    print(
        "goals: every list p95 < 150 ms at city size (< 300 ms at province size); "
        f"{args.users} users on the business list p95 < 250 ms at city size"
    )
    print("over the goal:", ", ".join(f"{r['list']} ({r['login']}, {r['users']} users)" for r in slow) or "none")
    result = {"size": args.size, **facts, "rows": rows}
    out = args.json or ROOT / f"benchmarks/results/lists-{args.size}-{facts['vendor']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    return result


if __name__ == "__main__":
    main()
