from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language

from villagehub.core.filters import filters_parse, paginate

from .interface import SearchQuery, search_spelling, search_suggest
from .models import SearchDocument
from .selectors import SearchFilterForm, search_grouped, search_hits

MAX_QUERY_LENGTH = 500


def search_view(request):
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    filters, problems = filters_parse(SearchFilterForm, request.GET)
    kind = filters.get("kind")
    results, facets, page = {}, {}, None
    if query:
        hits = search_hits(SearchQuery.of(query, filters))
        facets = hits.facets()
        if kind:
            page = paginate(hits, request.GET)
            if count := page.paginator.count:
                label = SearchDocument.Kind(kind).label
                results = {kind: {"label": label, "count": count, "hits": page.object_list}}
        else:
            results = search_grouped(hits.query, hits=hits)
    total = sum(group["count"] for group in results.values())
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "kind": kind,
            "filters": filters,
            "problems": problems,
            "facets": facets,
            "results": results,
            "page": page,
            "total": total,
            # Asked only when nothing was found: a misspelt word matches nothing.
            "did_you_mean": search_spelling(query) if query and not total else None,
        },
    )


def suggest_view(request):
    """Titles that start with what was typed, for the site search's suggestions: each with
    its kind's label and its address in the visitor's language."""
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    suggestions = search_suggest(query) if query else []
    language = get_language() or settings.LANGUAGE_CODE
    for suggestion in suggestions:
        suggestion["kind_label"] = str(SearchDocument.Kind(suggestion["kind"]).label)
        if language != settings.LANGUAGE_CODE:
            # Documents keep the English (unprefixed) address; every other language lives
            # under its prefix (i18n_patterns).
            suggestion["url"] = f"/{language}{suggestion['url']}"
    return JsonResponse({"query": query, "suggestions": suggestions})
