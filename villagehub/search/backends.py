"""The full-text query of each database: SQLite FTS5 and PostgreSQL text search.

Searches with filters and their counts per filter value are answered here from the search
tables alone (documents, their tags and the full-text index), without joining the records.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# Filters that are a column of the document, and filters that are tags (themes, goals).
COLUMN_FILTERS = {"kind": "d.kind", "country": "d.country", "size": "d.size_band"}
TAG_FILTERS = ("theme", "sdg")
_TAG_EXISTS = (
    " AND EXISTS (SELECT 1 FROM search_searchtag f"
    " WHERE f.document_id = d.id AND f.facet = %s AND f.value = %s)"
)


def _fts5_query(groups: list[list[str]], prefix_last: bool) -> str:
    parts = []
    for n, group in enumerate(groups):
        forms = [f'"{form}"' for form in group]
        if prefix_last and n == len(groups) - 1:
            forms.append(f'"{group[0]}"*')
        parts.append("(" + " OR ".join(forms) + ")")
    return " AND ".join(parts)


def _tsquery(groups: list[list[str]], prefix_last: bool) -> str:
    parts = []
    for n, group in enumerate(groups):
        forms = list(group)
        if prefix_last and n == len(groups) - 1:
            forms.append(f"{group[0]}:*")
        parts.append("(" + " | ".join(forms) + ")")
    return " & ".join(parts)


def match_subquery(groups: list[list[str]]) -> tuple[str, list[str]]:
    """SQL selecting the ids of matching documents, to filter other queries in the database."""
    if connection.vendor == "postgresql":
        return (
            "SELECT id FROM search_searchdocument WHERE vector @@ to_tsquery('simple', %s)",
            [_tsquery(groups, False)],
        )
    return (
        "SELECT rowid FROM search_fts WHERE search_fts MATCH %s",
        [_fts5_query(groups, False)],
    )


def match(
    groups: list[list[str]],
    *,
    kinds: list[str] | None = None,
    prefix_last: bool = False,
    limit: int | None = None,
) -> list[tuple[int, float]]:
    """Document ids matching every query word, best first, with their scores.

    The terms come from `analysis.query_groups`, so they are words of letters and digits
    only: nothing in them can break the query syntax of either engine.
    """
    if not groups:
        return []
    kind_sql, params = "", []
    if kinds:
        kind_sql = " AND d.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")"
        params = list(kinds)
    limit_sql = f" LIMIT {int(limit)}" if limit else ""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT d.id, ts_rank(d.vector, q) AS score "  # noqa: S608 - placeholders only
            "FROM search_searchdocument d, to_tsquery('simple', %s) q "
            f"WHERE d.vector @@ q{kind_sql} ORDER BY score DESC, d.id{limit_sql}"
        )
        params = [_tsquery(groups, prefix_last), *params]
    else:
        sql = (
            "SELECT d.id, -bm25(search_fts, 5.0, 1.0) AS score "  # noqa: S608
            "FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s{kind_sql} ORDER BY score DESC, d.id{limit_sql}"
        )
        params = [_fts5_query(groups, prefix_last), *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _source(groups: list[list[str]], join: str = "") -> tuple[str, list]:
    """FROM and WHERE of the documents matching every query word (`d`, score `_score`)."""
    if connection.vendor == "postgresql":
        return (
            f"FROM search_searchdocument d {join}, to_tsquery('simple', %s) q WHERE d.vector @@ q",
            [_tsquery(groups, False)],
        )
    # SQLite would otherwise read each matching row of the (wide) table to test the filters.
    return (
        "FROM search_fts JOIN search_searchdocument d INDEXED BY search_document_filters "
        f"ON d.id = search_fts.rowid {join} WHERE search_fts MATCH %s",
        [_fts5_query(groups, False)],
    )


def _score() -> str:
    if connection.vendor == "postgresql":
        return "ts_rank(d.vector, q)"
    return "-bm25(search_fts, 5.0, 1.0)"


def _where(filters: dict, skip: str = "") -> tuple[str, list]:
    sql, params = "", []
    for name, column in COLUMN_FILTERS.items():
        if name in filters and name != skip:
            sql += f" AND {column} = %s"
            params.append(filters[name])
    for name in TAG_FILTERS:
        if name in filters and name != skip:
            sql += _TAG_EXISTS
            params += [name, filters[name]]
    return sql, params


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def ranked(
    groups: list[list[str]], filters: dict, *, limit: int, offset: int = 0
) -> list[tuple[int, int, float]]:
    """(document id, record id, score) of one page of the filtered matches, best first.

    Only the matches that pass the filters are scored, and only one page leaves the database.
    """
    if not groups:
        return []
    source, params = _source(groups)
    where, where_params = _where(filters)
    sql = (
        f"SELECT d.id, d.object_id, {_score()} AS score {source}{where} "
        "ORDER BY score DESC, d.id LIMIT %s OFFSET %s"
    )
    return [tuple(r) for r in _rows(sql, [*params, *where_params, int(limit), int(offset)])]


def count(groups: list[list[str]], filters: dict) -> int:
    """How many documents match and pass the filters (nothing is scored)."""
    if not groups:
        return 0
    source, params = _source(groups)
    where, where_params = _where(filters)
    return _rows(f"SELECT COUNT(*) {source}{where}", [*params, *where_params])[0][0]


def facet_counts(groups: list[list[str]], filters: dict) -> tuple[dict[str, Counter], int]:
    """Matches per value of each filter, each counted under all the other active filters, and
    the number of matches under all of them.

    The column filters come from one grouped count (kind × country × size band) under the
    tag filters, split in Python; the tags from one grouped count per distinct set of
    other filters (one query unless both a theme and a goal are chosen).
    """
    counts: dict[str, Counter] = {name: Counter() for name in (*COLUMN_FILTERS, *TAG_FILTERS)}
    total = 0
    if not groups:
        return counts, total
    source, params = _source(groups)
    tag_filters = {k: v for k, v in filters.items() if k in TAG_FILTERS}
    where, where_params = _where(tag_filters)
    cube = _rows(
        f"SELECT d.kind, d.country, d.size_band, COUNT(*) {source}{where} "
        "GROUP BY d.kind, d.country, d.size_band",
        [*params, *where_params],
    )
    names = list(COLUMN_FILTERS)
    for row in cube:
        values = dict(zip(names, row[:3], strict=True))
        if all(values[n] == filters[n] for n in names if n in filters):
            total += row[3]
        for name in names:
            others = (n for n in names if n != name and n in filters)
            if all(values[n] == filters[n] for n in others):
                counts[name][values[name]] += row[3]

    source, params = _source(groups, join="JOIN search_searchtag t ON t.document_id = d.id")
    if not tag_filters:
        passes = [("", _where(filters))]
    else:
        passes = [(name, _where(filters, skip=name)) for name in TAG_FILTERS]
    for facet, (where, where_params) in passes:
        facet_sql, facet_params = (" AND t.facet = %s", [facet]) if facet else ("", [])
        for name, value, n in _rows(
            f"SELECT t.facet, t.value, COUNT(*) {source}{where}{facet_sql} "
            "GROUP BY t.facet, t.value",
            [*params, *where_params, *facet_params],
        ):
            counts[name][value] = n
    for counter in counts.values():
        counter.pop("", None)
    return counts, total


@contextmanager
def index_suspended() -> Iterator[None]:
    """Write documents in bulk without updating the full-text index row by row.

    The index is rebuilt once at the end, which is many times faster for a whole rebuild.
    Use inside a transaction.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'search_document_vector'"
            )
            # Deferred foreign-key checks must run before PostgreSQL builds an index.
            statements = ["SET CONSTRAINTS ALL IMMEDIATE"]
            statements += [row[0] for row in cursor.fetchall()]
            statements.append("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("DROP INDEX IF EXISTS search_document_vector")
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
