"""Search on SQLite: a contentless FTS5 table over the documents' terms (see migrations),
kept by triggers, ranked by BM25 with the title weighing five times the body.

The index stores no text; SQLite 3.40's FTS5 deletes a document's entries only when told its
terms, so the documents keep them, the body deflated (`models.TermsField`), and the triggers
inflate it with `search_terms_inflated`, a function every connection is given
(`functions_register`).

The query terms come from `analysis.query_groups`: words of letters and digits only, so
nothing in them can break FTS5's query syntax.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
from django.db import connection

from .models import SearchDocument, terms_deflated, terms_inflated

# FTS5's matches are of every kind: the documents' kinds are not in its index.
KINDS = False
_SCORE = "bm25(search_fts, 5.0, 1.0)"


def _query(groups: list[list[str]], *, prefix_last: bool = False, any_word: bool = False) -> str:
    parts = []
    for n, group in enumerate(groups):
        forms = [f'"{form}"' for form in group]
        if prefix_last and n == len(groups) - 1:
            forms.append(f'"{group[0]}"*')
        parts.append("(" + " OR ".join(forms) + ")")
    return (" OR " if any_word else " AND ").join(parts)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def text_ids(groups: list[list[str]], kind: str | None = None) -> np.ndarray:
    """The ids of the documents whose text holds every word. FTS5 reads them from its index
    without visiting rows, so every kind is listed; the in-memory filters drop the others."""
    found = _rows(
        "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH %s", [_query(groups)]
    )[0][0]
    return np.fromstring(found, dtype=np.int64, sep=",") if found else np.zeros(0, np.int64)


def ids_subquery(ids: np.ndarray) -> tuple[str, list]:
    """SQL selecting these ids, to filter other queries with."""
    return "SELECT value FROM json_each(%s)", [json.dumps(ids.tolist())]


def ranked(
    groups, chosen, *, limit, offset, matches=None, kind=None, any_word=False, unworded=False
) -> list[tuple]:
    """(document id, record id, score) of one page of the chosen documents, best first.

    `matches`: the index's own matches of the words, when known; when the chosen are all of
    them between the smallest and the largest chosen id, FTS5 lists them itself.
    `any_word`: a document needs one word, not all. `unworded`: documents that hold none
    score 0 and come last.
    """
    del kind  # the index knows no kinds: their ids tell them apart
    # FTS5 walks only the chosen ids' range of the index: a list's documents, of one kind,
    # sit together (the scores still count every document).
    where = "search_fts MATCH %s AND search_fts.rowid BETWEEN %s AND %s"
    low, high = int(chosen.min()), int(chosen.max())
    params = [_query(groups, any_word=any_word), low, high]
    every = matches is not None and len(chosen) == np.count_nonzero(
        (matches >= low) & (matches <= high)
    )
    join = "" if every else _chosen_join(chosen)
    if unworded:
        # The scored matches are worked out once, before the join; CROSS JOIN keeps the
        # chosen ids the outer loop (else SQLite may scan every document).
        return _rows(
            f"WITH m AS MATERIALIZED (SELECT search_fts.rowid AS id, {_SCORE} AS score "  # noqa: S608
            f"FROM search_fts {join}WHERE {where}) "
            "SELECT d.id, d.object_id, -coalesce(m.score, 0) FROM temp.search_chosen c CROSS "
            "JOIN search_searchdocument d ON d.id = c.id LEFT JOIN m ON m.id = c.id "
            "ORDER BY coalesce(m.score, 0), d.id LIMIT %s OFFSET %s",
            [*params, int(limit), int(offset)],
        )
    # The page is chosen inside the full-text index; only its rows are read from the table.
    return _rows(
        f"SELECT d.id, d.object_id, -m.score FROM (SELECT search_fts.rowid AS id, {_SCORE} "  # noqa: S608
        f"AS score FROM search_fts {join}WHERE {where} "
        "ORDER BY score, search_fts.rowid LIMIT %s OFFSET %s"
        ") m JOIN search_searchdocument d ON d.id = m.id ORDER BY m.score, d.id",
        [*params, int(limit), int(offset)],
    )


def _chosen_join(chosen: np.ndarray) -> str:
    """Put the chosen ids into a temporary table; the JOIN that restricts the matches to them
    (faster than `rowid IN (...)`). CROSS JOIN keeps the full-text index the outer loop, so
    that FTS5 is asked once, not once per id."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS search_chosen (id INTEGER PRIMARY KEY)")
        cursor.execute("DELETE FROM temp.search_chosen")
        cursor.execute(
            "INSERT INTO temp.search_chosen SELECT value FROM json_each(%s)",
            [json.dumps(chosen.tolist())],
        )
    return "CROSS JOIN temp.search_chosen c ON c.id = search_fts.rowid "


def suggested(groups: list[list[str]], limit: int) -> list[int]:
    """The ids of the best documents holding every word, the last one as a prefix."""
    rows = _rows(
        f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY {_SCORE}, rowid "  # noqa: S608
        "LIMIT %s",
        [_query(groups, prefix_last=True), int(limit)],
    )
    return [row[0] for row in rows]


def index_words() -> list[tuple[str, int]]:
    """Every word of the index, with the number of documents that hold it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocabulary "
            "USING fts5vocab(main, search_fts, 'row')"
        )
        cursor.execute("SELECT term, doc FROM temp.search_vocabulary")
        return cursor.fetchall()


def functions_register(sender, connection, **kwargs) -> None:
    """Give a new SQLite connection the function the triggers read the terms with
    (a `connection_created` receiver, see apps.py)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "search_terms_inflated", 1, terms_inflated, deterministic=True
        )


# Inside `documents_replaced`: the triggers are gone, and `documents_write` fills the index.
_REPLACING: ContextVar[bool] = ContextVar("search_replacing", default=False)


@contextmanager
def documents_replaced() -> Iterator[None]:
    """Empty the documents table and the index to write every document again, without the
    triggers that keep the index row by row (`documents_write` fills it from the terms it is
    given, which it need not inflate again), and refresh the planner's statistics of the
    table at the end. Use inside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'search_searchdocument'"
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        # Without triggers, SQLite empties a table without visiting its rows.
        cursor.execute("DELETE FROM search_searchdocument")
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
    token = _REPLACING.set(True)
    try:
        yield
    finally:
        _REPLACING.reset(token)
    with connection.cursor() as cursor:
        for _name, sql in triggers:
            cursor.execute(sql)
        cursor.execute("ANALYZE search_searchdocument")


_COLUMNS = ["id", *(f.attname for f in SearchDocument._meta.concrete_fields if not f.primary_key)]
_TITLE, _BODY = _COLUMNS.index("title_terms"), _COLUMNS.index("body_terms")
_INSERT = (
    f"INSERT INTO search_searchdocument ({', '.join(_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
)


def documents_write(documents: list[dict]) -> int:
    """Write documents (their fields; those a kind lacks are empty) with one executemany:
    Django's bulk_create spends more time building the SQL than SQLite spends inserting.
    During a rebuild the index entries are written here, with ids taken from the table's
    sequence (AUTOINCREMENT: never one used before; the rebuild's transaction holds the
    write lock); otherwise SQLite draws the ids and the triggers write the entries."""
    rows = [[d.get(name, "") for name in _COLUMNS] for d in documents]
    with connection.cursor() as cursor:
        if _REPLACING.get():
            cursor.execute(
                "SELECT coalesce(max(seq), 0) FROM sqlite_sequence "
                "WHERE name = 'search_searchdocument'"
            )
            first = cursor.fetchone()[0] + 1
            for n, row in enumerate(rows):
                row[0] = first + n
            cursor.executemany(
                "INSERT INTO search_fts(rowid, title_terms, body_terms) VALUES (%s, %s, %s)",
                [(row[0], row[_TITLE], row[_BODY]) for row in rows],
            )
        else:
            for row in rows:
                row[0] = None
        for row in rows:
            if row[_BODY]:
                row[_BODY] = terms_deflated(row[_BODY])
        cursor.executemany(_INSERT, rows)
    return len(documents)
