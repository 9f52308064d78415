from django.shortcuts import get_object_or_404, render

from villagehub.contributions.selectors import revisions_visible
from villagehub.core.filters import filters_parse, paginate
from villagehub.core.pagecache import page_cache
from villagehub.practices.selectors import practice_list_base

from .models import Organisation
from .selectors import OrganisationFilterForm, organisation_list


@page_cache
def organisation_list_view(request):
    filters, problems = filters_parse(OrganisationFilterForm, request.GET)
    organisations = organisation_list(filters=filters)
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "page": paginate(organisations, request.GET),
            "filters": filters,
            "problems": problems,
            "kinds": Organisation.Kind.choices,
        },
    )


def organisation_detail_view(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "practices": practice_list_base().filter(organisations=organisation).order_by("title"),
            "networks": organisation.networks.order_by("name"),
            "operated": organisation.operated_networks.order_by("name"),
            "revisions": revisions_visible(request.user, organisation),
        },
    )
