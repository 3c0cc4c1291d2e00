"""KPI snapshots at city size (issue 14): how long the whole city's snapshots take to recompute, how long
one leaf region's (the refresh after a hazard or inspection) takes, and the dashboard's p50/p95 read from
the snapshots through the production server over loopback, as the city administrator and a district
regulator — with the live computation (no snapshot) measured the same way for comparison.

    SHIAN_DATA_DIR=/tmp/helpers/snapshots python benchmarks/bench_snapshots.py             # SQLite
    SHIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_snap python benchmarks/bench_snapshots.py
    ... --copy-from /path/to/a/city/shian.sqlite3      # start from an existing demo city (SQLite)

The demo city is generated when the database has none (`shian demo --size city`). Goals: full city
recompute < 30 s; dashboard p95 < 100 ms from snapshots."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load  # noqa: E402  the servers, the logged-in users and the percentiles of the load test

RECOMPUTE = """
import json, time
from django.utils import timezone
from shian.core import snapshots
from shian.core.models import KpiSnapshot
from shian.registry.models import Business
runs = []
for _ in range({repeat}):
    started = time.perf_counter(); written = snapshots.recompute(""); runs.append(time.perf_counter() - started)
leaf = (Business.objects.filter(region__name__contains="海曙").values_list("region_path", flat=True).first()
        or Business.objects.values_list("region_path", flat=True).first())
local = []
for _ in range(5):
    started = time.perf_counter(); snapshots.recompute(leaf); local.append(time.perf_counter() - started)
print(json.dumps({{"full_s": runs, "local_s": local, "leaf": leaf, "rows": written,
                  "snapshot_rows": KpiSnapshot.objects.count(), "businesses": Business.objects.count()}}))
"""


PARTS = """
import json, statistics, time
from django.utils import timezone
from shian.core import home, kpis, snapshots
from shian.core.models import User
out = {{}}
for login in {logins!r}:
    parts = {{"kpis": [], "needs": []}}
    for i in range({n} + 1):  # the first round warms the imports and caches: not counted
        user = User.objects.select_related("region").get(username=login)
        started = time.perf_counter(); kpis.collect(user); snapshots.freshness(user)
        kpi_s = time.perf_counter() - started
        started = time.perf_counter(); home.needs_for(user, timezone.localdate())
        needs_s = time.perf_counter() - started
        if i:
            parts["kpis"].append(kpi_s); parts["needs"].append(needs_s)
    out[login] = {{k: {{"p50_ms": round(statistics.median(v) * 1000, 1),
                        "p95_ms": round(sorted(v)[min(len(v) - 1, round(0.95 * (len(v) - 1)))] * 1000, 1)}}
                  for k, v in parts.items()}}
print(json.dumps(out))
"""


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the backup API: another process may be using it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def has_city(env: dict, businesses: int) -> bool:
    code = "from shian.registry.models import Business; print(Business.objects.count())"
    try:
        out = load.shian("shell", "-c", code, env=env, capture=True).strip().splitlines()[-1]
    except Exception:  # noqa: BLE001 - no database yet
        return False
    return int(out) >= businesses * 0.9


def prepare(args, env: dict) -> None:
    load.ensure_database(env)
    if args.copy_from and not env.get("SHIAN_DATABASE_URL"):
        target = Path(env["SHIAN_DATA_DIR"]) / "shian.sqlite3"
        if not target.exists():
            print(f"copying {args.copy_from} → {target}", flush=True)
            copy_sqlite(args.copy_from, target)
    load.shian("migrate", "--no-input", env=env)
    if not has_city(env, args.businesses):
        print(f"generating the demo {args.size} …", flush=True)
        load.shian("demo", "--size", args.size, "--no-serve", env=env)
    for login in args.logins:
        reset = (
            "from shian.core.models import User; from shian.accounts.models import PasswordState; "
            f"u = User.objects.get(username={login!r}); u.set_password({load.PASSWORD!r}); u.save(); "
            "PasswordState.objects.update_or_create(user=u, defaults={'must_change': ''})"
        )
        load.shian("shell", "-c", reset, env=env)


def dashboard_timings(args, env: dict, log: Path) -> dict:
    """p50/p95 of GET / per login, through the production server; 'snapshot' then 'live' (rows deleted)."""
    out: dict = {}
    for mode in ("snapshot", "live"):
        if mode == "live":
            load.shian(
                "shell", "-c", "from shian.core.models import KpiSnapshot; KpiSnapshot.objects.all().delete()", env=env
            )
        process, handle = load.start_server("production", args.port, env, args.workers, None, log)
        try:
            for login in args.logins:
                user = load.User(args.port)
                user.login(login)
                status, body = user.request("GET", "/")
                assert status == 200, status
                marker = b'data-missing="0"' if mode == "snapshot" else b'data-missing="1"'
                assert marker in body, f"{login}: the dashboard did not read the {mode} figures"
                load.hammer([user], ["/"], seconds=args.warmup, max_requests=20)
                row = load.hammer([user], ["/"], seconds=args.seconds, max_requests=args.requests)
                out[f"{mode}:{login}"] = row
                print(
                    f"  dashboard {mode:<9}{login:<10} p50 {row['p50_ms']} ms  p95 {row['p95_ms']} ms  "
                    f"({row['requests']} requests, {row['errors']} errors)",
                    flush=True,
                )
        finally:
            load.stop_server(process, handle)
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="city", choices=["tiny", "small", "city", "province"])
    parser.add_argument("--businesses", type=int, default=60000, help="the size's businesses (to tell it is there)")
    parser.add_argument("--copy-from", type=Path, help="an existing demo city's SQLite file to start from")
    parser.add_argument("--repeat", type=int, default=2, help="full recomputes timed")
    parser.add_argument("--logins", default="admin,haishu", help="demo logins whose dashboard is timed")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--requests", type=int, default=100, help="dashboard requests per login at most")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--port", type=int, default=8170)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parts", type=int, default=30, help="in-process timings of the dashboard's parts")
    parser.add_argument("--skip-pages", action="store_true", help="time the recompute only")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/snapshots-latest.json")
    args = parser.parse_args(argv)
    while not load.port_free(args.port):  # other benchmarks may be serving on this machine
        args.port += 1
    args.logins = [x for x in args.logins.split(",") if x]
    env = dict(os.environ)
    env.setdefault("SHIAN_DATA_DIR", str(ROOT / "var/bench-snapshots"))
    env |= {"SHIAN_FIELD_KEYS": load.FIELD_KEYS, "SHIAN_FIELD_HASH_KEY": load.FIELD_HASH_KEY}
    Path(env["SHIAN_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    prepare(args, env)

    print("recomputing the snapshots …", flush=True)
    started = time.perf_counter()
    raw = load.shian("shell", "-c", RECOMPUTE.format(repeat=args.repeat), env=env, capture=True)
    recompute = json.loads(raw.strip().splitlines()[-1])
    recompute["wall_s"] = round(time.perf_counter() - started, 1)
    full = min(recompute["full_s"])
    local = sorted(recompute["local_s"])[len(recompute["local_s"]) // 2]
    print(
        f"  full city recompute: {full:.2f} s (best of {args.repeat}; "
        f"runs {[round(x, 2) for x in recompute['full_s']]})"
        f", {recompute['snapshot_rows']:,} snapshot rows for {recompute['businesses']:,} businesses",
        flush=True,
    )
    print(f"  one leaf region ({recompute['leaf']}): median {local * 1000:.0f} ms", flush=True)

    # in-process: the dashboard's KPI part (read the snapshot, sum, tiles and charts) and, for comparison,
    # its "Needs me" queue (core.home, not snapshotted)
    raw = load.shian("shell", "-c", PARTS.format(logins=args.logins, n=args.parts), env=env, capture=True)
    parts = json.loads(raw.strip().splitlines()[-1])
    for login, figures in parts.items():
        print(f"  in-process {login}: KPIs from snapshots {figures['kpis']}, needs-me queue {figures['needs']}")

    pages = {}
    if not args.skip_pages:
        log = Path(env["SHIAN_DATA_DIR"]) / "bench-snapshots-server.log"
        pages = dashboard_timings(args, env, log)
        # leave the snapshots in place for whoever looks at the data next
        load.shian("shell", "-c", "from shian.core import snapshots; snapshots.recompute('')", env=env)

    result = {
        "recompute": recompute,
        "dashboard": pages,
        "vendor": "postgresql" if env.get("SHIAN_DATABASE_URL") else "sqlite",
    }
    print("\nKPI snapshots — goals: full city < 30 s, dashboard p95 < 100 ms from snapshots")
    print(f"  full city recompute   {full:8.2f} s   {'OK' if full < 30 else 'OVER'}")
    print(f"  one leaf recompute    {local * 1000:8.0f} ms")
    for login, figures in parts.items():
        k = figures["kpis"]
        print(f"  dashboard KPIs {login:<14} p50 {k['p50_ms']:>7} ms  p95 {k['p95_ms']:>7} ms  (in-process)")
        n = figures["needs"]
        print(f"  needs-me queue {login:<14} p50 {n['p50_ms']:>7} ms  p95 {n['p95_ms']:>7} ms  (in-process, core.home)")
    for key, row in pages.items():
        ok = "" if not key.startswith("snapshot") else ("OK" if (row["p95_ms"] or 1e9) < 100 else "OVER")
        print(f"  dashboard {key:<20} p50 {row['p50_ms']!s:>7} ms  p95 {row['p95_ms']!s:>7} ms  {ok}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str))
    return result


if __name__ == "__main__":
    main()
