from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_countries import countries

from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Community
from villagehub.core.pagecache import page_cache
from villagehub.practices.selectors import practice_list_base

from .models import CapSupport, Factsheet


@page_cache
def country_list_view(request):
    available = list(Factsheet.objects.prefetch_related("cap_support").order_by("country"))
    with_factsheet = {f.country.code for f in available}
    asked = [c.strip().upper() for c in request.GET.getlist("c") if c.strip()]
    chosen = {c for c in asked if c in with_factsheet}
    problems = [
        _("The filter “%(label)s” was ignored: %(reason)s")
        % {
            "label": _("Country"),
            "reason": _("there is no factsheet for “%(code)s”.") % {"code": code.lower()[:10]},
        }
        for code in asked
        if code not in with_factsheet
    ]
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
            "problems": problems,
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
            # Coordinators of a network in the country write its factsheet (with review).
            "writes_factsheet": request.user.is_authenticated
            and networks_coordinated(request.user).filter(country=code).exists(),
            "practices": practice_list_base()
            .filter(community__country=code)
            .select_related("community")
            .order_by("title"),
        },
    )
