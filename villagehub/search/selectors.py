"""The site search page: its filters, its hits with the words found marked, and its groups
of best hits per kind. The search itself is `interface`."""

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Model
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from villagehub.communities.models import SIZE_BANDS, Community
from villagehub.core.filters import PlaceFilterForm
from villagehub.countries.models import Factsheet
from villagehub.news.models import NewsItem
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice
from villagehub.taxonomy.models import GOAL_TITLES

from .analysis import is_query_word, query_groups
from .interface import Row, SearchQuery, SearchResults
from .models import SearchDocument

GROUP_SIZE = 5
SNIPPET_WORDS = 30
# The text of each kind's records that a hit's snippet is cut from: read from the records of
# the page, as documents do not keep it.
SNIPPET_FIELDS: dict[str, tuple[type[Model], str]] = {
    SearchDocument.Kind.PRACTICE: (Practice, "summary"),
    SearchDocument.Kind.COMMUNITY: (Community, "description"),
    SearchDocument.Kind.ORGANISATION: (Organisation, "description"),
    SearchDocument.Kind.FACTSHEET: (Factsheet, "definition"),
    SearchDocument.Kind.NEWS: (NewsItem, "summary"),
}
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


def _snippet_texts(documents: Iterable[SearchDocument]) -> dict[tuple[str, int], str]:
    """The text of each document's record, by kind and record id: one query per kind."""
    ids = defaultdict(list)
    for document in documents:
        ids[document.kind].append(document.object_id)
    texts: dict[tuple[str, int], str] = {}
    for kind, pks in ids.items():
        model, field = SNIPPET_FIELDS[kind]
        found = model._default_manager.filter(pk__in=pks).values_list("pk", field)
        texts |= {(kind, pk): text for pk, text in found}
    return texts


def _hits(rows: list[Row], groups: list[list[str]]) -> list[Hit]:
    documents = SearchDocument.objects.in_bulk([row.document_id for row in rows])
    texts = _snippet_texts(documents.values())
    return [
        Hit(
            document=document,
            score=score,
            title=highlight(document.title, groups),
            snippet=highlight(
                texts.get((document.kind, document.object_id), ""), groups, window=SNIPPET_WORDS
            ),
        )
        for i, _record_id, score in rows
        if (document := documents.get(i))
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
