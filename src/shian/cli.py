"""The `shian` command: demo, serve, import, and every manage.py command."""

from __future__ import annotations

import argparse
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _reset_database() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            path = f"{db['NAME']}{suffix}"
            if os.path.exists(path):
                os.remove(path)
    else:
        _migrate()
        call_command("flush", interactive=False, verbosity=0)


def _serve(host: str, port: int, reload: bool) -> None:
    from django.core.management import call_command

    print(f"\nServing ShiAn on http://{host}:{port}/  (Ctrl-C to stop)\n", flush=True)
    args = [f"{host}:{port}"]
    if not reload:
        args.append("--noreload")
    call_command("runserver", *args)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="shian", description="ShiAn food-safety platform")
    sub = parser.add_subparsers(dest="command")
    p_demo = sub.add_parser("demo", help="migrate, generate the demo city, print logins, serve")
    p_demo.add_argument("--size", default="small", choices=["tiny", "small", "city", "province"])
    p_demo.add_argument("--no-serve", action="store_true")
    p_demo.add_argument("--reset", action="store_true", help="start from an empty database")
    p_demo.add_argument("--port", type=int, default=8000)
    p_serve = sub.add_parser("serve", help="migrate and serve on http://127.0.0.1:8000")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    p_serve.add_argument("--reload", action="store_true")
    p_import = sub.add_parser("import", help="import data files")
    p_import.add_argument("what", choices=["businesses"])
    p_import.add_argument("file")
    p_import.add_argument("--report", help="where to write the error report when the file has errors")

    known = {"demo", "serve", "import", "-h", "--help"}
    if not argv or argv[0] not in known:
        _setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shian", *argv] if argv else ["shian", "help"])
        return
    args = parser.parse_args(argv)
    _setup()
    from django.core.management import call_command

    if args.command == "demo":
        if args.reset:
            _reset_database()
        _migrate()
        call_command("demo", size=args.size)
        if not args.no_serve:
            _serve("127.0.0.1", args.port, reload=False)
    elif args.command == "serve":
        _migrate()
        _serve(args.host, args.port, reload=args.reload)
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
