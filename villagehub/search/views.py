from django.http import JsonResponse
from django.shortcuts import render

from .models import SearchDocument
from .selectors import search_grouped, search_suggest

MAX_QUERY_LENGTH = 500


def search_view(request):
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    kind = request.GET.get("kind")
    if kind not in SearchDocument.Kind.values:
        kind = None
    results = search_grouped(query=query, kind=kind) if query else {}
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "kind": kind,
            "results": results,
            "total": sum(group["count"] for group in results.values()),
        },
    )


def suggest_view(request):
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    return JsonResponse(
        {"query": query, "suggestions": search_suggest(query=query) if query else []}
    )
