from django.shortcuts import get_object_or_404, render

from villagehub.core.filters import filters_parse, paginate

from .selectors import PracticeFilterForm, practice_facets, practice_list, practice_list_base


def practice_list_view(request):
    filters, problems = filters_parse(PracticeFilterForm, request.GET)
    page = paginate(practice_list(filters=filters), request.GET)
    return render(
        request,
        "practices/practice_list.html",
        {
            "page": page,
            "filters": filters,
            "problems": problems,
            "facets": practice_facets(filters=filters),
        },
    )


def practice_detail_view(request, slug):
    practice = get_object_or_404(
        practice_list_base()
        .select_related("community")
        .prefetch_related("themes", "goals", "funding_sources", "organisations", "links"),
        slug=slug,
    )
    return render(request, "practices/practice_detail.html", {"practice": practice})
