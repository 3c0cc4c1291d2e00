"""The audit log's hash chain (core.auditchain): `shian audit verify` over N entries (goal: 1M in < 60 s),
and what chaining costs a writer. One database per run (SHIAN_DATABASE_URL, default a SQLite file under
var/bench/); it is emptied first. Prints a table, then one JSON line (the last line) with the figures.

    python benchmarks/bench_audit_verify.py                      # 1,000,000 entries, SQLite
    SHIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shian_bench_audit python benchmarks/bench_audit_verify.py
    python benchmarks/bench_audit_verify.py --entries 50000      # quick

Measured:
- fill: the entries chained by core.auditchain and inserted with executemany (fast);
- bulk: entries written through ``audit_many`` (the ORM's bulk_create, chained: one lock, one id query);
- verify: the whole chain checked, as `shian audit verify` does (the command itself is run at the end
  and its exit code checked);
- append: one entry at a time through ``AuditEntry.save`` (lock, read of the last entry, chain, insert),
  against the same inserts without the chain (``Model.save`` bypassing it): the difference is the cost per
  entry of chaining;
- on PostgreSQL, writers in parallel threads (each entry its own transaction): the chain stays one line.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
DEFAULT_URL = f"sqlite:///{ROOT / 'var/bench/audit.sqlite3'}"


def setup(url: str) -> None:
    from bench_db import reset_database

    reset_database(url)
    os.environ["SHIAN_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def entries(n: int, start: int):
    from shian.core.choices import AuditAction
    from shian.core.models import AuditEntry

    for i in range(start, start + n):
        yield AuditEntry(
            actor_name=f"user{i % 97}",
            source=f"10.0.{i % 250}.{i % 200}",
            action=AuditAction.UPDATE,
            object_type="registry.business",
            object_id=str(i),
            object_repr=f"测试餐饮店{i}",
            changes={"name": [f"旧名{i}", f"新名{i}"], "staffing_complete": [False, True], "n": [i, i + 0.5]},
            note="bench",
            scope_path="330200/330203/",
            scope_business=i,
        )


def fill(n: int) -> float:
    """N chained entries, fast: digests computed by core.auditchain, rows inserted with executemany in
    one transaction (the ORM's bulk_create would take most of the time; ``bulk`` measures that path)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from shian.core import auditchain

    signer = auditchain.current_signer()
    postgres = connection.vendor == "postgresql"
    sql = (
        "INSERT INTO core_auditentry (id, at, actor_id, actor_name, source, action, object_type, object_id, "
        "object_repr, changes, note, scope_path, scope_business, prev_digest, digest) VALUES "
        f"(%s, %s, NULL, %s, %s, %s, %s, %s, %s, {'%s::jsonb' if postgres else '%s'}, %s, %s, %s, %s, %s)"
    )
    started = time.perf_counter()
    with transaction.atomic():
        last = auditchain.last_entry(connection)
        prev = last[1] if last else auditchain.GENESIS
        ids = auditchain.reserve_ids(connection, n, last[0] if last else 0)
        base = timezone.now()
        batch = []
        for i, (pk, e) in enumerate(zip(ids, entries(n, 0), strict=True)):
            e.id, e.at = pk, base
            e.changes = auditchain.normalised_changes(e.changes)
            e.prev_digest, e.digest = prev, signer.sign(prev, auditchain.canonical(auditchain.values_of(e)))
            prev = e.digest
            at = e.at if postgres else e.at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
            batch.append(
                (pk, at, e.actor_name, e.source, e.action, e.object_type, e.object_id, e.object_repr,
                 json.dumps(e.changes), e.note, e.scope_path, e.scope_business, e.prev_digest, e.digest)
            )  # fmt: skip
            if len(batch) == 20_000 or i == n - 1:
                with connection.cursor() as cursor:
                    cursor.executemany(sql, batch)
                batch.clear()
                print(f"  filled {i + 1:,}/{n:,}", flush=True, file=sys.stderr)
    return time.perf_counter() - started


def bulk(n: int) -> dict:
    """``audit_many`` (the ORM's bulk_create, chained) of N entries."""
    from shian.core.audit import audit_many

    started = time.perf_counter()
    audit_many(entries(n, 5_000_000))
    seconds = time.perf_counter() - started
    return {"entries": n, "seconds": round(seconds, 2), "ms_per_entry": round(seconds / n * 1000, 3)}


def append_cost(n: int) -> dict:
    """One entry at a time, chained vs not (each in autocommit: its own transaction, as a request's)."""
    from django.db import models

    from shian.core.models import AuditEntry

    started, cpu = time.perf_counter(), time.process_time()
    for e in entries(n, 10_000_000):
        e.save()
    chained, chained_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    for i, e in enumerate(entries(n, 20_000_000), start=1):
        e.id = last + 1_000_000 + i  # past the chain: it is found as "no digest" by verify (not run after)
        models.Model.save(e, force_insert=True)
    plain, plain_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "chain_cost_cpu_ms_per_entry": round((chained_cpu - plain_cpu) / n * 1000, 3),
        "entries": n,
        "chained_ms_per_entry": round(chained / n * 1000, 3),
        "plain_ms_per_entry": round(plain / n * 1000, 3),
        "chain_cost_ms_per_entry": round((chained - plain) / n * 1000, 3),
    }


def parallel(threads: int, per_thread: int) -> dict:
    """PostgreSQL only: writers in parallel, each entry its own transaction; the chain must stay linear."""
    from django.db import connection

    from shian.core import auditchain

    errors = []

    def work(k: int):
        try:
            for e in entries(per_thread, 30_000_000 + k * per_thread):
                e.save()
        except Exception as exc:  # noqa: BLE001 - reported
            errors.append(repr(exc))
        finally:
            connection.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - started
    report = auditchain.verify(anchor_file=os.devnull)
    return {
        "threads": threads,
        "entries": threads * per_thread,
        "seconds": round(seconds, 2),
        "entries_per_s": round(threads * per_thread / seconds),
        "errors": errors[:3],
        "chain_ok": report.ok,
        "problems": [p.message for p in report.problems[:3]],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--append", type=int, default=2_000, help="entries for the one-at-a-time measure")
    parser.add_argument("--bulk", type=int, default=20_000, help="entries for the audit_many measure")
    args = parser.parse_args()
    url = os.environ.get("SHIAN_DATABASE_URL", DEFAULT_URL)
    data_dir = ROOT / "var/bench/audit-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SHIAN_DATA_DIR"] = str(data_dir)
    anchors = data_dir / "audit-anchors.jsonl"
    if anchors.exists():
        anchors.unlink()
    os.environ["SHIAN_AUDIT_ANCHOR_FILE"] = str(anchors)
    setup(url)
    from django.db import connection

    from shian.core import auditchain

    result = {"database": connection.vendor, "entries": args.entries + args.bulk}
    result["fill_s"] = round(fill(args.entries), 1)
    result["bulk"] = bulk(args.bulk)
    auditchain.write_anchor()
    cpu = time.process_time()
    report = auditchain.verify()
    result["verify_cpu_s"] = round(time.process_time() - cpu, 1)  # this process's CPU: the figure on a busy machine
    assert report.ok, [p.message for p in report.problems]
    assert report.checked == args.entries + args.bulk, report.checked
    result["verify_s"] = round(report.seconds, 1)
    # the command, as an operator runs it (a new process: start-up included)
    started = time.perf_counter()
    command = subprocess.run(
        [sys.executable, "-m", "shian", "audit", "verify"], env=os.environ.copy(), capture_output=True, text=True
    )
    result["verify_command_s"] = round(time.perf_counter() - started, 1)
    result["verify_command_exit"] = command.returncode
    if connection.vendor == "postgresql":
        result["parallel"] = parallel(threads=6, per_thread=300)
    result["append"] = append_cost(args.append)
    print(f"database                {result['database']}")
    print(f"entries                 {result['entries']:,}")
    print(f"fill (raw, chained)     {result['fill_s']} s")
    print(f"audit_many              {result['bulk']['entries']:,} in {result['bulk']['seconds']} s")
    print(
        f"verify (in process)     {result['verify_s']} s ({result['verify_cpu_s']} s of CPU)   goal: 1M entries < 60 s"
    )
    print(f"shian audit verify      {result['verify_command_s']} s, exit {result['verify_command_exit']}")
    a = result["append"]
    print(
        f"append one at a time    {a['chained_ms_per_entry']} ms chained, {a['plain_ms_per_entry']} ms plain: "
        f"{a['chain_cost_ms_per_entry']} ms per entry for the chain ({a['chain_cost_cpu_ms_per_entry']} ms of CPU)"
    )
    if "parallel" in result:
        p = result["parallel"]
        print(
            f"parallel writers        {p['threads']} threads, {p['entries']:,} entries in {p['seconds']} s "
            f"({p['entries_per_s']}/s), chain intact: {p['chain_ok']} {p['errors'] or ''}"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
