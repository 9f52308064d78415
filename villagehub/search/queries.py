"""How the words of a query become full-text queries of each database (SQLite FTS5,
PostgreSQL text search), and the filter words each document carries (`filter_terms`).

Both the ranking (backends) and the in-memory counts (counts) build their SQL from here, so
neither needs the other to plan a query.
"""

import re
from dataclasses import dataclass

from django.db import connection

from .models import SearchDocument
from .synonyms import themes_named

# Filters that are a column of the document, and filters that are tags (themes, goals).
COLUMN_FILTERS = ("kind", "country", "size")
TAG_FILTERS = ("theme", "sdg")
# Every word that `filter_terms` may write (and some more).
_FILTER_WORD = re.compile(r"^(kind[a-z]+|country[a-z]{2}|size[a-z0-9]+|theme\d+|sdg\d+)$")


def filter_terms(*, kind: str, country: str, size_band: str, tags) -> str:
    """The filter words of a document (or a query): letters and digits only, one per value."""
    words = [f"kind{kind}"] if kind else []
    if country:
        words.append(f"country{country.lower()}")
    if size_band:
        words.append("size" + size_band.replace("-", ""))
    words += [f"{facet}{value}" for facet, value in tags]
    return " ".join(words)


def fts5_query(
    groups: list[list[str]],
    prefix_last: bool = False,
    filters: list[str] = (),
    *,
    any_word: bool = False,
    themes: list[frozenset[int]] = (),
) -> str:
    # Naming the text columns makes FTS5 read every match's positions (measured: four times
    # slower), so a group is restricted to them only when one of its forms could be mistaken
    # for a filter word; a prefix could complete to one, so it always is.
    parts = []
    for n, group in enumerate(groups):
        forms = [f'"{form}"' for form in group]
        restrict = any(_FILTER_WORD.match(form) for form in group)
        if prefix_last and n == len(groups) - 1:
            forms.append(f'"{group[0]}"*')
            restrict = True
        part = "(" + " OR ".join(forms) + ")"
        part = "{title_terms body_terms} : " + part if restrict else part
        # A word that names themes also matches their documents, by their filter words.
        if n < len(themes) and themes[n]:
            tags = (f'filter_terms : "theme{theme}"' for theme in sorted(themes[n]))
            part = "(" + " OR ".join([part, *tags]) + ")"
        parts.append(part)
    if any_word:
        parts = ["(" + " OR ".join(parts) + ")"]
    return " AND ".join([*parts, *(f'filter_terms : "{word}"' for word in filters)])


def tsquery(
    groups: list[list[str]],
    prefix_last: bool = False,
    filters: list[str] = (),
    *,
    any_word: bool = False,
    themes: list[frozenset[int]] = (),
) -> str:
    # A weight makes PostgreSQL recheck every match against its stored vector (measured: three
    # times slower), so text words are restricted to the text (A, B) only when they could be
    # mistaken for a filter word.
    parts = []
    for n, group in enumerate(groups):
        forms = [f"{form}:AB" if _FILTER_WORD.match(form) else form for form in group]
        if prefix_last and n == len(groups) - 1:
            forms.append(f"{group[0]}:*AB")
        if n < len(themes):
            forms += [f"theme{theme}" for theme in sorted(themes[n])]
        parts.append("(" + " | ".join(forms) + ")")
    if any_word:
        parts = ["(" + " | ".join(parts) + ")"]
    return " & ".join([*parts, *filters])


@dataclass(frozen=True)
class Plan:
    """How the words of a query are matched: each of `plain` by the text alone; each of
    `named` by the text or by the themes it names (see synonyms)."""

    plain: list[list[str]]
    named: list[tuple[list[str], frozenset[int]]]
    # Each word that names themes, with the words of those themes' labels.
    expanded: list[list[str]]


def plan(groups: list[list[str]]) -> Plan:
    found = Plan(plain=[], named=[], expanded=[])
    for group, (themes, words) in zip(groups, themes_named(groups), strict=True):
        if themes:
            found.named.append((group, themes))
            found.expanded.append(sorted({*group, *words}))
        else:
            found.plain.append(group)
    return found


def match_subquery(groups: list[list[str]], found: Plan | None = None) -> tuple[str, list[str]]:
    """SQL selecting the ids of matching documents, to filter other queries in the database:
    every word in the text or, for a word that names themes, a tag of one of them (matched
    by the filter words of the documents, see `filter_terms`). `found`: the query's plan,
    when made already."""
    found = found or plan(groups)
    groups = [*found.plain, *(group for group, _themes in found.named)]
    themes = [frozenset()] * len(found.plain) + [themes for _group, themes in found.named]
    if connection.vendor == "postgresql":
        return (
            "SELECT id FROM search_searchdocument WHERE vector @@ to_tsquery('simple', %s)",
            [tsquery(groups, themes=themes)],
        )
    return (
        "SELECT rowid FROM search_fts WHERE search_fts MATCH %s",
        [fts5_query(groups, themes=themes)],
    )


def text_queries(found: Plan, kind: str | None = None) -> list[tuple[str, list[str]]]:
    """SQL listing, as one comma-separated string, the ids of the documents whose text holds
    every plain word (when there are any) and then, for each word that names themes, the
    plain words and that one; with their parameters. Nothing is filtered or scored: fetching
    tens of thousands of rows one by one costs more than the match.

    `kind`: only documents of that kind are needed. PostgreSQL then asks the GIN index of
    practices alone (migration 0009) and visits no other kind's rows; FTS5 reads ids from
    its index without visiting rows, so SQLite lists them all (the filters drop the others).
    """
    parts = [found.plain] if found.plain else []
    parts += [[*found.plain, group] for group, _themes in found.named]
    if connection.vendor == "postgresql":
        sql = (
            "SELECT string_agg(id::text, ',') FROM search_searchdocument "  # noqa: S608
            f"WHERE vector @@ to_tsquery('simple', %s){of_kind(kind)}"
        )
        return [(sql, [tsquery(groups)]) for groups in parts]
    sql = "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH %s"
    return [(sql, [fts5_query(groups)]) for groups in parts]


def of_kind(kind: str | None, table: str = "") -> str:
    """The SQL condition restricting documents to one kind (nothing when none is given). A
    literal, not a parameter, so that PostgreSQL's planner can match the index of practices
    (migration 0009); only the kinds' own names are written into it."""
    if kind not in SearchDocument.Kind.values:
        return ""
    return f" AND {table}kind = '{kind}'"
