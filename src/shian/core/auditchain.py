"""The audit log's hash chain: every entry carries the digest of the one before it, so an entry edited,
inserted out of order or deleted is found by :func:`verify` (``shian audit verify``).

An entry's digest is ``MAC(key, prev_digest ‖ canonical(entry))``: ``canonical`` is the entry's fields
(its id and its time in UTC included) as compact JSON with sorted keys. The MAC is HMAC-SHA256 by default
(``SHIAN_AUDIT_HASH``; ``hmac-sm3`` where the OpenSSL build has SM3); the key is ``SHIAN_AUDIT_KEY``
(required in production; in development derived from ``SECRET_KEY``). A stored digest names its
algorithm and key: ``hmac-sha256:<key id>:<hex>`` (the key id is a fingerprint of the key, not the key),
so a new algorithm or a rotated key starts on the next entry and older entries still verify with the
retired keys listed in ``SHIAN_AUDIT_OLD_KEYS``.

Every writer goes through :func:`append`: ``AuditEntry.save`` (and so ``objects.create``) and
``AuditEntry.objects.bulk_create`` (``audit_many``). Appends are serialised so concurrent writers cannot
fork the chain: on PostgreSQL a transaction-level advisory lock, held to the writer's commit; on SQLite
the database's single writer (``transaction_mode=IMMEDIATE``). Under the lock the writer reads the last
entry, reserves the new ids, stamps the time (never earlier than the last entry's) and chains.

Anchors (:func:`write_anchor`, run hourly by the scheduler and by ``shian audit anchor``) append the last
entry's id and digest to a separate append-only file (``SHIAN_AUDIT_ANCHOR_FILE``). The chain alone
cannot tell that the newest entries were deleted; an anchor can, and it pins the chain up to it should
the key ever leak.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.utils import timezone

TABLE = "core_auditentry"
# the fields of an entry that its digest covers, in this order (the digest fields themselves aside)
FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "source",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "note",
    "scope_path",
    "scope_business",
)
GENESIS = ""  # the prev_digest of the first entry
LOCK_ID = 0x5348_4941_4E41  # "SHIANA": the PostgreSQL advisory lock that serialises appends
SEAL_OBJECT_TYPE = "core.auditchain"  # the entry the migration wrote after sealing the entries before it


# --- algorithms and keys ---------------------------------------------------------------------------
def _hmac(digestmod: str) -> Callable[[bytes], Any]:
    return lambda key: hmac.new(key, digestmod=digestmod)


ALGORITHMS: dict[str, Callable[[bytes], Any]] = {"hmac-sha256": _hmac("sha256")}
if "sm3" in hashlib.algorithms_available:  # OpenSSL with SM3 (GB/T 32905-2016)
    ALGORITHMS["hmac-sm3"] = _hmac("sm3")


def register_algorithm(name: str, factory: Callable[[bytes], Any]) -> None:
    """Add a MAC: ``factory(key)`` returns an object with ``copy()``, ``update(bytes)``, ``hexdigest()``
    (like ``hmac.new``), e.g. an SM3 HMAC from another library."""
    if ":" in name:
        raise ValueError("an algorithm name has no colon")
    ALGORITHMS[name] = factory


def _derived_key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"shian.audit-chain.v1", hashlib.sha256).digest()


def key_id(key: bytes) -> str:
    """A fingerprint naming a key in stored digests (8 hex digits; reveals nothing usable of the key)."""
    return hashlib.sha256(b"shian.audit-key-id:" + key).hexdigest()[:8]


def current_key() -> bytes:
    configured = getattr(settings, "AUDIT_KEY", "") or ""
    if configured:
        return configured.encode()
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("SHIAN_AUDIT_KEY must be set when SHIAN_PROFILE=production")
    return _derived_key()


def known_keys() -> dict[str, bytes]:
    """Key id → key: the current key, the retired ones (SHIAN_AUDIT_OLD_KEYS) and, in development, the
    key derived from SECRET_KEY (entries written before SHIAN_AUDIT_KEY was set)."""
    keys = [current_key(), *[k.encode() for k in getattr(settings, "AUDIT_OLD_KEYS", []) if k]]
    if not getattr(settings, "PRODUCTION", False):
        keys.append(_derived_key())
    return {key_id(k): k for k in keys}


def algorithm() -> str:
    name = getattr(settings, "AUDIT_HASH", "") or "hmac-sha256"
    if name not in ALGORITHMS:
        raise ImproperlyConfigured(f"SHIAN_AUDIT_HASH={name!r} is not available here; one of {sorted(ALGORITHMS)}")
    return name


class Signer:
    """Computes digests with one algorithm and key; reuses the keyed state (fast: ~2 µs an entry)."""

    def __init__(self, name: str, key: bytes):
        self.name, self.kid = name, key_id(key)
        self.prefix = f"{name}:{self.kid}:"
        self._base = ALGORITHMS[name](key)

    def sign(self, prev: str, body: bytes) -> str:
        mac = self._base.copy()
        mac.update(prev.encode())
        mac.update(b"\n")
        mac.update(body)
        return self.prefix + mac.hexdigest()


def current_signer() -> Signer:
    return Signer(algorithm(), current_key())


class Signers:
    """The signer for a stored digest's algorithm and key id (for verification)."""

    def __init__(self) -> None:
        self.keys = known_keys()
        self._cache: dict[str, Signer | None] = {}

    def for_digest(self, digest: str) -> Signer | None:
        prefix = digest[: digest.find(":", digest.find(":") + 1) + 1] if digest.count(":") >= 2 else ""
        if prefix not in self._cache:
            name, _sep, kid = prefix[:-1].partition(":")
            key = self.keys.get(kid)
            self._cache[prefix] = Signer(name, key) if key is not None and name in ALGORITHMS else None
        return self._cache[prefix]


# --- canonical form ---------------------------------------------------------------------------------
def utc_text(value: dt.datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # a raw SQLite value
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite's column, or a naive value: UTC, as Django stores it
        return value.isoformat(timespec="microseconds") + "Z"
    if value.utcoffset() != _ZERO:
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


_ZERO = dt.timedelta(0)


def _plain_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value


def normalised_changes(changes: Any) -> Any:
    """``changes`` as it will read back from any database: tuples as lists, keys as strings, an integral
    float as the integer (PostgreSQL's jsonb answers 1e16 as 10000000000000000)."""
    return _plain_numbers(json.loads(json.dumps(changes if changes is not None else {})))


def canonical(values: dict[str, Any]) -> bytes:
    """The bytes a digest covers: the fields of :data:`FIELDS` as compact JSON with sorted keys."""
    row = [
        values["id"],
        utc_text(values["at"]),
        values["actor_id"],
        values["actor_name"] or "",
        values["source"] or "",
        values["action"] or "",
        values["object_type"] or "",
        values["object_id"] or "",
        values["object_repr"] or "",
        values["changes"] if values["changes"] is not None else {},
        values["note"] or "",
        values["scope_path"] or "",
        values["scope_business"],
    ]
    return _encode(row).encode()


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def values_of(entry: Any) -> dict[str, Any]:
    return {f: getattr(entry, f) for f in FIELDS}


# --- appending ------------------------------------------------------------------------------------
def _lock(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
    # SQLite: the transaction holds the database's one write lock (BEGIN IMMEDIATE, settings.py)


LAST_SQL = "SELECT id, digest, at FROM core_auditentry ORDER BY id DESC LIMIT 1"
# SQLite: the highest id ever given (sqlite_sequence) in the same query, so that one query serves an append
LAST_SQL_SQLITE = (
    "SELECT id, digest, at, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'core_auditentry'), 0) "
    "FROM core_auditentry ORDER BY id DESC LIMIT 1"
)


def last_entry(connection) -> tuple | None:
    """(id, digest, time[, SQLite: the highest id ever given]) of the last entry, or None."""
    with connection.cursor() as cursor:
        cursor.execute(LAST_SQL_SQLITE if connection.vendor == "sqlite" else LAST_SQL)
        row = cursor.fetchone()
    if row is None:
        return None
    at = row[2]
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at, dt.UTC)
    return (row[0], row[1] or "", at, *row[3:])


def reserve_ids(connection, n: int, last_id: int) -> list[int]:
    """``n`` new ids, in increasing order, above every id used so far (call under the lock)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [TABLE, n])
            return sorted(r[0] for r in cursor.fetchall())
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [TABLE])
            row = cursor.fetchone()
            last_id = max(last_id, row[0] if row else 0)
    return list(range(last_id + 1, last_id + 1 + n))


def append(entries: list[Any], using: str, insert: Callable[[], Any]) -> Any:
    """Chain ``entries`` (unsaved AuditEntry objects, in order) after the last entry and ``insert()``
    them, all under the append lock, in one transaction (the caller's, if it has one). Each entry's
    id, time, ``prev_digest`` and ``digest`` are set here: the time is now (never earlier than the last
    entry's), whatever the caller put there."""
    connection = connections[using]
    signer = current_signer()
    # no savepoint inside the caller's transaction: a failed append fails the caller's transaction anyway
    with transaction.atomic(using=using, savepoint=False):
        _lock(connection)
        last = last_entry(connection)
        prev, floor = (last[1], last[2]) if last else (GENESIS, None)
        if last is not None and len(last) > 3:  # SQLite: sqlite_sequence came with the last row
            start = max(last[0], last[3])
            ids = list(range(start + 1, start + 1 + len(entries)))
        else:
            ids = reserve_ids(connection, len(entries), last[0] if last else 0)
        now = timezone.now()
        at = max(now, floor) if floor is not None else now
        for entry, pk in zip(entries, ids, strict=True):
            entry.id = pk
            entry.at = at
            entry.changes = normalised_changes(entry.changes)
            entry.prev_digest = prev
            entry.digest = signer.sign(prev, canonical(values_of(entry)))
            prev = entry.digest
        return insert()


# --- verifying -----------------------------------------------------------------------------------
@dataclass
class Problem:
    entry_id: int | None
    kind: str  # edited | broken | out_of_order | unknown_key | anchor | truncated
    message: str


@dataclass
class Report:
    checked: int = 0
    anchors: int = 0
    last_id: int | None = None
    last_digest: str = ""
    seconds: float = 0.0
    total_problems: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.total_problems += 1
        self.problems.append(problem)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


ROW_SQL = (
    "SELECT id, {at}, actor_id, actor_name, source, action, object_type, object_id, object_repr, changes, note, "
    "scope_path, scope_business, prev_digest, digest FROM core_auditentry WHERE id > %s ORDER BY id LIMIT %s"
)


def _rows(using: str, batch: int = 20_000) -> Iterator[dict[str, Any]]:
    """Every entry in id order, as plain values, by keyset pages (constant memory on any database)."""
    connection = connections[using]
    # SQLite: the stored text, parsed here (faster than the driver's converter)
    sql = ROW_SQL.format(at="CAST(at AS TEXT)" if connection.vendor == "sqlite" else "at")
    loads, parse = json.loads, dt.datetime.fromisoformat
    after = -1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [after, batch])
            rows = cursor.fetchall()
        if not rows:
            return
        for r in rows:
            changes, at = r[9], r[1]
            if isinstance(changes, str | bytes):  # SQLite hands back the JSON text (and psycopg, for jsonb)
                changes = loads(changes)
            if isinstance(at, str):
                at = parse(at)
            if at is not None and at.tzinfo is None:
                at = at.replace(tzinfo=dt.UTC)
            yield {
                "id": r[0],
                "at": at,
                "actor_id": r[2],
                "actor_name": r[3],
                "source": r[4],
                "action": r[5],
                "object_type": r[6],
                "object_id": r[7],
                "object_repr": r[8],
                "changes": changes,
                "note": r[10],
                "scope_path": r[11],
                "scope_business": r[12],
                "prev_digest": r[13] or "",
                "digest": r[14] or "",
            }
        after = rows[-1][0]


def _at(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class _Where:
    """How an entry is named in a problem ("#57 (2026-…Z, update registry.business 12)"), built only when a
    problem is reported."""

    __slots__ = ("row",)

    def __init__(self, row: dict[str, Any]):
        self.row = row

    def __format__(self, spec: str) -> str:
        r = self.row
        return f"#{r['id']} ({utc_text(r['at'])}, {r['action']} {r['object_type']} {r['object_id']})".replace(" )", ")")


def verify_rows(
    rows: Iterable[dict[str, Any]],
    *,
    report: Report | None = None,
    expect_prev: str | None = GENESIS,
    times_checked: bool = True,
    max_problems: int = 20,
    watch: dict[int, tuple[str, int]] | None = None,
) -> Report:
    """Walk entries in chain order. An entry is *edited* when its content does not match its digest,
    the chain is *broken* before it when its prev_digest is not the digest of the entry before it
    (entries between were deleted, or it was inserted there), *out of order* when its time is earlier
    than the entry before it. ``expect_prev=None`` takes the first entry's link as given (a file that
    starts in the middle of the chain). The writer guarantees the order of times; entries the migration sealed
    (those before its seal entry) keep the times they had, so ``times_checked=False`` checks times only
    after the seal entry. ``watch`` (id → None) is filled with (digest, number of entries up to it) for
    the ids it holds: the anchors' entries, checked without another query."""
    report = report or Report()
    started = time.perf_counter()
    signers = Signers()
    prev_digest, prev_row, prev_at = expect_prev, None, None

    def problem(row_id: int | None, kind: str, message: str) -> None:
        report.total_problems += 1
        if len(report.problems) < max_problems:
            report.problems.append(Problem(row_id, kind, message))

    for row in rows:
        report.checked += 1
        digest = row["digest"]
        at = _at(row["at"])
        where = _Where(row)
        if row["prev_digest"] != prev_digest and not (prev_row is None and expect_prev is None):
            if prev_row is None:
                problem(
                    row["id"],
                    "broken",
                    f"entry {where}: the chain does not start here — the entries before it were deleted",
                )
            else:
                problem(
                    row["id"],
                    "broken",
                    f"entry {where}: the chain is broken after entry #{prev_row['id']} — entries between them "
                    "were deleted, or this one was inserted here",
                )
        signer = signers.for_digest(digest)
        if not digest:
            problem(row["id"], "edited", f"entry {where} has no digest: written around the chain")
        elif signer is None:
            problem(
                row["id"],
                "unknown_key",
                f"entry {where}: its digest names an unknown algorithm or key ({digest.rsplit(':', 1)[0]}); "
                "forged, or a retired key is missing from SHIAN_AUDIT_OLD_KEYS",
            )
        elif not hmac.compare_digest(signer.sign(row["prev_digest"], canonical(row)), digest):
            problem(row["id"], "edited", f"entry {where} was changed: its content does not match its digest")
        if times_checked and prev_at is not None and at is not None and at < prev_at:
            problem(
                row["id"],
                "out_of_order",
                f"entry {where} is dated before entry #{prev_row['id']} ({utc_text(prev_at)}): inserted out of order",
            )
        if row["object_type"] == SEAL_OBJECT_TYPE:
            times_checked = True
        if watch is not None and row["id"] in watch:
            watch[row["id"]] = (digest, report.checked)
        prev_digest, prev_row, prev_at = digest, row, at
    if prev_row is not None:
        report.last_id, report.last_digest = prev_row["id"], prev_row["digest"]
    report.seconds += time.perf_counter() - started
    return report


def has_seal(using: str) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {TABLE} WHERE object_type = %s LIMIT 1", [SEAL_OBJECT_TYPE])  # noqa: S608
        return cursor.fetchone() is not None


def verify(using: str = "default", anchor_file: Path | str | None = None, max_problems: int = 20) -> Report:
    """Check the whole chain in the database, then every anchor in the anchor file."""
    started = time.perf_counter()
    report = Report()
    path = anchor_path(anchor_file)
    anchors, bad = read_anchors(path)
    watch: dict[int, Any] = {a["id"]: None for a in anchors if isinstance(a.get("id"), int)}
    verify_rows(_rows(using), report=report, times_checked=not has_seal(using), max_problems=max_problems, watch=watch)
    check_anchors(report, path, anchors, bad, watch)
    report.seconds = time.perf_counter() - started
    return report


# --- anchors --------------------------------------------------------------------------------------
def anchor_path(path: Path | str | None = None) -> Path:
    if path:
        return Path(path)
    configured = getattr(settings, "AUDIT_ANCHOR_FILE", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit-anchors.jsonl"


def _anchor_body(anchor: dict[str, Any]) -> bytes:
    fields = {k: anchor[k] for k in ("id", "digest", "entry_at", "count", "written_at")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def read_anchors(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """(anchors, problems with lines that are not anchors)."""
    anchors, bad = [], []
    if not path.exists():
        return anchors, bad
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                anchor = json.loads(line)
                _anchor_body(anchor)
                anchor["line"] = n
                anchors.append(anchor)
            except (ValueError, KeyError, TypeError):
                bad.append(f"{path}:{n}: not an anchor line")
    return anchors, bad


def write_anchor(using: str = "default", path: Path | str | None = None, *, force: bool = False) -> dict | None:
    """Append (last id, its digest, its time, the number of entries up to it) to the anchor file, with a
    MAC. Nothing is written when the last anchor already names the last entry (unless ``force``)."""
    target = anchor_path(path)
    connection = connections[using]
    last = last_entry(connection)
    if last is None:
        return None
    existing, _bad = read_anchors(target)
    if existing and existing[-1].get("id") == last[0] and not force:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE id <= %s", [last[0]])  # noqa: S608
        count = cursor.fetchone()[0]
    anchor = {
        "id": last[0],
        "digest": last[1],
        "entry_at": utc_text(last[2]),
        "count": count,
        "written_at": utc_text(timezone.now()),
    }
    anchor["mac"] = current_signer().sign("anchor", _anchor_body(anchor))
    target.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(anchor, sort_keys=True) + "\n").encode()
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return anchor


def check_anchors(
    report: Report, path: Path, anchors: list[dict[str, Any]], bad: list[str], seen: dict[int, Any]
) -> None:
    """Each anchor (MAC checked) against what the walk saw of its entry: ``seen[id]`` is (digest, number of
    entries up to it), or None when the entry is not in the log."""
    for message in bad:
        report.add(Problem(None, "anchor", message))
    if not anchors:
        report.warnings.append(
            f"no anchors in {path}: the deletion of the newest entries cannot be detected "
            "(run `shian audit anchor`; the scheduler writes one every hour)"
        )
        return
    signers = Signers()
    for anchor in anchors:
        report.anchors += 1
        where = f"anchor {path.name}:{anchor['line']} (entry #{anchor['id']}, {anchor['entry_at']})"
        signer = signers.for_digest(str(anchor.get("mac", "")))
        body = _anchor_body(anchor)
        if signer is None or not hmac.compare_digest(signer.sign("anchor", body), str(anchor["mac"])):
            report.add(Problem(None, "anchor", f"{where}: forged or changed (its MAC does not match)"))
            continue
        found = seen.get(anchor["id"])
        if found is None:
            if report.last_id is None or anchor["id"] > report.last_id:
                message = (
                    f"{where}: the log ends at entry #{report.last_id} — the entries after it, up to at least "
                    f"#{anchor['id']}, were deleted"
                )
                report.add(Problem(report.last_id, "truncated", message))
            else:
                report.add(Problem(anchor["id"], "anchor", f"{where}: entry #{anchor['id']} was deleted"))
        elif found[0] != anchor["digest"]:
            report.add(
                Problem(anchor["id"], "anchor", f"{where}: entry #{anchor['id']} is not the entry anchored (rewritten)")
            )
        elif found[1] != anchor["count"]:
            report.add(
                Problem(
                    anchor["id"],
                    "anchor",
                    f"{where}: {found[1]} entries up to it, {anchor['count']} when anchored — entries were deleted",
                )
            )
