from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from villagehub.core.filters import filters_parse, paginate
from villagehub.practices.selectors import practice_list_base

from .models import Organisation


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=Organisation.Kind.choices)


def organisation_list_view(request):
    filters, problems = filters_parse(OrganisationFilterForm, request.GET)
    organisations = Organisation.objects.order_by("name")
    if filters.get("q"):
        organisations = organisations.filter(name__icontains=filters["q"])
    if filters.get("kind"):
        organisations = organisations.filter(kind=filters["kind"])
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
        },
    )
