"""Lockout under parallel requests: how many of 16 simultaneous password attempts are evaluated.

Starts the production server (`shian serve --production`: gunicorn, several processes × threads) on
loopback, then, for each round, sends 15 `POST /api/auth/token` with wrong passwords at once and the right
password a moment later (while the wrong ones are still being hashed), as the issue's attacker did.
Counts how many attempts the server evaluated (hashed): the audit log's "bad credentials" failures and
successful logins of that round's account. The lockout allows LOGIN_MAX_FAILURES (5): at most 5 may be
evaluated, and the right password must be refused while the account is locked.

    python benchmarks/bench_lockout.py                                   # SQLite in var/bench-lockout
    SHIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_lockout python benchmarks/bench_lockout.py

Exits non-zero when a round evaluates more than 5 or the right password gets a token."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import sys
import threading
import time
from pathlib import Path

from load import ensure_database, launch, shian, stop_server  # benchmarks/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PASSWORD = "Bench-Lockout-" + "2026!"
MAX_EVALUATED = 5


def django_shell(code: str, env: dict) -> str:
    return shian("shell", "-c", code, env=env, capture=True).strip().splitlines()[-1]


def make_account(username: str, env: dict) -> None:
    django_shell(
        "from shian.core.models import User; from shian.accounts.models import LoginThrottle; "
        "LoginThrottle.objects.filter(key__startswith='ip:').delete(); "
        f"u = User.objects.create_user(username={username!r}, password={PASSWORD!r}, role='public'); print(u.pk)",
        env,
    )


def evaluated(username: str, since: str, env: dict) -> dict:
    code = (
        "import json, datetime as dt; from shian.core.models import AuditEntry; "
        f"qs = AuditEntry.objects.filter(actor_name={username!r}, at__gte=dt.datetime.fromisoformat({since!r})); "
        "print(json.dumps({'failed': qs.filter(action='login_failed', note='bad credentials').count(), "
        "'refused': qs.filter(action='login_failed').exclude(note='bad credentials').count(), "
        "'logins': qs.filter(action='login').count()}))"
    )
    return json.loads(django_shell(code, env))


def post_token(port: int, username: str, password: str) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    body = json.dumps({"username": username, "password": password})
    conn.request("POST", "/api/auth/token", body=body, headers={"Content-Type": "application/json"})
    status = conn.getresponse().status
    conn.close()
    return status


def one_round(port: int, username: str, delay: float) -> list[int]:
    barrier = threading.Barrier(16)
    statuses: list[int] = [0] * 16

    def go(i: int) -> None:
        barrier.wait()
        if i == 15:
            time.sleep(delay)
        statuses[i] = post_token(port, username, PASSWORD if i == 15 else f"wrong-{i}")

    threads = [threading.Thread(target=go, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return statuses


def start_server(port: int, env: dict, workers: int, threads: int, log: Path):
    server_env = dict(env) | {"SHIAN_RATE_LIMIT_ANONYMOUS": "100000/60"}  # measure the lockout, not the rate limit
    args = ["serve", "--production", "--host", HOST, "--port", str(port), "--no-worker"]
    args += ["--workers", str(workers), "--threads", str(threads)]
    return launch(args, server_env, log, label="the server", timeout_s=180)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8093)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.15, help="seconds before the right password is sent")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "SHIAN_PROFILE"}
    env.setdefault("SHIAN_DATA_DIR", str(ROOT / "var" / "bench-lockout"))
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    ensure_database(env)
    shian("migrate", "--verbosity", "0", env=env)
    log = Path(env["SHIAN_DATA_DIR"]) / "bench-lockout-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    process, handle = start_server(args.port, env, args.workers, args.threads, log)
    worst, failed = 0, False
    try:
        print(
            f"server: gunicorn {args.workers} processes × {args.threads} threads; database: "
            f"{'PostgreSQL' if env.get('SHIAN_DATABASE_URL', '').startswith('postgres') else 'SQLite'}"
        )
        for n in range(1, args.rounds + 1):
            username = f"bench-lock-{secrets.token_hex(4)}"
            make_account(username, env)
            since = django_shell("from django.utils import timezone; print(timezone.now().isoformat())", env)
            started = time.perf_counter()
            statuses = one_round(args.port, username, args.delay)
            took = time.perf_counter() - started
            counts = evaluated(username, since, env)
            done = counts["failed"] + counts["logins"]
            worst = max(worst, done)
            right = statuses[15]
            ok = done <= MAX_EVALUATED and right != 200
            failed = failed or not ok
            print(
                f"round {n}: {done} of 16 evaluated ({counts['failed']} wrong, {counts['logins']} right), "
                f"{counts['refused']} refused unevaluated; right password → HTTP {right}; "
                f"statuses {sorted(statuses)}; {took:.2f} s {'OK' if ok else 'FAIL'}"
            )
    finally:
        stop_server(process, handle)
    print(f"worst round: {worst} of 16 evaluated (limit {MAX_EVALUATED})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
