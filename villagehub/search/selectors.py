import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from villagehub.communities.models import SIZE_BANDS
from villagehub.core.filters import PlaceFilterForm
from villagehub.taxonomy.models import GOAL_TITLES, Theme

from . import backends
from . import counts as filter_counts
from .analysis import matches, query_groups
from .backends import match
from .models import SearchDocument
from .queries import match_subquery
from .spelling import spelling_suggestion

GROUP_SIZE = 5
SNIPPET_WORDS = 30
_TOKEN = re.compile(r"(\w+)", re.UNICODE)


class SearchFilterForm(PlaceFilterForm):
    """The filters of the list pages, for every kind of result."""

    q = None  # the search box is read by the view, with its own limits
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=SearchDocument.Kind.choices)
    sdg = forms.TypedChoiceField(
        label=_("Agenda 2030 goal"),
        required=False,
        coerce=int,
        choices=[(n, n) for n in GOAL_TITLES],
    )
    size = forms.ChoiceField(
        label=_("Community size"),
        required=False,
        choices=[(k, label) for k, (label, _low, _high) in SIZE_BANDS.items()],
    )


@dataclass(frozen=True)
class Hit:
    document: SearchDocument
    score: float
    snippet: SafeString
    title: SafeString


def highlight(text: str, groups: list[list[str]], *, window: int | None = None) -> SafeString:
    """The text (or a window of it around the first match) with matching words marked."""
    parts = _TOKEN.split(text or "")
    word_positions = list(range(1, len(parts), 2))
    hits = [i for i in word_positions if matches(parts[i], groups)]
    if window and len(word_positions) > window:
        first = word_positions.index(hits[0]) if hits else 0
        start = max(0, first - window // 3)
        chosen = word_positions[start : start + window]
        lo, hi = chosen[0], chosen[-1]
        prefix = "… " if start > 0 else ""
        suffix = " …" if chosen[-1] != word_positions[-1] else ""
        parts = [prefix, *parts[lo : hi + 1], suffix]
        hits_set = {i - lo + 1 for i in hits if lo <= i <= hi}
    else:
        hits_set = set(hits)
    out = []
    for n, part in enumerate(parts):
        escaped = html.escape(part)
        out.append(f"<mark>{escaped}</mark>" if n in hits_set else escaped)
    return mark_safe("".join(out))  # noqa: S308 - every piece was escaped above


class RankedResults(Sequence):
    """The matches of a query under filters, best first, read one page at a time.

    A paginator asks for the count (counted without scoring) and one slice (scored in the
    database, one page returned); `fetch` turns (document id, record id, score) rows into
    what the page shows.
    """

    def __init__(
        self,
        *,
        groups: list[list[str]],
        filters: dict,
        fetch,
        count: int | None = None,
        within_kind: bool = False,
    ):
        self.groups, self.filters, self.fetch = groups, filters, fetch
        self._count = count
        self.within_kind = within_kind

    def count(self) -> int:
        if self._count is None:
            self._count = backends.count(self.groups, self.filters, within_kind=self.within_kind)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(self.count())
        if stop <= start:
            return []
        return self.fetch(
            backends.ranked(
                self.groups,
                self.filters,
                limit=stop - start,
                offset=start,
                within_kind=self.within_kind,
            )
        )


def _hits(rows: list[tuple[int, int, float]], groups) -> list[Hit]:
    documents = SearchDocument.objects.in_bulk([row[0] for row in rows])
    return [
        Hit(
            document=documents[i],
            score=score,
            title=highlight(documents[i].title, groups),
            snippet=highlight(documents[i].text, groups, window=SNIPPET_WORDS),
        )
        for i, _object_id, score in rows
        if i in documents
    ]


def index_filters(filters: dict) -> dict:
    """List filters (as parsed from a query string) in the values the index stores."""
    out = {}
    if filters.get("kind") in SearchDocument.Kind.values:
        out["kind"] = filters["kind"]
    if filters.get("country"):
        out["country"] = filters["country"].upper()
    if filters.get("size"):
        out["size"] = filters["size"]
    if filters.get("theme"):
        theme = Theme.objects.filter(slug=filters["theme"]).values_list("pk", flat=True)
        out["theme"] = theme.first() or 0
    if filters.get("sdg"):
        out["sdg"] = int(filters["sdg"])
    return out


def search_results(
    *, query: str, filters: dict, fetch=None, count: int | None = None, within_kind=False
) -> RankedResults:
    """Matches of every kind (or of the kind filtered by), best first.

    Each page is shown as highlighted hits, or as whatever `fetch` makes of the rows
    (document id, record id, score): the practice list reads its practices. `count`, when
    the caller knows it already (the facets' total), saves counting again. `within_kind`:
    as for `search_facets`, whose matches the results then share.
    """
    groups = query_groups(query)
    return RankedResults(
        groups=groups,
        filters=index_filters(filters),
        fetch=fetch or (lambda rows: _hits(rows, groups)),
        count=count,
        within_kind=within_kind,
    )


def search_facets(*, query: str, filters: dict, within_kind=False) -> dict[str, list[dict]]:
    """Counts per filter value for a query, as the list pages show them, and the number of
    matches under all the filters (`total`). `within_kind`: for the list of the one kind
    filtered by, which shows no counts per kind; only that kind's documents are read."""
    counts, total = backends.facet_counts(
        query_groups(query), index_filters(filters), within_kind=within_kind
    )
    return _facets(counts, total)


def kind_facets(*, kind: str, filters: dict) -> dict[str, list[dict]]:
    """The same for every document of one kind: a list page without words to search for."""
    values, ids = filter_counts.documents(kind)
    counts, total = values.counts(ids, {**index_filters(filters), "kind": kind})
    return _facets(counts, total)


def _facets(counts: dict, total: int) -> dict[str, list[dict]]:
    themes = list(Theme.objects.all())
    return {
        "total": total,
        "kind": [
            {"value": value, "label": label, "count": counts["kind"][value]}
            for value, label in SearchDocument.Kind.choices
            if counts["kind"][value]
        ],
        "country": sorted(
            (
                {"value": code.lower(), "label": countries.name(code), "count": n}
                for code, n in counts["country"].items()
            ),
            key=lambda f: str(f["label"]),
        ),
        "theme": [
            {"value": t.slug, "theme": t, "count": counts["theme"][t.pk]}
            for t in themes
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


def search_grouped(
    *, query: str, filters: dict | None = None, facets: dict | None = None
) -> dict[str, dict]:
    """The best few results of each kind that has matches, with the count of each kind."""
    filters = filters or {}
    facets = facets or search_facets(query=query, filters=filters)
    groups = query_groups(query)
    result = {}
    for facet in facets["kind"]:
        rows = backends.ranked(
            groups, {**index_filters(filters), "kind": facet["value"]}, limit=GROUP_SIZE
        )
        result[facet["value"]] = {
            "label": facet["label"],
            "count": facet["count"],
            "hits": _hits(rows, groups),
        }
    return result


def search_matching_objects(*, query: str, kind: str):
    """A subquery of the ids of the records of one kind that match, for list filters."""
    from django.db.models.expressions import RawSQL

    groups = query_groups(query)
    if not groups:
        return SearchDocument.objects.none().values("object_id")
    sql, params = match_subquery(groups)
    # The SQL is fixed; the query terms travel as parameters (letters and digits only).
    matching = RawSQL(sql, params)  # noqa: S611
    return SearchDocument.objects.filter(kind=kind, pk__in=matching).values("object_id")


def search_suggest(*, query: str, limit: int = 8) -> list[dict]:
    groups = query_groups(query)
    matched = match(groups, prefix_last=True, limit=limit)
    documents = SearchDocument.objects.in_bulk([i for i, _ in matched])
    return [
        {"title": documents[i].title, "kind": documents[i].kind, "url": documents[i].url}
        for i, _ in matched
        if i in documents
    ]


def search_spelling(*, query: str) -> str | None:
    """“Did you mean”: the query with its words that no document holds replaced by the
    closest ones that some do (see spelling); None when there are none to replace."""
    return spelling_suggestion(query)
