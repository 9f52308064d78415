import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from villagehub.accounts.decorators import role_required

from .selectors import (
    DashboardForm,
    dashboard_chart,
    dashboard_figures,
    dashboard_networks,
    figures_csv_rows,
)

# Like the other coordinators' pages: with two-factor authentication.
coordinator_required = role_required(
    lambda user: dashboard_networks(user).exists(), role_first=True
)


def _figures(request):
    networks = dashboard_networks(request.user)
    form = DashboardForm(request.GET or None, networks=networks)
    chosen = {}
    if form.is_bound:
        # A bad value is named above the figures; its default is used meanwhile.
        form.is_valid()
        chosen = form.cleaned_data
    network = chosen.get("network")
    period = chosen.get("period") or "12m"
    scope = networks.filter(pk=network.pk) if network else networks
    return form, period, dashboard_figures(networks=scope, period=period)


@coordinator_required
def dashboard_view(request):
    form, period, figures = _figures(request)
    return render(
        request,
        "dashboard/dashboard.html",
        {"form": form, "period": period, "figures": figures, "query": request.GET.urlencode()},
    )


@coordinator_required
def dashboard_csv_view(request):
    _form, period, figures = _figures(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{period}.csv"'
    csv.writer(response).writerows(figures_csv_rows(figures))
    return response


@coordinator_required
def dashboard_chart_view(request):
    _form, _period, figures = _figures(request)
    labels = {
        "practices": _("Practices published"),
        "news": _("News published"),
        "subscribers": _("New subscribers"),
    }
    svg = dashboard_chart(figures, _("Published and joined, per month"), labels)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
