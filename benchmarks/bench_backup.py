"""`shian backup` then `shian restore` of one database (SHIAN_DATABASE_URL decides which), timed. Prints JSON.

By default the database as it is (benchmarks/run.py calls it after bench_db.py has built the city there);
with --businesses N a fresh demo city of that size first. The uploaded files are those of
SHIAN_DATA_DIR, which defaults here to var/bench/backup so that the restore never replaces the files of
var/media. Goal: backup and restore of the city-size database each < 2 min on SQLite.

    SHIAN_DATABASE_URL=sqlite:///var/bench/bench.sqlite3 python benchmarks/bench_backup.py
    SHIAN_DATA_DIR=/tmp/city python benchmarks/bench_backup.py            # e.g. a `shian demo --size city`"""

import argparse
import io
import json
import os
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))


def cpu_seconds() -> float:
    """User + system CPU of this process and its children (pg_dump, pg_restore, psql): on a busy machine
    the wall-clock time is mostly waiting, and this says how much work there was."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--businesses", type=int, help="generate a fresh demo city of this size first")
    parser.add_argument("--archive-dir", help="where to write the archive (default: a temporary folder)")
    parser.add_argument("--no-compress", action="store_true", help="a plain tar instead of tar.gz")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    os.environ.setdefault("SHIAN_DATA_DIR", str(ROOT / "var/bench/backup"))
    Path(os.environ["SHIAN_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if args.businesses:
        from bench_db import reset_database

        reset_database(
            os.environ.get("SHIAN_DATABASE_URL") or f"sqlite:///{os.environ['SHIAN_DATA_DIR']}/shian.sqlite3"
        )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shian.core import backup
    from shian.registry.models import Business

    call_command("migrate", verbosity=0)
    if args.businesses:
        call_command("demo", businesses=args.businesses, no_progress=True, stdout=io.StringIO())
    businesses = Business.objects.count()
    if connection.vendor == "sqlite":
        database_bytes = Path(connection.settings_dict["NAME"]).stat().st_size
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            database_bytes = cursor.fetchone()[0]
    with tempfile.TemporaryDirectory(prefix="shian-bench-backup-", dir=args.archive_dir) as folder:
        cpu = cpu_seconds()
        made = backup.backup_create(Path(folder), compress=not args.no_compress)
        backup_cpu, cpu = cpu_seconds() - cpu, cpu_seconds()
        restored = backup.restore_archive(made.path)
        restore_cpu = cpu_seconds() - cpu
        after = Business.objects.count()
    assert after == businesses, (after, businesses)
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "businesses": businesses,
                "database_mb": round(database_bytes / 1e6, 1),
                "archive_mb": round(made.size_bytes / 1e6, 1),
                "compressed": not args.no_compress,
                "backup_s": round(made.seconds, 1),
                "backup_cpu_s": round(backup_cpu, 1),
                "backup_steps": made.timings,
                "restore_s": round(restored.seconds, 1),
                "restore_cpu_s": round(restore_cpu, 1),
                "restore_steps": restored.timings,
            }
        )
    )


if __name__ == "__main__":
    main()
