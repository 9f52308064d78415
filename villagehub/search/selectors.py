"""The site search page: its filters, its hits with the words found marked, and its groups
of best hits per kind. The search itself is `interface`."""

import html
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from villagehub.communities.models import SIZE_BANDS
from villagehub.core.filters import PlaceFilterForm
from villagehub.taxonomy.models import GOAL_TITLES

from .analysis import is_query_word, query_groups
from .interface import Row, SearchQuery, SearchResults
from .models import SearchDocument

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
    hits = [i for i in word_positions if is_query_word(parts[i], groups)]
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


def _hits(rows: list[Row], groups: list[list[str]]) -> list[Hit]:
    documents = SearchDocument.objects.in_bulk([row.document_id for row in rows])
    return [
        Hit(
            document=documents[i],
            score=score,
            title=highlight(documents[i].title, groups),
            snippet=highlight(documents[i].text, groups, window=SNIPPET_WORDS),
        )
        for i, _record_id, score in rows
        if i in documents
    ]


def search_hits(query: SearchQuery) -> SearchResults:
    """The matches best first as highlighted hits, one page at a time."""
    groups = query_groups(query.text)
    return SearchResults(query, fetch=lambda rows: _hits(rows, groups))


def search_grouped(
    query: SearchQuery, *, hits: SearchResults | None = None
) -> dict[str, dict[str, Any]]:
    """The best few hits of each kind that has matches, with the count of each kind;
    `hits`: the query's (`search_hits`), when the caller has them."""
    if hits is None:
        hits = search_hits(query)
    return {
        facet["value"]: {
            "label": facet["label"],
            "count": facet["count"],
            "hits": hits.of_kind(facet["value"])[:GROUP_SIZE],
        }
        for facet in hits.facets()["kind"]
    }
