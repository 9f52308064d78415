from django.shortcuts import get_object_or_404, render

from villagehub.contributions.selectors import practices_looked_after_by, revisions_visible
from villagehub.core.filters import filters_parse, paginate
from villagehub.core.pagecache import page_cache
from villagehub.core.selectors import page_views_total
from villagehub.core.services import page_view_count
from villagehub.events.selectors import events_presenting
from villagehub.search.interface import search_spelling

from .selectors import (
    SORTS,
    PracticeFilterForm,
    practice_facets,
    practice_list,
    practice_list_base,
    practice_sort,
    practices_of_community,
    practices_related,
)


@page_cache
def practice_list_view(request):
    filters, problems = filters_parse(PracticeFilterForm, request.GET)
    listed = practice_list(filters=filters)
    facets = practice_facets(filters=filters, listed=listed)
    # The facets' total is the length of the list: the paginator need not count it again.
    total = facets.pop("total", None)
    page = paginate(listed, request.GET, count=total)
    query = filters.get("q")
    return render(
        request,
        "practices/practice_list.html",
        {
            "page": page,
            "filters": filters,
            "problems": problems,
            "facets": facets,
            "sort": practice_sort(filters),
            "sorts": SORTS.items(),
            "did_you_mean": (
                search_spelling(query) if query and not page.paginator.count else None
            ),
        },
    )


def practice_detail_view(request, slug):
    practice = get_object_or_404(
        practice_list_base()
        .select_related("community")
        .prefetch_related("themes", "goals", "funding_sources", "organisations", "links"),
        slug=slug,
    )
    page_view_count(obj=practice, user_agent=request.headers.get("User-Agent", ""))
    looks_after = practices_looked_after_by(request.user).filter(pk=practice.pk).exists()
    return render(
        request,
        "practices/practice_detail.html",
        {
            "practice": practice,
            "related": practices_related(practice=practice),
            "community_practices": practices_of_community(practice=practice),
            "presented_at": events_presenting(practice),
            "revisions": revisions_visible(request.user, practice),
            "views": page_views_total(practice) if looks_after else None,
        },
    )
