"""`make bench`: every benchmark, printed as a table and saved to benchmarks/results/latest.json.

--size full  : demo generation for small, city and province; list p50/p95 at city size and the 50k-row
               import, on SQLite and on PostgreSQL (when reachable).
--size small : the CI size — 5k businesses, 2k-row import.
Then the load test (benchmarks/load.py, production vs development server over HTTP on loopback): the city
at 1/8/32 users at full size; at small size a quick run on the tiny city that only shows it works.
Then page speed in the browser (benchmarks/browser_pages.py, DOMContentLoaded per page; needs chromium).
Last, every page as every role (benchmarks/bench_pages.py: a crawl through the production server, p50/p95
and queries per page): the city on SQLite and PostgreSQL and the province on PostgreSQL at full size; the
small city at small size.
Benchmarks are measurements, not tests: they print figures and fail only if something breaks."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("SHIAN_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/shian_bench")
TARGETS = {"city": 60_000, "small": 5_000, "province": 500_000}
GOALS = (
    "goals: list p95 < 150 ms at city size; 50k-row import < 60 s; city demo generation < 120 s; "
    "grade recompute < 30 s at city size; search p95 < 50 ms at city size"
)


def postgres_reachable() -> bool:
    try:
        import psycopg

        base = PG_URL.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means: skip PostgreSQL
        return False


def run(url: str, *args: str) -> dict:
    env = os.environ | {"SHIAN_DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/bench_db.py"), *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=["small", "full"], default="full")
    parser.add_argument("--no-province", action="store_true", help="skip the 500k-business generation")
    parser.add_argument("--no-load", action="store_true", help="skip the load test (benchmarks/load.py)")
    args = parser.parse_args()
    sqlite_url = f"sqlite:///{ROOT / 'var/bench/bench.sqlite3'}"
    databases = [("sqlite", sqlite_url)] + ([("postgresql", PG_URL)] if postgres_reachable() else [])
    size = "small" if args.size == "small" else "city"
    import_rows = 2_000 if args.size == "small" else 50_000
    results = []
    for name, url in databases:
        print(f"[{name}] {TARGETS[size]:,} businesses, list benchmark, {import_rows:,}-row import ...", flush=True)
        results.append(run(url, "--businesses", str(TARGETS[size]), "--import-rows", str(import_rows)))
        print("   ", json.dumps(results[-1]), flush=True)
    backups = backup_restore(databases)  # before the generations below replace the SQLite city
    if args.size == "full":
        print("[sqlite] demo generation, small size ...", flush=True)
        results.append(run(sqlite_url, "--businesses", str(TARGETS["small"]), "--generate-only"))
        if not args.no_province:
            print("[sqlite] demo generation, province size ...", flush=True)
            results.append(run(sqlite_url, "--businesses", str(TARGETS["province"]), "--generate-only"))
    print()
    print(
        f"{'database':<11}{'businesses':>11}{'generate s':>12}{'list p50 ms':>13}{'list p95 ms':>13}"
        f"{'import rows':>13}{'import s':>10}{'re-import s':>13}{'grades s':>10}{'insp p95 ms':>13}{'plan s':>8}"
        f"{'search p95 ms (LIKE)':>22}"
    )
    for r in results:
        lst, imp, grades = r.get("list", {}), r.get("import", {}), r.get("grades", {})
        insp, plan = r.get("inspection_page", {}), r.get("plan", {})
        search = r.get("search", {})  # the list page with a two-character term: bigram index (LIKE scan)
        search_p95 = f"{search['index']['p95_ms']} ({search['like']['p95_ms']})" if search else "—"
        print(
            f"{r['database']:<11}{r['businesses']:>11,}{r['demo_generation_s']:>12}{lst.get('p50_ms', '—'):>13}"
            f"{lst.get('p95_ms', '—'):>13}{imp.get('rows', '—'):>13}{imp.get('first_s', '—'):>10}"
            f"{imp.get('reimport_s', '—'):>13}{grades.get('recompute_s', '—'):>10}{insp.get('p95_ms', '—'):>13}"
            f"{plan.get('generate_s', '—'):>8}{search_p95:>22}"
        )
    for r in results:
        imp = r.get("import", {})
        if "background_return_s" in imp:
            print(
                f"{r['database']}: background import of {imp['rows']:,} rows returned in "
                f"{imp['background_return_s']} s, completed in {imp['background_done_s']} s (goal: < 1 s, < 60 s)"
            )
    print(GOALS)
    print_backups(backups)
    out = ROOT / "benchmarks/results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    (out / "backup.json").write_text(json.dumps(backups, indent=2))
    audit_verify(args.size)
    if not args.no_load:
        load_test(args.size, postgres=len(databases) > 1)
    browser_pages(args.size)
    page_crawl(args.size, postgres=len(databases) > 1, province=not args.no_province)


def page_crawl(size: str, postgres: bool, province: bool) -> None:
    """benchmarks/bench_pages.py: every page reachable from the navigation, as every demo login, p50/p95
    and queries per page (goal: p95 < 150 ms at city size, < 300 ms at province size, dashboard < 100 ms).
    Full: the city on SQLite and PostgreSQL, the province on PostgreSQL; small: the small city, 3 runs."""
    runs = [("city", "sqlite"), ("city", "postgresql")] if size == "full" else [("small", "sqlite")]
    runs += [("province", "postgresql")] if size == "full" and province else []
    runs = [(s, db) for s, db in runs if db == "sqlite" or postgres]
    extra = [] if size == "full" else ["--runs", "3"]
    for page_size, db in runs:
        print(f"\n[{db}] every page as every role, {page_size} size ...", flush=True)
        argv = [sys.executable, str(ROOT / "benchmarks/bench_pages.py"), "--size", page_size, "--db", db, *extra]
        subprocess.run(argv, env={k: v for k, v in os.environ.items() if k != "SHIAN_DATABASE_URL"}, check=True)


def backup_restore(databases: list[tuple[str, str]]) -> list[dict]:
    """benchmarks/bench_backup.py on each database as bench_db.py left it (the city, plus the import, at
    full size): `shian backup` then `shian restore`, each timed, and the archive's size."""
    backups = []
    for name, url in databases:
        print(f"[{name}] backup and restore of that database ...", flush=True)
        env = os.environ | {"SHIAN_DATABASE_URL": url, "SHIAN_DATA_DIR": str(ROOT / "var/bench/backup")}
        argv = [sys.executable, str(ROOT / "benchmarks/bench_backup.py")]
        done = subprocess.run(argv, env=env, check=True, capture_output=True, text=True)
        backups.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print("   ", json.dumps(backups[-1]), flush=True)
    return backups


def print_backups(backups: list[dict]) -> None:
    print(f"\n{'database':<11}{'businesses':>11}{'database MB':>13}{'archive MB':>12}{'backup s':>10}{'restore s':>11}")
    for b in backups:
        print(
            f"{b['database']:<11}{b['businesses']:>11,}{b['database_mb']:>13}{b['archive_mb']:>12}"
            f"{b['backup_s']:>10}{b['restore_s']:>11}"
        )
    print("goal: backup and restore of the city-size database < 2 min each on SQLite")


def audit_verify(size: str) -> None:
    """benchmarks/bench_audit_verify.py: `shian audit verify` over 1,000,000 entries on SQLite (goal < 60 s;
    small: 20,000), and the cost per entry of chaining a write. Its own database under var/bench/."""
    entries = "1000000" if size == "full" else "20000"
    print(f"\n[sqlite] audit log: {int(entries):,} entries chained, then verified ...", flush=True)
    env = {k: v for k, v in os.environ.items() if k != "SHIAN_DATABASE_URL"}
    argv = [sys.executable, str(ROOT / "benchmarks/bench_audit_verify.py"), "--entries", entries]
    done = subprocess.run(argv, env=env, check=True, capture_output=True, text=True)
    print("\n".join(done.stdout.strip().splitlines()[:-1]), flush=True)
    (ROOT / "benchmarks/results/audit.json").write_text(done.stdout.strip().splitlines()[-1])


def browser_pages(size: str) -> None:
    """benchmarks/browser_pages.py: DOMContentLoaded of every main page in chromium (goal < 1 s at the
    small demo city). Full: the small city (5,000 businesses), 3 runs a page; small: the tiny city, once."""
    import shutil

    if not (os.environ.get("SHIAN_CHROMIUM") or shutil.which("chromium")):
        print("\n[browser] page speed skipped: no chromium (make browser)", flush=True)
        return
    args = ["--size", "small", "--runs", "3"] if size == "full" else ["--size", "tiny", "--runs", "1"]
    print("\n[browser] DOMContentLoaded per page ...", flush=True)
    env = {k: v for k, v in os.environ.items() if k != "SHIAN_DATABASE_URL"}
    subprocess.run([sys.executable, str(ROOT / "benchmarks/browser_pages.py"), *args], env=env, check=True)


def load_test(size: str, postgres: bool) -> None:
    """benchmarks/load.py: the production server against the development server on loopback.
    Full: the city, 1/8/32 users, 15 s each, SQLite and PostgreSQL. Small: the tiny city, 1 and 8
    users, 2 s each, SQLite only (a check that it runs, not a measurement)."""
    load = [sys.executable, str(ROOT / "benchmarks/load.py")]
    if size == "small":
        runs = [("sqlite", {}, ["--size", "tiny", "--users", "1,8", "--seconds", "2", "--warmup", "1"])]
    else:
        pg_load = PG_URL.rsplit("/", 1)[0] + "/shian_bench_load"
        runs = [("sqlite", {}, ["--size", "city"])]
        runs += [("postgresql", {"SHIAN_DATABASE_URL": pg_load}, ["--size", "city"])] if postgres else []
    for name, extra_env, extra_args in runs:
        print(f"\n[{name}] load test: production vs development server ...", flush=True)
        env = {k: v for k, v in os.environ.items() if k != "SHIAN_DATABASE_URL"} | extra_env
        json_path = ROOT / f"benchmarks/results/load-{name}.json"
        subprocess.run([*load, *extra_args, "--json", str(json_path)], env=env, check=True)


if __name__ == "__main__":
    main()
