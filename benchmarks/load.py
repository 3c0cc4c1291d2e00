"""Load test: the production server (`shian serve --production`: gunicorn + WhiteNoise) against the
development server (`shian serve`: Django's runserver), on loopback, logged in like a browser.

For each server and each number of concurrent users (default 1, 8, 32) it measures requests/s and
p50/p95 latency of three pages: the dashboard, the business list with a search, and a business page.
Every user is a thread with its own keep-alive connection and its own session (it logs in through
the login form with its CSRF token). Each measurement runs for --seconds or --max-requests, whichever
ends first, after an unrecorded warm-up; the servers are started here and stopped at the end.

    python benchmarks/load.py --size city                      # generates the demo city if needed
    SHIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_load python benchmarks/load.py

The data lives in SHIAN_DATA_DIR (default var/bench-load/<size>) or SHIAN_DATABASE_URL. Prints a table and
writes the figures to benchmarks/results/load-latest.json (or --json)."""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the production profile refuses the published demo password (a forced change): the load test's login gets
# its own password in prepare()
PASSWORD = "Load-test-2026-Ningbo!"
FIELD_KEYS = "load:" + base64.b64encode(b"shian-load-test-field-key-32byte").decode()  # one key for prepare and serve
FIELD_HASH_KEY = base64.b64encode(b"shian-load-test-hash-key-32bytes").decode()
SEARCH = "海曙"
HOST = "127.0.0.1"  # loopback only: this script never talks to another machine


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- the data ------------------------------------------------------------------------------------
def shian(*args: str, env: dict, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "shian", *args], env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def ensure_database(env: dict) -> None:
    """PostgreSQL: create the database when it does not exist (SQLite files create themselves)."""
    url = env.get("SHIAN_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(size: str, login: str, env: dict) -> dict:
    """Migrate and generate the demo city (skipped when it is there), then pick business pages in
    the login's scope. Returns facts about the data."""
    ensure_database(env)
    started = time.perf_counter()
    shian("demo", "--size", size, "--no-serve", env=env)
    generated_s = time.perf_counter() - started
    reset = (
        "from shian.core.models import User; from shian.accounts.models import PasswordState; "
        f"u = User.objects.get(username={login!r}); u.set_password({PASSWORD!r}); u.save(); "
        "PasswordState.objects.update_or_create(user=u, defaults={'must_change': ''})"
    )
    shian("shell", "-c", reset, env=env)
    code = (
        "import json; from shian.core.models import User; from shian.registry.models import Business; "
        "from django.db import connection; "
        f"u = User.objects.get(username={login!r}); "
        "qs = Business.objects.filter(region_path__startswith=u.region.path) if u.region_id else Business.objects; "
        "ids = list(qs.order_by('pk').values_list('pk', flat=True)); "
        "print(json.dumps({'businesses': Business.objects.count(), 'in_scope': len(ids), "
        "'ids': ids[:: max(1, len(ids) // 50)][:50], 'vendor': connection.vendor}))"
    )
    facts = json.loads(shian("shell", "-c", code, env=env, capture=True).strip().splitlines()[-1])
    facts["prepare_s"] = round(generated_s, 1)
    return facts


# --- the servers ---------------------------------------------------------------------------------
def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is fine
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def start_server(kind: str, port: int, env: dict, workers: int | None, threads: int | None, log: Path):
    if not port_free(port):
        raise SystemExit(f"port {port} is busy; choose another with --port")
    args = ["serve", "--host", HOST, "--port", str(port)]
    server_env = dict(env)
    if kind == "production":
        args.append("--production")
        args += ["--workers", str(workers)] if workers else []
        args += ["--threads", str(threads)] if threads else []
        # the production profile, as deployed, except that the HTTPS proxy is missing on loopback
        server_env |= {
            "SHIAN_PROFILE": "production",
            "SHIAN_SECRET_KEY": secrets.token_urlsafe(48),
            "SHIAN_AUDIT_KEY": secrets.token_hex(32),
            "SHIAN_MFA_ENFORCE": "0",  # the load test measures pages, not the enrolment of its one user
            "SHIAN_ALLOWED_HOSTS": HOST,
            "SHIAN_SSL_REDIRECT": "0",
        }
    return launch(args, server_env, log, label=f"the {kind} server", timeout_s=120)


def launch(args: list[str], env: dict, log: Path, *, label: str, timeout_s: float):
    """`shian <args>` (a server) in its own session, its output in ``log``; returns (process, log handle)
    once GET /login/ answers 200. Shared with benchmarks/bench_lockout.py."""
    port = int(args[args.index("--port") + 1])
    handle = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "shian", *args],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{label} exited; see {log}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return process, handle
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(process, handle)
    raise SystemExit(f"{label} did not answer within {timeout_s:.0f} s; see {log}")


def stop_server(process: subprocess.Popen, handle) -> None:
    """`shian serve` stops its web server and worker on SIGTERM; SIGKILL the lot if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    handle.close()


# --- the users -----------------------------------------------------------------------------------
class User:
    """One browser: a keep-alive connection, a session cookie, a CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Host": HOST, "Accept-Language": "zh-hans", "User-Agent": "shian-load"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):  # the server closed a kept-alive connection
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise SystemExit(f"no login form at /login/ (status {status})")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": PASSWORD}
        )
        status, _ = self.request("POST", "/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login as {username} failed (status {status})")


def hammer(users: list[User], paths: list[str], seconds: float, max_requests: int) -> dict:
    """Every user requests the paths in turn until the time or the request budget is spent."""
    timings: list[float] = []
    errors: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    budget = [max_requests]

    def run(index: int, user: User) -> None:
        i = index
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            status, _body = user.request("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    timings.append(elapsed)
                else:
                    errors[status] = errors.get(status, 0) + 1

    threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(users)]
    started = time.perf_counter()
    cpu_started = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(timings),
        "errors": sum(errors.values()),
        "error_statuses": errors,
        "seconds": round(wall, 2),
        "rps": round(len(timings) / wall, 1) if wall else 0.0,
        "p50_ms": round(statistics.median(timings), 1) if timings else None,
        "p95_ms": round(percentile(timings, 0.95), 1) if timings else None,
        "client_cpu": round((time.process_time() - cpu_started) / wall, 2) if wall else 0.0,
    }


def measure_server(kind: str, port: int, pages: dict[str, list[str]], args, env: dict, log: Path) -> list[dict]:
    process, handle = start_server(kind, port, env, args.workers, args.threads, log)
    rows = []
    try:
        top = max(args.users)
        pool = [User(port) for _ in range(top)]
        for user in pool:
            user.login(args.login)
        every_page = [p for paths in pages.values() for p in paths[:4]]
        hammer(pool, every_page, seconds=args.warmup, max_requests=top * len(every_page))  # warm every worker
        for users in args.users:
            for page, paths in pages.items():
                row = hammer(pool[:users], paths, seconds=args.seconds, max_requests=args.max_requests)
                row |= {"server": kind, "page": page, "users": users}
                rows.append(row)
                print(
                    f"  {kind:<12}{page:<10}{users:>3} users  {row['rps']:>7} req/s  p50 {row['p50_ms']} ms  "
                    f"p95 {row['p95_ms']} ms  ({row['requests']} requests, {row['errors']} errors, "
                    f"client CPU {row['client_cpu']})",
                    flush=True,
                )
    finally:
        stop_server(process, handle)
    return rows


def print_table(rows: list[dict]) -> None:
    header = f"{'server':<13}{'page':<10}{'users':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'requests':>10}"
    print(f"\n{header}{'errors':>8}")
    for r in rows:
        print(
            f"{r['server']:<13}{r['page']:<10}{r['users']:>6}{r['rps']:>9}{r['p50_ms']!s:>9}{r['p95_ms']!s:>9}"
            f"{r['requests']:>10}{r['errors']:>8}"
        )
    for server in sorted({r["server"] for r in rows}):
        for page in dict.fromkeys(r["page"] for r in rows):
            by_users = {r["users"]: r for r in rows if r["server"] == server and r["page"] == page}
            if 1 in by_users and 8 in by_users and by_users[1]["rps"]:
                print(f"{server} {page}: 8 users / 1 user throughput = {by_users[8]['rps'] / by_users[1]['rps']:.2f}x")
    print("goals: 8 users >= 1.7x the 1-user throughput; business page p95 < 150 ms at 8 users (production server)")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="city", choices=["tiny", "small", "city", "province"])
    parser.add_argument("--users", default="1,8,32", help="concurrent users, comma-separated")
    parser.add_argument("--seconds", type=float, default=15.0, help="per page and number of users")
    parser.add_argument("--max-requests", type=int, default=3000, help="per page and number of users")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of unrecorded requests first")
    parser.add_argument("--servers", default="production,development")
    parser.add_argument("--port", type=int, default=8150, help="production server; the development one +1")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: shian serve's)")
    parser.add_argument("--threads", type=int, help="threads per gunicorn worker (default: shian serve's)")
    parser.add_argument("--pages", default="dashboard,list,business", help="which of dashboard,list,business")
    parser.add_argument("--login", default="haishu", help="demo login of every user (district regulator)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/load-latest.json")
    args = parser.parse_args(argv)
    args.users = [int(u) for u in args.users.split(",")]

    env = os.environ | {"SHIAN_DATA_DIR": os.environ.get("SHIAN_DATA_DIR", str(ROOT / "var/bench-load" / args.size))}
    env.pop("SHIAN_PROFILE", None)  # the data is prepared with the development profile
    # personal data is encrypted at rest: the server must read what the demo wrote, with the same keys
    env |= {"SHIAN_FIELD_KEYS": FIELD_KEYS, "SHIAN_FIELD_HASH_KEY": FIELD_HASH_KEY}
    print(f"[load] preparing the {args.size} demo city ({env.get('SHIAN_DATABASE_URL') or env['SHIAN_DATA_DIR']}) ...")
    facts = prepare(args.size, args.login, env)
    scope = f"{facts['in_scope']:,} in {args.login}'s scope"
    print(f"[load] {facts['businesses']:,} businesses on {facts['vendor']}, {scope}", flush=True)
    pages = {
        "dashboard": ["/"],
        "list": [f"/registry/businesses/?q={urllib.parse.quote(SEARCH)}"],
        "business": [f"/registry/businesses/{pk}/" for pk in facts["ids"]],
    }
    pages = {name: paths for name, paths in pages.items() if name in args.pages.split(",")}
    load_before = os.getloadavg()[0]
    rows = []
    log_dir = ROOT / "var/bench-load-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    for offset, kind in enumerate(args.servers.split(",")):
        print(f"[load] {kind} server on {HOST}:{args.port + offset} ...", flush=True)
        rows += measure_server(kind, args.port + offset, pages, args, env, log_dir / f"{kind}.log")
    print_table(rows)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "database": facts["vendor"],
        "businesses": facts["businesses"],
        "login": args.login,
        "seconds": args.seconds,
        "workers": args.workers,
        "threads": args.threads,
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "rows": rows,
    }
    print(f"machine load average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
