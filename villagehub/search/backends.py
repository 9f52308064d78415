"""The full-text query of each database: SQLite FTS5 and PostgreSQL text search."""

from django.db import connection


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
