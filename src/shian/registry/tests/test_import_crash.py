"""A crash during an import leaves nothing half-written (issue 10): a real import of a large file runs in a
child process against a file-based SQLite database of its own; the child is killed with SIGKILL while it
writes; afterwards no business of that file exists, no run is recorded, and the database is intact."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from shian.registry.imports import COLUMNS
from shian.registry.tests.factories import uscc_for

ROWS = 6_000
FIRST = 700_000  # uscc_for(FIRST + n): codes no other test uses


def big_csv() -> bytes:
    lines = [",".join(c.label for c in COLUMNS)]
    for n in range(1, ROWS + 1):
        values = {
            "uscc": uscc_for(FIRST + n),
            "name": f"崩溃测试餐馆{n}",
            "type": "餐饮服务",
            "scale": "小型",
            "address": f"海曙区测试路{n}号",
            "region_code": "330203001001",
            "status": "在营",
            "licence_number": f"JY2330203{n:06d}9",
            "licence_issued_on": "2024-01-01",
            "licence_valid_until": "2029-01-01",
            "officer_name": f"安全员{n}",
            "officer_phone": "13900000000",
            "officer_trained_on": "2025-06-01",
        }
        lines.append(",".join(values.get(c.key, "") for c in COLUMNS))
    return ("\n".join(lines) + "\n").encode()


def child(data_dir, script: str, **popen) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"SHIAN_DATABASE_URL", "SHIAN_DATA_DIR", "DATABASE_URL"}}
    env |= {"SHIAN_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "shian.settings", "PYTHONUNBUFFERED": "1"}
    prelude = "import django\ndjango.setup()\n"
    return subprocess.Popen(
        [sys.executable, "-c", prelude + textwrap.dedent(script)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A migrated SQLite file with the test city's regions, and the file to import."""
    data_dir = tmp_path_factory.mktemp("crash")
    setup = child(
        data_dir,
        """
        from django.core.management import call_command
        call_command("migrate", interactive=False, verbosity=0)
        from shian.core.tests.factories import make_city
        make_city()
        print("READY")
        """,
    )
    out, err = setup.communicate(timeout=600)
    assert setup.returncode == 0 and "READY" in out, err[-3000:]
    shutil.copy(data_dir / "shian.sqlite3", data_dir / "pristine.sqlite3")  # the child closed it: no WAL left
    path = data_dir / "upload.csv"
    path.write_bytes(big_csv())
    return data_dir, path


IMPORT = """
import sys, time
from shian.registry import imports
from shian.registry.imports import import_businesses
if {unwrapped!r}:
    imports._write = imports._write.__wrapped__  # the control: the same write without its transaction
data = open({path!r}, "rb").read()

def on_step(step, rows, errors):
    if step == "writing":
        print("WRITING", flush=True)

def progress(done, total):
    if {hold!r} and done < total:
        print("HALF", flush=True)  # the businesses are inserted, their licences and staff not yet
        time.sleep(120)  # held here, inside the transaction, until killed

result = import_businesses(data=data, filename="crash.csv", actor=None, on_step=on_step, progress=progress)
print("DONE", result.ok, flush=True)
"""


def db_state(data_dir) -> tuple[str, int, int, int, int]:
    """(integrity check, the file's businesses, licences and staff, its import runs)."""
    db = sqlite3.connect(data_dir / "shian.sqlite3")  # opening recovers the WAL the way Django would
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        found = db.execute("SELECT COUNT(*) FROM registry_business WHERE name LIKE '崩溃测试餐馆%'").fetchone()[0]
        licences = db.execute("SELECT COUNT(*) FROM registry_licence WHERE number LIKE 'JY2330203%'").fetchone()[0]
        staff = db.execute("SELECT COUNT(*) FROM registry_staff WHERE name LIKE '安全员%'").fetchone()[0]
        runs = db.execute("SELECT COUNT(*) FROM registry_importrun WHERE filename = 'crash.csv'").fetchone()[0]
        return integrity, found, licences, staff, runs
    finally:
        db.close()


def kill_while_writing(data_dir, path, *, hold: bool, delay: float, unwrapped: bool = False) -> str:
    proc = child(data_dir, IMPORT.format(path=str(path), hold=hold, unwrapped=unwrapped))
    signal_line = "HALF" if hold else "WRITING"
    deadline = time.monotonic() + 600
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line.strip())
        if line.strip() == signal_line:
            time.sleep(delay)
            break
    assert signal_line in seen, f"the import never reached {signal_line}: {seen} {proc.stderr.read()[-3000:]}"
    assert proc.poll() is None, "the import ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return "\n".join(seen)


def test_killed_in_the_middle_of_the_write_leaves_nothing(prepared):
    data_dir, path = prepared
    kill_while_writing(data_dir, path, hold=True, delay=0.2)
    integrity, businesses, licences, staff, runs = db_state(data_dir)
    assert integrity == "ok"
    assert businesses == 0, f"{businesses} businesses of the killed import were left behind"
    assert licences == staff == runs == 0


def test_killed_soon_after_the_write_began_leaves_nothing_and_a_retry_imports_everything(prepared):
    data_dir, path = prepared
    kill_while_writing(data_dir, path, hold=False, delay=0.3)
    assert db_state(data_dir) == ("ok", 0, 0, 0, 0)
    # the same file imported again, to the end: every row is there once (the database is usable)
    retry = child(data_dir, IMPORT.format(path=str(path), hold=False, unwrapped=False))
    out, err = retry.communicate(timeout=900)
    assert retry.returncode == 0 and "DONE True" in out, err[-3000:]
    assert db_state(data_dir) == ("ok", ROWS, ROWS, ROWS, 1)


def test_the_kill_does_land_in_the_middle_of_the_write(prepared, tmp_path):
    """The control: without the transaction the same kill leaves businesses behind, so the tests above do
    kill the import while it writes (and would catch a write that is not atomic)."""
    data_dir, path = prepared
    shutil.copy(data_dir / "pristine.sqlite3", tmp_path / "shian.sqlite3")
    kill_while_writing(tmp_path, path, hold=True, delay=0.2, unwrapped=True)
    assert db_state(tmp_path) == ("ok", ROWS, 0, 0, 0)  # businesses inserted, their licences and staff not yet
