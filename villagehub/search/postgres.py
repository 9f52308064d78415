"""Search on PostgreSQL: a tsvector column of the documents' terms (title weight A, body B),
made by a trigger that stores the terms written empty, with one GIN index (see migrations),
ranked by ts_rank.

The query terms come from `analysis.query_groups`: words of letters and digits only, so
nothing in them can break the tsquery syntax.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from django.db import connection

from .models import SearchDocument

# The index's matches can be of one kind (`text_ids`, `ranked`).
KINDS = True
# ts_rank weights for D, C, B, A.
_WEIGHTS = "'{0, 0, 0.4, 1.0}'"
_RANK = f"ts_rank({_WEIGHTS}, d.vector, to_tsquery('simple', %s))"
_INDEX = "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)"


def _query(groups: list[list[str]], *, prefix_last: bool = False, any_word: bool = False) -> str:
    parts = []
    for n, group in enumerate(groups):
        forms = list(group)
        if prefix_last and n == len(groups) - 1:
            forms.append(f"{group[0]}:*")
        parts.append("(" + " | ".join(forms) + ")")
    return (" | " if any_word else " & ").join(parts)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _of_kind(kind: str | None) -> tuple[str, list]:
    return (" AND d.kind = %s", [kind]) if kind else ("", [])


def text_ids(groups: list[list[str]], kind: str | None = None) -> np.ndarray:
    """The ids of the documents (of `kind`) whose text holds every word, parsed from one
    comma-separated string: fetching tens of thousands of rows one by one costs more."""
    where, params = _of_kind(kind)
    found = _rows(
        "SELECT string_agg(d.id::text, ',') FROM search_searchdocument d "  # noqa: S608
        f"WHERE d.vector @@ to_tsquery('simple', %s){where}",
        [_query(groups), *params],
    )[0][0]
    return np.fromstring(found, dtype=np.int64, sep=",") if found else np.zeros(0, np.int64)


def ids_subquery(ids: np.ndarray) -> tuple[str, list]:
    """SQL selecting these ids, to filter other queries with."""
    return "SELECT unnest(%s::bigint[])", [ids.tolist()]


def ranked(
    groups, chosen, *, limit, offset, matches=None, kind=None, any_word=False, unworded=False
) -> list[tuple]:
    """(document id, record id, score) of one page of the chosen documents, best first.

    `matches`: the index's own matches of the words (of `kind`), when known; when the chosen
    are all of them, the index lists them itself. `any_word`: a document needs one word,
    not all. `unworded`: documents that hold none score 0 and come last (ts_rank scores any
    vector, matching or not).
    """
    del unworded
    query = _query(groups, any_word=any_word)
    order = "ORDER BY score DESC, id LIMIT %s OFFSET %s"
    if matches is not None and len(chosen) == len(matches):
        where, params = _of_kind(kind)
        return _rows(
            f"SELECT d.id, d.object_id, {_RANK} AS score FROM search_searchdocument d "  # noqa: S608
            f"WHERE d.vector @@ to_tsquery('simple', %s){where} {order}",
            [query, query, *params, int(limit), int(offset)],
        )
    if offset >= len(chosen):
        return []
    return _rows(
        f"SELECT d.id, d.object_id, {_RANK} AS score FROM search_searchdocument d "  # noqa: S608
        f"WHERE d.id = ANY(%s::bigint[]) {order}",
        [query, chosen.tolist(), int(limit), int(offset)],
    )


def suggested(groups: list[list[str]], limit: int) -> list[int]:
    """The ids of the best documents holding every word, the last one as a prefix."""
    query = _query(groups, prefix_last=True)
    rows = _rows(
        f"SELECT d.id, {_RANK} AS score FROM search_searchdocument d "  # noqa: S608
        "WHERE d.vector @@ to_tsquery('simple', %s) ORDER BY score DESC, d.id LIMIT %s",
        [query, query, int(limit)],
    )
    return [row[0] for row in rows]


def index_words() -> list[tuple[str, int]]:
    """Every word of the index, with the number of documents that hold it."""
    return _rows("SELECT word, ndoc FROM ts_stat('SELECT vector FROM search_searchdocument')", [])


@contextmanager
def documents_replaced() -> Iterator[None]:
    """Empty the documents table to write every document again, without the GIN index,
    built again once at the end, when the planner's statistics of the table are refreshed.
    Use inside a transaction.

    TRUNCATE rather than DELETE: deleted rows keep their space until the transaction ends,
    so the new rows would go after them and the table would double at every rebuild; nor
    does the new table hold dead rows for a VACUUM to clear."""
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_document_vector")
        cursor.execute("TRUNCATE search_searchdocument")
    yield
    with connection.cursor() as cursor:
        # Deferred foreign-key checks must run before PostgreSQL builds an index.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(_INDEX)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("ANALYZE search_searchdocument")


# The columns a bulk write fills; the id and the vector are PostgreSQL's.
_COPIED = [f.attname for f in SearchDocument._meta.concrete_fields if not f.primary_key]


def documents_write(documents: list[dict]) -> int:
    """Write documents (their fields; those a kind lacks are empty) with COPY: Django's
    bulk_create spends more time building the SQL than PostgreSQL spends inserting."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY search_searchdocument ({', '.join(_COPIED)}) FROM STDIN") as copy,
    ):
        for document in documents:
            copy.write_row([document.get(name, "") for name in _COPIED])
    return len(documents)
