"""The `shian` command: demo, serve, worker, import, and every manage.py command."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _reset_database() -> None:
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            path = f"{db['NAME']}{suffix}"
            if os.path.exists(path):
                os.remove(path)
    else:
        # not `flush`: it would also empty the rows the migrations seed (checklists, rule sets, staffing
        # rules), and the demo needs them. Start from an empty schema and migrate again.
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        _migrate()


# --- serving: a web server with a background worker (and the scheduler) beside it ----------------
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
STOP_TIMEOUT_S = 15.0  # graceful stop (a running task finishes, gunicorn drains) before SIGKILL


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def web_workers(requested: int | None = None, cores: int | None = None) -> int:
    """gunicorn worker processes: --workers, else SHIAN_WEB_WORKERS, else one per core plus one."""
    if requested:
        return requested
    if os.environ.get("SHIAN_WEB_WORKERS"):
        return int(os.environ["SHIAN_WEB_WORKERS"])
    return (cores or cpu_count()) + 1


def web_threads(requested: int | None = None) -> int:
    """Threads per gunicorn worker (gthread): --threads, else SHIAN_WEB_THREADS, else 2."""
    if requested:
        return requested
    return int(os.environ.get("SHIAN_WEB_THREADS") or 2)


def gunicorn_argv(host: str, port: int, workers: int, threads: int) -> list[str]:
    """The production web server: gunicorn's gthread workers running the WSGI app.

    Extra gunicorn options (access log, --forwarded-allow-ips, ...) come from GUNICORN_CMD_ARGS,
    which gunicorn reads itself."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "shian.wsgi:application",
        "--bind",
        bind,
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",  # a 50k-row import or a city-wide export is a long request
        "--graceful-timeout",
        str(int(STOP_TIMEOUT_S) - 5),
        "--keep-alive",
        "5",
        "--error-logfile",
        "-",
        "--no-control-socket",  # gunicorn 27's control socket is one path per user: two servers would clash
    ]


def shian_argv(*args: str) -> list[str]:
    """`shian <args>` as a child process, with this interpreter."""
    return [sys.executable, "-m", "shian", *args]


def runserver_argv(host: str, port: int, reload: bool) -> list[str]:
    """The development server: Django's runserver (one process, DEBUG, not for production)."""
    return shian_argv("runserver", f"{host}:{port}", *([] if reload else ["--noreload"]))


# django-tasks-db's worker on every queue, without autoreload (a reload would cut a running task)
WORKER_COMMAND = ["db_worker", "--queue-name", "*", "--no-reload"]


def worker_argv(*extra: str) -> list[str]:
    return shian_argv(*WORKER_COMMAND, *extra)


def background_processes(worker: bool = True) -> list[tuple[str, list[str]]]:
    """What runs beside the web server: the task worker, and the periodic scheduler once the
    `scheduler` management command exists."""
    from django.core.management import get_commands

    processes = [("worker", worker_argv())] if worker else []
    if "scheduler" in get_commands():
        processes.append(("scheduler", shian_argv("scheduler")))
    return processes


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if `shian` itself is killed (even with SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class ProcessGroup:
    """Runs a few commands as children and stops them together.

    Each child gets its own session, so a Ctrl-C in the terminal reaches only `shian`, which then
    sends every child one SIGTERM (gunicorn drains its requests, db_worker finishes its task) and
    SIGKILLs what is still running after STOP_TIMEOUT_S. When one child exits, the others are stopped."""

    def __init__(self, commands: list[tuple[str, list[str]]], env: dict[str, str] | None = None, output=None):
        self.commands = commands
        self.env = env
        self.output = output  # a file for the children's stdout and stderr (default: ours)
        self.children: dict[str, subprocess.Popen] = {}
        self._stop_requested = False

    def start(self) -> None:
        preexec = _die_with_parent if sys.platform.startswith("linux") else None
        for name, argv in self.commands:
            self.children[name] = subprocess.Popen(  # noqa: S603 - our own argv
                argv,
                env=self.env,
                stdout=self.output,
                stderr=self.output,
                start_new_session=True,
                preexec_fn=preexec,
            )

    def request_stop(self, signum=None, frame=None) -> None:
        self._stop_requested = True

    def wait(self, poll_s: float = 0.2) -> int:
        """Until a child exits or a stop is requested; then stop all. Returns an exit status."""
        status = 0
        try:
            while not self._stop_requested:
                exited = [(n, p.returncode) for n, p in self.children.items() if p.poll() is not None]
                if exited:
                    name, status = exited[0]
                    print(f"shian: {name} exited with status {status}; stopping the others", file=sys.stderr)
                    break
                time.sleep(poll_s)
        except KeyboardInterrupt:
            pass
        self.stop()
        return status if status >= 0 else 128 - status  # killed by signal N: 128 + N, as a shell says

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        running = [p for p in self.children.values() if p.poll() is None]
        for process in running:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()

    def run(self) -> int:
        previous = {s: signal.signal(s, self.request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            return self.wait()
        finally:
            self.stop()
            for s, handler in previous.items():
                signal.signal(s, handler)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    """The child and what it started (gunicorn's workers, runserver's reloader child)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _describe(name: str, argv: list[str]) -> str:
    return f"  {name:<10} {' '.join(argv[1:] if argv[0] == sys.executable else argv)}"


def _serve(
    host: str,
    port: int,
    *,
    reload: bool = False,
    production: bool = False,
    workers: int | None = None,
    threads: int | None = None,
    worker: bool = True,
) -> int:
    from django.conf import settings
    from django.core.management import call_command

    if production:
        call_command("collectstatic", interactive=False, verbosity=0)
        n_workers, n_threads = web_workers(workers), web_threads(threads)
        web = gunicorn_argv(host, port, n_workers, n_threads)
        label = (
            f"production server: gunicorn, {n_workers} workers x {n_threads} threads (gthread), "
            f"static files by WhiteNoise, DEBUG off, profile {settings.PROFILE}"
        )
    else:
        web = runserver_argv(host, port, reload)
        label = "development server: Django runserver (one process, DEBUG on; `shian serve --production` for gunicorn)"
    commands = [("web", web), *background_processes(worker)]
    print(f"\nServing ShiAn on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    print(f"Web server — {label}", flush=True)
    if not any(name == "worker" for name, _argv in commands):
        print("No background worker (--no-worker): run `shian worker` elsewhere.", flush=True)
    for name, argv in commands:
        print(_describe(name, argv), flush=True)
    print(flush=True)
    return ProcessGroup(commands).run()


def _prepare_production(host: str) -> None:
    """`serve --production` outside the production profile: a loopback-only production server
    (for a load test or a rehearsal), since the development profile's secret key is public."""
    os.environ["SHIAN_DEBUG"] = "0"
    os.environ["SHIAN_STATIC_MANIFEST"] = "1"
    if os.environ.get("SHIAN_PROFILE", "development") != "production" and host not in LOOPBACK:
        print(
            "error: `shian serve --production` binds to a non-loopback address only with "
            "SHIAN_PROFILE=production (and SHIAN_SECRET_KEY, SHIAN_ALLOWED_HOSTS)",
            file=sys.stderr,
        )
        sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="shian", description="ShiAn food-safety platform")
    sub = parser.add_subparsers(dest="command")
    p_demo = sub.add_parser("demo", help="migrate, generate the demo city, print logins, serve")
    p_demo.add_argument("--size", default="small", choices=["tiny", "small", "city", "province"])
    p_demo.add_argument("--no-serve", action="store_true")
    p_demo.add_argument("--reset", action="store_true", help="start from an empty database")
    p_demo.add_argument("--port", type=int, default=8000)
    p_demo.add_argument("--no-worker", action="store_true", help="no background worker beside the server")
    p_serve = sub.add_parser("serve", help="migrate and serve on http://127.0.0.1:8000, with the background worker")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    p_serve.add_argument("--reload", action="store_true", help="development server: reload on code changes")
    p_serve.add_argument(
        "--production", action="store_true", help="gunicorn + WhiteNoise, DEBUG off (runs collectstatic)"
    )
    p_serve.add_argument("--workers", type=int, help="gunicorn workers (default SHIAN_WEB_WORKERS or cores + 1)")
    p_serve.add_argument("--threads", type=int, help="threads per gunicorn worker (default SHIAN_WEB_THREADS or 2)")
    p_serve.add_argument("--no-worker", action="store_true", help="no background worker beside the server")
    p_worker = sub.add_parser("worker", help="run the background task worker in the foreground")
    p_worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
    p_import = sub.add_parser("import", help="import data files")
    p_import.add_argument("what", choices=["businesses"])
    p_import.add_argument("file")
    p_import.add_argument("--report", help="where to write the error report when the file has errors")

    known = {"demo", "serve", "worker", "import", "-h", "--help"}
    if not argv or argv[0] not in known:
        _setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shian", *argv] if argv else ["shian", "help"])
        return
    args = parser.parse_args(argv)
    if args.command == "serve" and args.production:
        _prepare_production(args.host)
    _setup()
    from django.core.management import call_command

    if args.command == "demo":
        from django.conf import settings

        if settings.PRODUCTION:  # before --reset could drop anything
            from shian.core.management.commands.demo import PRODUCTION_REFUSAL

            print(f"error: {PRODUCTION_REFUSAL}", file=sys.stderr)
            sys.exit(2)
        if args.reset:
            _reset_database()
        _migrate()
        call_command("demo", size=args.size)
        if not args.no_serve:
            sys.exit(_serve("127.0.0.1", args.port, worker=not args.no_worker))
    elif args.command == "serve":
        _migrate()
        sys.exit(
            _serve(
                args.host,
                args.port,
                reload=args.reload,
                production=args.production,
                workers=args.workers,
                threads=args.threads,
                worker=not args.no_worker,
            )
        )
    elif args.command == "worker":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shian", *WORKER_COMMAND, "--interval", str(args.interval)])
    elif args.command == "import":
        _migrate()
        extra = ["--report", args.report] if args.report else []
        try:
            call_command("import_businesses", args.file, *extra)
        except Exception as exc:  # CommandError: print cleanly and exit non-zero
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
