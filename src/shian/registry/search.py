"""The register's text search: names, USCCs and addresses by substring, answered from an index.

What a search means is unchanged: a business matches ``q`` when its name or address contains ``q``,
or its USCC contains ``q.upper()``, ignoring case exactly as the database's case-insensitive LIKE does
(``like_q``; PostgreSQL compares ``UPPER(...)``, SQLite folds ASCII letters only). ``%``, ``_`` and
``\\`` in ``q`` are literal.

How the index answers it: every business is indexed by the character bigrams (pairs of adjacent
characters) of its name, USCC and address, folded the way that database's LIKE folds case. A row
that LIKE matches contains the term, so it holds every bigram of the term: "has all the term's
bigrams" finds a superset of LIKE's rows, from an index. Those candidates are then filtered with
the original LIKE, so the result is exactly LIKE's; for a two-character term (the common case) the
one bigram is the term, and the database drops the LIKE (``IndexIsExact``). A term of fewer than two
characters has no bigram and uses LIKE alone (a scan, as before).

- PostgreSQL: a GIN index on the expression ``registry_business_bigrams(name, uscc, address)`` (a
  ``tsvector`` whose lexemes are the bigrams of ``upper(field)``, the same ``upper`` that
  ``icontains`` uses, not the full-text parser); a candidate matches (``@@``) the AND of the term's
  bigrams.
- SQLite: a contentless FTS5 table ``registry_business_search`` with one token per bigram of
  ``lower(field)`` (SQLite's ``lower`` folds ASCII only, as its LIKE does), each written as the hex of
  its UTF-8 bytes so no tokenizer rule can split, fold or drop a punctuation or space character.
  Triggers on ``registry_business`` keep it current on every insert, update and delete, whichever code
  path writes (services, bulk import, demo generator, ``QuerySet.update``).

Both sides of the fold live here and in the SQL below, installed by migration 0003. Django rebuilds a
SQLite table for most ``AlterField``/``AddField`` operations and drops its triggers with it: a later
migration that alters ``registry_business`` on SQLite must call ``install(schema_editor)`` again
(``test_search`` fails if the triggers are missing). See docs/decisions/0004-chinese-search.md.
"""

from __future__ import annotations

from django.db import NotSupportedError, connections
from django.db.models import BooleanField, F, Func, Q, QuerySet

from .models import Business

FTS_TABLE = "registry_business_search"
POSITIONS_TABLE = "registry_search_position"
# SQLite cannot use a recursive CTE inside a trigger; bigram positions come from this table instead.
# CharField max_length is at most 255 here; the table covers far longer text.
MAX_INDEXED_CHARS = 4096


def like_q(term: str) -> Q:
    """The search's meaning: what the register list has always matched (case-insensitive LIKE)."""
    return Q(name__icontains=term) | Q(uscc__icontains=term.upper()) | Q(address__icontains=term)


def search_businesses(qs: QuerySet, term: str) -> QuerySet:
    """Businesses in ``qs`` matching ``term`` (exactly ``like_q``), through the bigram index when the
    term has a bigram and the database is PostgreSQL or SQLite."""
    candidates = _candidates(qs, term)
    if candidates is not qs and len(term) == 2:  # the common case: skip LIKE when the index is exact
        return candidates.filter(Q(IndexIsExact(term)) | like_q(term))
    return candidates.filter(like_q(term))


def businesses_named(term: str) -> QuerySet:
    """Businesses whose name contains ``term`` (``name__icontains``), through the index when it can."""
    return _candidates(Business.objects.all(), term).filter(name__icontains=term)


def _candidates(qs: QuerySet, term: str) -> QuerySet:
    vendor = connections[qs.db].vendor
    indexed = vendor == "postgresql" or (vendor == "sqlite" and sqlite_match(term))
    return qs.filter(IndexedCandidates(term)) if len(term) >= 2 and indexed else qs


# --- the query side ----------------------------------------------------------------------------
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _bigrams(text: str) -> dict[str, None]:
    return dict.fromkeys(text[i : i + 2] for i in range(len(text) - 1))


def sqlite_tokens(text: str) -> list[str]:
    """The FTS tokens SQLite's trigger writes for ``text``: hex(bigram of lower(text)), lower = ASCII."""
    return [g.encode("utf-8").hex() for g in _bigrams(text.translate(_ASCII_LOWER))]


def sqlite_match(term: str) -> str:
    """The FTS5 query: every bigram that both ``term`` (name, address) and ``term.upper()`` (USCC)
    must have; "" when there is none (then LIKE alone answers)."""
    upper = set(sqlite_tokens(term.upper()))
    common = [t for t in sqlite_tokens(term) if t in upper]
    return " AND ".join(f'"{t}"' for t in common)


class IndexedCandidates(Func):
    """True for businesses the bigram index says may match ``term``: a superset of ``like_q(term)``."""

    output_field = BooleanField()

    def __init__(self, term: str):
        super().__init__(F("pk"), F("name"), F("uscc"), F("address"))
        self.term = term

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"the register search index is not available on {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra_context):
        columns, params = [], []
        for expression in self.get_source_expressions()[1:]:
            sql, p = compiler.compile(expression)
            columns.append(sql)
            params.extend(p)
        # the left side is the indexed expression, verbatim; the right side is folded at plan time
        sql = f"registry_business_bigrams({', '.join(columns)}) @@ registry_query_bigrams(%s, %s)"
        return sql, (*params, self.term, self.term.upper())

    def as_sqlite(self, compiler, connection, **extra_context):
        pk, params = compiler.compile(self.get_source_expressions()[0])
        sql = f"{pk} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"  # noqa: S608
        return sql, (*params, sqlite_match(self.term))


class IndexIsExact(Func):
    """A constant: true when the two-character ``term`` is one bigram in the index's case fold, for
    the name/address side and the USCC side (``term.upper()``) alike. Then a row holds that bigram
    exactly when one of its fields contains the term as LIKE means it, and the candidates need no
    LIKE. The database decides it with its own ``upper``/``lower`` and folds ``TRUE OR LIKE...`` away
    (PostgreSQL at plan time; SQLite evaluates the constant side first)."""

    output_field = BooleanField()

    def __init__(self, term: str):
        super().__init__()
        self.term = term

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"the register search index is not available on {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra_context):
        sql = "(upper(%s) = upper(%s) AND char_length(upper(%s)) = 2)"
        return sql, (self.term, self.term.upper(), self.term)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql = "(lower(%s) = lower(%s) AND length(%s) = 2 AND length(%s) = 2)"
        return sql, (self.term, self.term.upper(), self.term, self.term.upper())


# --- the index side (installed by migration 0003) ------------------------------------------------
# PostgreSQL: the bigrams of upper(field) as a tsvector whose lexemes are the bigrams verbatim
# (array_to_tsvector: no parser, no dictionary), and the term as a tsquery of quoted lexemes: every
# bigram of upper(term), or every bigram of upper(term.upper()). GIN answers a plain &/| tsquery without
# rechecking the row (it rechecks array containment, which would recompute every candidate's bigrams).
# Self-contained (only pg_catalog functions): PostgreSQL runs index expressions with a restricted
# search_path during maintenance.
POSTGRES_INSTALL = [
    r"""
    CREATE OR REPLACE FUNCTION registry_business_bigrams(name text, uscc text, address text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT array_to_tsvector(coalesce(array_agg(substr(u, i, 2)), '{}'))
        FROM unnest(ARRAY[upper(name), upper(uscc), upper(address)]) AS u,
             generate_series(1, length(u) - 1) AS i
    $$
    """,
    r"""
    CREATE OR REPLACE FUNCTION registry_query_bigrams(term text, term_upper text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT string_agg(conjunction, ' | ')::tsquery FROM (
            SELECT '(' || string_agg(
                DISTINCT '''' || replace(replace(substr(s, i, 2), '\', '\\'), '''', '''''') || '''', ' & '
            ) || ')' AS conjunction
            FROM (SELECT DISTINCT upper(x) AS s FROM unnest(ARRAY[term, term_upper]) AS x) AS t,
                 generate_series(1, length(s) - 1) AS i
            GROUP BY s
        ) AS conjunctions
    $$
    """,
    "CREATE INDEX IF NOT EXISTS registry_business_bigrams_gin ON registry_business "
    "USING gin (registry_business_bigrams(name, uscc, address))",
]
POSTGRES_UNINSTALL = [
    "DROP INDEX IF EXISTS registry_business_bigrams_gin",
    "DROP FUNCTION IF EXISTS registry_business_bigrams(text, text, text)",
    "DROP FUNCTION IF EXISTS registry_query_bigrams(text, text)",
]


# SQL built from the constants above only (no input reaches it), hence the S608 exemptions.
def _tokens(row: str) -> str:
    """SQL for the space-separated tokens of ``row`` (NEW, OLD or a table alias): see ``sqlite_tokens``."""
    return (
        "(SELECT coalesce(group_concat(hex(substr(f.v, p.i, 2)), ' '), '') FROM "  # noqa: S608
        f"(SELECT lower({row}.name) AS v UNION ALL SELECT lower({row}.uscc) UNION ALL SELECT lower({row}.address))"
        f" AS f JOIN {POSITIONS_TABLE} AS p ON p.i < length(f.v))"
    )


def _fts_add(row: str) -> str:
    return f"INSERT INTO {FTS_TABLE} (rowid, bigrams) VALUES ({row}.id, {_tokens(row)});"  # noqa: S608


def _fts_forget(row: str) -> str:
    """A contentless FTS table forgets a row when it is told the tokens it was given."""
    return f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, bigrams) VALUES ('delete', {row}.id, {_tokens(row)});"  # noqa: S608


SQLITE_TRIGGERS = {
    "registry_business_search_insert": f"AFTER INSERT ON registry_business BEGIN {_fts_add('NEW')} END",
    "registry_business_search_update": (
        "AFTER UPDATE OF id, name, uscc, address ON registry_business WHEN OLD.id IS NOT NEW.id "
        "OR OLD.name IS NOT NEW.name OR OLD.uscc IS NOT NEW.uscc OR OLD.address IS NOT NEW.address "
        f"BEGIN {_fts_forget('OLD')} {_fts_add('NEW')} END"
    ),
    "registry_business_search_delete": f"AFTER DELETE ON registry_business BEGIN {_fts_forget('OLD')} END",
}
SQLITE_INSTALL = [
    f"CREATE TABLE IF NOT EXISTS {POSITIONS_TABLE} (i INTEGER PRIMARY KEY)",
    f"INSERT OR IGNORE INTO {POSITIONS_TABLE} (i) WITH RECURSIVE n(i) AS "  # noqa: S608
    f"(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MAX_INDEXED_CHARS}) SELECT i FROM n",
    # contentless, rowids only (detail=none): the index answers "which rows hold every token", nothing more
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(bigrams, content='', detail='none', columnsize=0, tokenize='ascii')",
    f"INSERT INTO {FTS_TABLE} (rowid, bigrams) SELECT b.id, {_tokens('b')} FROM registry_business AS b",  # noqa: S608
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    *(f"CREATE TRIGGER {name} {body}" for name, body in SQLITE_TRIGGERS.items()),
]
SQLITE_UNINSTALL = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    f"DROP TABLE IF EXISTS {POSITIONS_TABLE}",
]


def install(schema_editor) -> None:
    """Create (or re-create, and refill) the search index for the current rows. Idempotent."""
    sql = {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}.get(schema_editor.connection.vendor, [])
    for statement in sql:
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor) -> None:
    sql = {"sqlite": SQLITE_UNINSTALL, "postgresql": POSTGRES_UNINSTALL}.get(schema_editor.connection.vendor, [])
    for statement in sql:
        schema_editor.execute(statement, params=None)
