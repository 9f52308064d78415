import html
import re
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from .analysis import matches, query_groups
from .backends import match, match_subquery
from .models import SearchDocument

GROUP_SIZE = 5
SNIPPET_WORDS = 30
_TOKEN = re.compile(r"(\w+)", re.UNICODE)


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


def _hits(ids_scores: list[tuple[int, float]], groups) -> list[Hit]:
    documents = SearchDocument.objects.in_bulk([i for i, _ in ids_scores])
    return [
        Hit(
            document=documents[i],
            score=score,
            title=highlight(documents[i].title, groups),
            snippet=highlight(documents[i].text, groups, window=SNIPPET_WORDS),
        )
        for i, score in ids_scores
        if i in documents
    ]


def search_grouped(*, query: str, kind: str | None = None) -> dict[str, dict]:
    """Results per kind, best first: the top few of each (all pages of one kind if given)."""
    groups = query_groups(query)
    matched = match(groups, kinds=[kind] if kind else None)
    by_kind: dict[str, list[tuple[int, float]]] = {}
    kinds = (
        dict(
            SearchDocument.objects.filter(pk__in=[i for i, _ in matched]).values_list("pk", "kind")
        )
        if matched
        else {}
    )
    for document_id, score in matched:
        by_kind.setdefault(kinds.get(document_id, ""), []).append((document_id, score))
    result = {}
    for value, label in SearchDocument.Kind.choices:
        found = by_kind.get(value, [])
        if found:
            shown = found if kind else found[:GROUP_SIZE]
            result[value] = {"label": label, "count": len(found), "hits": _hits(shown, groups)}
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


def search_object_ids(*, query: str, kind: str) -> list[int]:
    """Ids of the records of one kind that match, best first (for filtered list pages)."""
    ids = [i for i, _ in match(query_groups(query), kinds=[kind])]
    order = dict(SearchDocument.objects.filter(pk__in=ids).values_list("pk", "object_id"))
    return [order[i] for i in ids if i in order]


def search_suggest(*, query: str, limit: int = 8) -> list[dict]:
    groups = query_groups(query)
    matched = match(groups, prefix_last=True, limit=limit)
    documents = SearchDocument.objects.in_bulk([i for i, _ in matched])
    return [
        {"title": documents[i].title, "kind": documents[i].kind, "url": documents[i].url}
        for i, _ in matched
        if i in documents
    ]
