from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from villagehub.communities.models import Community, Network
from villagehub.countries.models import Factsheet
from villagehub.organisations.models import Organisation
from villagehub.practices.selectors import practice_list


def home(request):
    network = (
        Network.objects.filter(slug=settings.HUB_NETWORK).first() if settings.HUB_NETWORK else None
    )
    numbers = [
        (Community.objects.count(), _("communities")),
        (practice_list(filters={}).count(), _("practices")),
        (Community.objects.order_by().values("country").distinct().count(), _("countries")),
        (Organisation.objects.count(), _("organisations")),
        (Network.objects.count(), _("networks")),
        (Factsheet.objects.count(), _("country factsheets")),
    ]
    return render(
        request,
        "core/home.html",
        {
            "network": network,
            "networks": Network.objects.order_by("name"),
            "numbers": numbers,
            "latest_practices": practice_list(filters={})[:6],
        },
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def server_error(request):
    return render(request, "500.html", status=500)
