from django.http import Http404
from django.shortcuts import render
from django_countries import countries

from villagehub.communities.models import Community
from villagehub.practices.selectors import practice_list_base

from .models import CapSupport, Factsheet


def country_list_view(request):
    available = list(Factsheet.objects.prefetch_related("cap_support").order_by("country"))
    chosen = {c.upper() for c in request.GET.getlist("c") if c.upper() in countries}
    factsheets = [f for f in available if f.country.code in chosen] if chosen else available
    community_countries = sorted(
        set(Community.objects.order_by().values_list("country", flat=True).distinct()),
        key=lambda c: str(countries.name(c)),
    )
    return render(
        request,
        "countries/country_list.html",
        {
            "factsheets": factsheets,
            "available": available,
            "periods": CapSupport.Period.choices,
            "all_countries": [(c.lower(), countries.name(c)) for c in community_countries],
            "chosen": chosen,
        },
    )


def country_detail_view(request, code):
    code = code.upper()
    if len(code) != 2 or code not in countries:
        raise Http404
    factsheet = Factsheet.objects.prefetch_related("cap_support").filter(country=code).first()
    communities = Community.objects.filter(country=code).order_by("name")
    return render(
        request,
        "countries/country_detail.html",
        {
            "code": code.lower(),
            "name": countries.name(code),
            "factsheet": factsheet,
            "periods": CapSupport.Period.choices,
            "communities": communities,
            "practices": practice_list_base()
            .filter(community__country=code)
            .select_related("community")
            .order_by("title"),
        },
    )
