"""The full-text query of each database: SQLite FTS5 and PostgreSQL text search.

Searches with filters and their counts per filter value are answered here from the search
tables alone, without joining the records. Each document's filter values are words of a
third indexed field, `filter_terms` (`kindpractice countryse sizeunder2000 theme12 sdg9`),
so that the text and the filters are one lookup in the full-text index. No query word
matches a filter word (SQLite: text queries name the text fields; PostgreSQL: words that look
like filter words are restricted to the text weights), and filter words score nothing.
"""

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from django.db import connection

from . import counts
from .queries import COLUMN_FILTERS, TAG_FILTERS, fts5_query, of_kind, tsquery

# ts_rank weights for D, C, B, A: filter words (D) score nothing.
_PG_WEIGHTS = "'{0, 0, 0.4, 1.0}'"


def _kind_read(filters: dict, within_kind: bool) -> str | None:
    """The kind whose documents alone a search reads (see `facet_counts`), if any."""
    return filters.get("kind") if within_kind else None


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ranked_sql(groups, words, prefix_last: bool) -> tuple[str, list]:
    """(document id, record id, score) best first; LIMIT and OFFSET to be added."""
    if connection.vendor == "postgresql":
        # Ranked by the text alone: ts_rank would give 0 to an AND with a weight-0 word.
        return (
            f"SELECT d.id, d.object_id, ts_rank({_PG_WEIGHTS}, d.vector, r) AS score "  # noqa: S608
            "FROM search_searchdocument d, to_tsquery('simple', %s) q, "
            "to_tsquery('simple', %s) r WHERE d.vector @@ q ORDER BY score DESC, d.id",
            [tsquery(groups, prefix_last, words), tsquery(groups, prefix_last)],
        )
    # The page is chosen inside the full-text index; only its rows are read from the table.
    return (
        "SELECT d.id, d.object_id, -m.score FROM ("
        "SELECT rowid AS id, bm25(search_fts, 5.0, 1.0, 0.0) AS score FROM search_fts "
        "WHERE search_fts MATCH %s ORDER BY score, rowid LIMIT %s OFFSET %s"
        ") m JOIN search_searchdocument d ON d.id = m.id ORDER BY m.score, d.id",
        [fts5_query(groups, prefix_last, words)],
    )


def _page(sql: str, params: list, limit: int, offset: int) -> list[tuple]:
    if connection.vendor == "postgresql":
        return _rows(f"{sql} LIMIT %s OFFSET %s", [*params, int(limit), int(offset)])
    return _rows(sql, [*params, int(limit), int(offset)])


def match(
    groups: list[list[str]],
    *,
    kinds: list[str] | None = None,
    prefix_last: bool = False,
    limit: int | None = None,
) -> list[tuple[int, float]]:
    """Document ids matching every query word (of one of `kinds`), best first, with scores.

    The terms come from `analysis.query_groups`, so they are words of letters and digits
    only: nothing in them can break the query syntax of either engine.
    """
    if not groups:
        return []
    rows = []
    for kind in kinds or [None]:
        sql, params = _ranked_sql(groups, [f"kind{kind}"] if kind else [], prefix_last)
        rows += _page(sql, params, limit or 10**9, 0)
    rows.sort(key=lambda row: (-row[2], row[0]))
    return [(row[0], row[2]) for row in (rows[:limit] if limit else rows)]


def ranked(
    groups: list[list[str]],
    filters: dict,
    *,
    limit: int,
    offset: int = 0,
    within_kind: bool = False,
) -> list[tuple[int, int, float]]:
    """(document id, record id, score) of one page of the filtered matches, best first.

    The matches that pass the filters are chosen in memory (see `counts`); only they are
    scored, and only one page of rows is read from the documents table. The filters are
    not words of this query: FTS5's BM25 first counts the documents of every word of its
    query, which for a filter word means reading a list of up to 300,000 documents.

    When every word of the query names themes, some matches may hold none of them: found
    by their themes alone, they follow those that hold a word, ranked by the words of those
    themes' labels (a practice tagged "School canteens" that speaks of school canteens comes
    before one that only carries the tag, for `skolmat`); they are scored only when a page
    reaches them.

    `within_kind`: the matches are read for the kind filtered by alone, as the counts of
    the same search were (see `facet_counts`), so both share them.
    """
    if not groups:
        return []
    kind = _kind_read(filters, within_kind)
    found = counts.matches(groups, kind=kind)
    chosen = found.values.select(found.ids, filters)
    if not len(chosen):
        return []
    if not found.plan.named:
        every = len(chosen) == len(found.ids)
        return _scored(
            groups, chosen, values=found.values, every=every, kind=kind, limit=limit, offset=offset
        )
    # Any word may be missing from the text of a match found by a theme.
    words = [*found.plan.plain, *(group for group, _themes in found.plan.named)]
    if found.worded is None:
        return _scored(
            words, chosen, values=found.values, any_word=True, limit=limit, offset=offset
        )
    kept = np.isin(chosen, found.worded, assume_unique=True)
    worded, rest = chosen[kept], chosen[~kept]
    rows = []
    if offset < len(worded):
        rows = _scored(
            words, worded, values=found.values, any_word=True, limit=limit, offset=offset
        )
    if len(rows) < limit and len(rest):
        rows += _scored(
            found.plan.expanded,
            rest,
            values=found.values,
            any_word=True,
            some=True,
            limit=limit - len(rows),
            offset=max(0, offset - len(worded)),
        )
    return rows


def _scored(
    groups,
    chosen,
    *,
    values,
    every=False,
    kind=None,
    any_word=False,
    some=False,
    limit: int,
    offset: int,
) -> list[tuple[int, int, float]]:
    """Score the chosen documents by the query words: all of them must hold every word (or,
    with `any_word`, one of them; with `some`, they may hold none and score 0). `every`
    says that they are all the documents that do (of `kind`, when given). `values`: the
    filter values they were chosen by (see counts), which on PostgreSQL say where their
    rows are."""
    if connection.vendor == "postgresql":
        return _pg_scored(groups, chosen, values, every, kind, any_word, limit, offset)
    query = fts5_query(groups, any_word=any_word)
    join = "" if every else _sqlite_chosen(chosen)
    if some:
        # BM25 scores only the documents that hold a word: the others join as 0. The
        # scored ones are worked out once (not once per chosen id) before the join, and
        # CROSS JOIN keeps the chosen ids the outer loop (else SQLite may scan every
        # document and look each up among them: 71 ms instead of 20 for 275 ids).
        return _rows(
            "WITH m AS MATERIALIZED ("  # noqa: S608
            "SELECT search_fts.rowid AS id, bm25(search_fts, 5.0, 1.0, 0.0) AS score "
            f"FROM search_fts {join}WHERE search_fts MATCH %s) "
            "SELECT d.id, d.object_id, -coalesce(m.score, 0) FROM temp.search_chosen c CROSS "
            "JOIN search_searchdocument d ON d.id = c.id LEFT JOIN m ON m.id = c.id "
            "ORDER BY coalesce(m.score, 0), d.id LIMIT %s OFFSET %s",
            [query, int(limit), int(offset)],
        )
    return _rows(
        "SELECT d.id, d.object_id, -m.score FROM ("  # noqa: S608
        "SELECT search_fts.rowid AS id, bm25(search_fts, 5.0, 1.0, 0.0) AS score "
        f"FROM search_fts {join}WHERE search_fts MATCH %s "
        "ORDER BY score, search_fts.rowid LIMIT %s OFFSET %s"
        ") m JOIN search_searchdocument d ON d.id = m.id ORDER BY m.score, d.id",
        [query, int(limit), int(offset)],
    )


def _pg_scored(groups, chosen, values, every, kind, any_word, limit, offset):
    query = tsquery(groups, any_word=any_word)
    rank = f"ts_rank({_PG_WEIGHTS}, d.vector, to_tsquery('simple', %s))"
    order = "ORDER BY score DESC, id LIMIT %s OFFSET %s"
    if every:
        return _rows(
            f"SELECT d.id, d.object_id, {rank} AS score FROM search_searchdocument d "  # noqa: S608
            f"WHERE d.vector @@ to_tsquery('simple', %s){of_kind(kind, 'd.')} {order}",
            [query, query, int(limit), int(offset)],
        )
    if offset >= len(chosen):
        return []
    # The chosen ids are known to match, so their rows are read by where they are (a TID
    # scan): looking each up in the primary key took half as long again (4,910 chosen, run
    # side by side: 17.1 ms against 11.0). A row may have moved since the copy read it
    # (VACUUM FULL, or a write since), and its old place may hold another document: the
    # query also lists the ids it read, and only when they are exactly the chosen ones is
    # its page kept. Otherwise the page is read by id, and, unless a write since explains
    # it, the shared copy starts over to learn where the rows are now. (Checking each
    # row's id in the query, `id = ANY(...)`, doubled the time of the TID scan.)
    places = values.places_of(chosen)
    if places.all():
        rows = _rows(
            f"WITH m AS MATERIALIZED (SELECT d.id, d.object_id, {rank} AS score "  # noqa: S608
            "FROM search_searchdocument d WHERE d.ctid = ANY(%s::tid[])) "
            f"(SELECT id, object_id, score, NULL FROM m {order}) "
            "UNION ALL SELECT NULL, NULL, NULL, string_agg(id::text, ',') FROM m",
            [query, _tids(places), int(limit), int(offset)],
        )
        read = next((row[3] for row in rows if row[0] is None), None) or ""
        read = np.fromstring(read, dtype=np.int64, sep=",") if read else np.zeros(0, np.int64)
        if len(read) == len(chosen) and np.array_equal(np.sort(read), np.sort(chosen)):
            return [row[:3] for row in rows if row[0] is not None]
        counts.shared.moved(values)
    ids = "{" + ",".join(map(str, chosen.tolist())) + "}"
    return _rows(
        f"SELECT d.id, d.object_id, {rank} AS score FROM search_searchdocument d "  # noqa: S608
        f"WHERE d.id = ANY(%s::bigint[]) {order}",
        [query, ids, int(limit), int(offset)],
    )


def _tids(places: np.ndarray) -> str:
    """A PostgreSQL tid[] literal of row places (block << 16 | offset, see counts)."""
    return "{" + ",".join(f'"({place >> 16},{place & 0xFFFF})"' for place in places.tolist()) + "}"


def _sqlite_chosen(chosen) -> str:
    """Put the chosen ids into a temporary table; the JOIN that restricts the matches to them.

    Measured three times faster than `rowid IN (...)`; CROSS JOIN keeps the full-text index
    as the outer loop, so that FTS5 is asked once, not once per id.
    """
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS search_chosen (id INTEGER PRIMARY KEY)")
        cursor.execute("DELETE FROM temp.search_chosen")
        cursor.execute(
            "INSERT INTO temp.search_chosen SELECT value FROM json_each(%s)",
            [json.dumps(chosen.tolist())],
        )
    return "CROSS JOIN temp.search_chosen c ON c.id = search_fts.rowid "


def count(groups: list[list[str]], filters: dict, *, within_kind: bool = False) -> int:
    """How many documents match and pass the filters (nothing is scored)."""
    if not groups:
        return 0
    found = counts.matches(groups, kind=_kind_read(filters, within_kind))
    return len(found.values.select(found.ids, filters))


def facet_counts(
    groups: list[list[str]], filters: dict, *, within_kind: bool = False
) -> tuple[dict[str, Counter], int]:
    """Matches per value of each filter, each counted under all the other active filters, and
    the number of matches under all of them.

    The database lists the ids of the text matches (no filter words, nothing scored); the
    filter values come from the copy in `counts`, so no match is looked up row by row.
    `within_kind`: only the documents of the kind filtered by are read, for a list of one
    kind, which shows no counts per kind (only that kind's is then right).
    """
    if not groups:
        return {name: Counter() for name in (*COLUMN_FILTERS, *TAG_FILTERS)}, 0
    found = counts.matches(groups, kind=_kind_read(filters, within_kind))
    return found.values.counts(found.ids, filters)


@contextmanager
def index_suspended() -> Iterator[None]:
    """Write documents in bulk without updating the full-text index row by row.

    The index is rebuilt once at the end, which is many times faster for a whole rebuild.
    Use inside a transaction.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Every full-text index of the documents (see migrations 0004 and 0009).
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = 'search_searchdocument' "
                "AND indexdef LIKE '% USING gin %'"
            )
            indexes = cursor.fetchall()
            # Deferred foreign-key checks must run before PostgreSQL builds an index.
            statements = ["SET CONSTRAINTS ALL IMMEDIATE"]
            statements += [definition for _name, definition in indexes]
            statements.append("SET CONSTRAINTS ALL DEFERRED")
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'search_searchdocument'"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            statements = ["INSERT INTO search_fts(search_fts) VALUES ('rebuild')"]
            statements += [sql for _name, sql in triggers]
    yield
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
