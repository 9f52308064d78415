"""Search: what a search takes and what it gives back. Start reading here.

A search takes a `SearchQuery`: the words typed and the list filters (kind, country, size
band, theme, goal). It gives back, each when asked for: the matches best first as `Row`s
(`search_rows`, or `SearchResults` for a paginator), their number (`search_total`), their
counts per filter value, each under the other active filters (`search_facets`), the records
of one kind that match, for other lists to filter by (`search_record_ids`), title
suggestions (`search_suggest`) and “did you mean” (`search_spelling`). A page that shows
the counts, the number and a page of matches asks one `SearchResults`: the words are looked
up once for all three.

How: each query word becomes its forms in every language (analysis), and finds the
documents tagged with a theme whose label holds it too (synonyms). The database's full-text
engine lists the ids of the text matches (sqlite.py, postgres.py); they are filtered and
counted against each process's in-memory copy of the documents' filter values (counts.py),
and the engine scores one page of the survivors. Documents are written by services.py only.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from types import ModuleType
from typing import NamedTuple

import numpy as np
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language
from django_countries import countries

from villagehub.communities.models import SIZE_BANDS
from villagehub.taxonomy.models import GOAL_TITLES, Theme

from . import postgres, sqlite
from .analysis import query_groups
from .counts import COLUMNS, TAGS, FilterValues, combine, search_state, shared
from .models import SearchDocument
from .spelling import spelling_suggestion
from .synonyms import Plan, plan


@dataclass(frozen=True)
class SearchQuery:
    text: str
    kind: str = ""
    country: str = ""
    size: str = ""
    theme: str = ""  # a theme's slug
    sdg: int | None = None
    # For a list of one kind, which shows no counts per kind: only its documents are read.
    within_kind: bool = False

    @classmethod
    def of(cls, text: str, filters: dict, **fields) -> "SearchQuery":
        """The query of a list page, from its parsed filters (others are ignored)."""
        names = ("kind", "country", "size", "theme", "sdg")
        return cls(text=text or "", **{n: filters[n] for n in names if filters.get(n)} | fields)


class Row(NamedTuple):
    document_id: int
    record_id: int
    score: float


@dataclass(frozen=True)
class _Match:
    """The documents that match a query's words, and how its words were matched."""

    plan: Plan
    ids: np.ndarray
    # Of them, those whose text holds a word of the query; None when all of them do.
    worded: np.ndarray | None


def engine() -> ModuleType:
    """The full-text engine of the database in use (sqlite.py or postgres.py)."""
    return postgres if connection.vendor == "postgresql" else sqlite


def _database() -> tuple[str, str]:
    return connection.alias, connection.settings_dict["NAME"]


@lru_cache(maxsize=1)
def _kept_themes(database: tuple, state: tuple) -> tuple[Theme, ...]:
    return tuple(Theme.objects.all())


def _themes(state: tuple | None) -> tuple[Theme, ...]:
    """Every theme, read again when the themes' table or the documents' epoch changes
    (`state` from `search_state()`; None inside a transaction: read each time)."""
    if state is None:
        return tuple(Theme.objects.all())
    return _kept_themes(_database(), state[1:])


def _filters(query: SearchQuery, state: tuple | None) -> dict:
    """The query's filters in the values the copy holds (a theme by its id)."""
    out: dict[str, str | int | None] = {
        "kind": query.kind,
        "country": query.country.upper(),
        "size": query.size,
    }
    if query.kind not in SearchDocument.Kind.values:
        out["kind"] = ""
    out["sdg"] = int(query.sdg) if query.sdg else None
    if query.theme:
        out["theme"] = next((t.pk for t in _themes(state) if t.slug == query.theme), 0)
    return {name: value for name, value in out.items() if value or name == "theme"}


def _match(
    groups: tuple, kind: str | None, themes: tuple, state: tuple | None
) -> tuple[FilterValues, _Match]:
    """Every word in the text or, for a word that names themes, in the text or as a tag."""
    found = plan([list(group) for group in groups], themes)
    texts = [engine().text_ids(part, kind) for part in found.text_parts()]
    values = shared.current(state)
    if not all(map(values.holds, texts)):
        # Documents written since `state` was read: the copy is brought up to date after the
        # ids were read, so that it holds all of them.
        values = shared.current()
    return values, _Match(found, *combine(values, found, texts))


@lru_cache(maxsize=16)
def _kept_match(groups: tuple, kind: str | None, database: tuple, state: tuple) -> _Match:
    """The match of the last few searches, each kept with the state it was read in: the
    counts, the page and the next pages of one search share one full-text match."""
    return _match(groups, kind, _themes(state), state)[1]


class _Found(NamedTuple):
    values: FilterValues  # the copy to filter the match by
    match: _Match
    state: tuple | None  # the state they were read in; None inside a transaction


def _matching(query: SearchQuery) -> _Found | None:
    """The query's match, with the copy and the themes as of the same state; None for a
    query without words. Inside a transaction (which may see its own writes) nothing is
    kept."""
    groups = tuple(map(tuple, query_groups(query.text)))
    kind = query.kind if query.within_kind else None
    if not groups:
        return None
    if connection.in_atomic_block:
        values, match = _match(groups, kind, _themes(None), None)
        return _Found(values, match, None)
    state = search_state()
    return _Found(shared.current(state), _kept_match(groups, kind, _database(), state), state)


def search_total(query: SearchQuery) -> int:
    """How many documents match and pass the filters (nothing is scored)."""
    return SearchResults(query).count()


def search_rows(query: SearchQuery, *, limit: int, offset: int = 0) -> list[Row]:
    """One page of the matches that pass the filters, best first (see `_rows`)."""
    return _rows(query, _matching(query), limit=limit, offset=offset)


def _rows(query: SearchQuery, found: _Found | None, *, limit: int, offset: int) -> list[Row]:
    """One page of the matches that pass the filters, best first.

    The filters choose in memory; only the chosen are scored. When every word names themes,
    those found by their themes alone follow those whose text holds a word, ranked by the
    words of those themes' labels (a practice tagged "School canteens" that speaks of school
    canteens comes before one that only carries the tag, for `skolmat`).
    """
    if found is None:
        return []
    match, values, filters = found.match, found.values, _filters(query, found.state)
    chosen = values.select(match.ids, filters)
    if not len(chosen):
        return []
    ranked, plain, named = engine().ranked, match.plan.plain, match.plan.named
    kind = filters.get("kind") or None
    if not named:
        listed = _listed(values, match.ids, kind)
        rows = ranked(plain, chosen, matches=listed, kind=kind, limit=limit, offset=offset)
        return [Row(*row) for row in rows]
    # Any word may be missing from the text of a match found by a theme.
    words = [*plain, *(group for group, _themes in named)]
    worded, rest, matches = chosen, chosen[:0], None
    if match.worded is not None:
        holds = np.isin(chosen, match.worded, assume_unique=True)
        worded, rest = chosen[holds], chosen[~holds]
        # One word: its text matches are the index's own matches of its forms.
        matches = _listed(values, match.worded, kind) if len(named) == 1 else None
    rows = []
    if offset < len(worded):
        rows = ranked(
            words, worded, any_word=True, matches=matches, kind=kind, limit=limit, offset=offset
        )
    if len(rows) < limit and len(rest):
        rows += ranked(
            match.plan.expanded,
            rest,
            any_word=True,
            unworded=True,
            limit=limit - len(rows),
            offset=max(0, offset - len(worded)),
        )
    return [Row(*row) for row in rows]


def _listed(values: FilterValues, matches: np.ndarray, kind: str | None) -> np.ndarray:
    """The text matches as the engine lists them for a list of `kind`: of that kind alone
    when its index tells kinds apart (PostgreSQL), of every kind when not (SQLite)."""
    return values.select(matches, {"kind": kind}) if kind and engine().KINDS else matches


class SearchResults(Sequence):
    """The matches best first, read one page at a time, for a paginator: it asks for the
    count (counted, nothing scored) and one slice (one page scored); `fetch` turns the rows
    into what the page shows. The full-text match is read once for the counts per filter
    value (`facets`), the count and the pages."""

    def __init__(self, query: SearchQuery, *, fetch: Callable = list):
        self.query, self.fetch = query, fetch
        self._count: int | None = None
        self._facets: dict | None = None

    @cached_property
    def found(self) -> _Found | None:
        return _matching(self.query)

    # Django's Paginator asks `count()` with no argument, unlike `Sequence.count(value)`.
    def count(self) -> int:  # type: ignore[override]
        if self._count is None:
            self._count = 0
            if (found := self.found) is not None:
                chosen = found.values.select(found.match.ids, _filters(self.query, found.state))
                self._count = len(chosen)
        return self._count

    def facets(self) -> dict:
        """Its counts per filter value (see `search_facets`); their total is its count."""
        if self._facets is None:
            self._facets = _facets(self.query, self.found)
            self._count = self._facets["total"]
        return dict(self._facets)

    def of_kind(self, kind: str) -> "SearchResults":
        """Its matches of one kind, from the same match when it was read for every kind."""
        results = SearchResults(replace(self.query, kind=kind), fetch=self.fetch)
        if not self.query.within_kind:
            results.found = self.found
        return results

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(self.count())
        if stop <= start:
            return []
        return self.fetch(_rows(self.query, self.found, limit=stop - start, offset=start))


def search_facets(query: SearchQuery) -> dict:
    """Matches per value of each filter, each counted under all the other active filters, as
    the list pages show them (with their labels), and the number under all of them
    (`total`). Without text: every document of the query's kind."""
    return SearchResults(query).facets()


@lru_cache(maxsize=1024)
def _country_name(code: str, language: str | None) -> str:
    """A country's name in the active language, which the caller passes as `language` only
    so that the cache keeps one name per language (the lookup itself reads the active one).
    """
    return str(countries.name(code))


def _facets(query: SearchQuery, found: _Found | None) -> dict:
    state = None
    if not query.text and query.kind:
        state = None if connection.in_atomic_block else search_state()
        values = shared.current(state)
        counts, total = values.counts(values.of_kind(query.kind), _filters(query, state))
    elif found is None:
        counts, total = {name: Counter() for name in (*COLUMNS, *TAGS)}, 0
    else:
        state = found.state
        counts, total = found.values.counts(found.match.ids, _filters(query, state))
    return {
        "total": total,
        "kind": [
            {"value": value, "label": label, "count": counts["kind"][value]}
            for value, label in SearchDocument.Kind.choices
            if counts["kind"][value]
        ],
        "country": sorted(
            (
                {"value": code.lower(), "label": _country_name(code, get_language()), "count": n}
                for code, n in counts["country"].items()
            ),
            key=lambda f: str(f["label"]),
        ),
        "theme": [
            {"value": t.slug, "theme": t, "count": counts["theme"][t.pk]}
            for t in (_themes(state) if counts["theme"] else ())
            if counts["theme"][t.pk]
        ],
        "sdg": [
            {"value": n, "label": GOAL_TITLES[n], "count": counts["sdg"][n]}
            for n in sorted(counts["sdg"])
            if n in GOAL_TITLES
        ],
        "size": [
            {"value": band, "label": label, "count": counts["size"][band]}
            for band, (label, _low, _high) in SIZE_BANDS.items()
            if counts["size"][band]
        ],
    }


def search_record_ids(query: SearchQuery) -> QuerySet:
    """The ids of the records of the query's kind whose documents match its words, as a
    subquery for other lists to filter by (its other filters are theirs to apply)."""
    if (found := _matching(query)) is None:
        return SearchDocument.objects.none().values("object_id")
    sql, params = engine().ids_subquery(found.match.ids)
    # The SQL is fixed; the ids travel as one parameter.
    matching = RawSQL(sql, params)  # noqa: S611
    return SearchDocument.objects.filter(kind=query.kind, pk__in=matching).values("object_id")


def search_suggest(text: str, *, limit: int = 8) -> list[dict]:
    """The best few documents holding the words, the last one a prefix: title, kind, URL."""
    groups = query_groups(text)
    ids = engine().suggested(groups, limit) if groups else []
    documents = SearchDocument.objects.in_bulk(ids)
    return [
        {"title": documents[i].title, "kind": documents[i].kind, "url": documents[i].url}
        for i in ids
        if i in documents
    ]


def search_spelling(text: str) -> str | None:
    """“Did you mean”: the query with its words that no document holds replaced by the
    closest ones that some do (see spelling); None when there are none to replace."""
    return spelling_suggestion(text, index_words=engine().index_words, state=search_state()[1:3])
