from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villagehub.communities.models import Community
from villagehub.contributions.selectors import community_get_for_editor
from villagehub.core.forms import form_errors_add
from villagehub.interchange.downloads import Download, csv_lines, json_chunks

from . import selectors, services
from .chart import box_chart, trend_chart
from .downloads import FIGURE_COLUMNS, VALUE_COLUMNS, figure_rows, value_rows
from .forms import IndicatorValueForm
from .models import INDICATORS, IndicatorValue

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _indicator(code: str):
    indicator = INDICATORS.get(code)
    if indicator is None:
        raise Http404
    return indicator


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) == 4 else None


def _comparison(request, code: str):
    """The comparison a page or a download shows: for `?community=` against its peers,
    otherwise of all communities and each size band; for `?year=` or the latest year."""
    community = None
    slug = request.GET.get("community")
    if slug:
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            raise Http404
    groups = selectors.groups_of(community) if community else selectors.groups_by_size()
    result = selectors.comparison(
        code=code, groups=groups, community=community, year=_int(request.GET.get("year"))
    )
    return community, result


def indicator_list_view(request):
    return render(
        request,
        "indicators/indicator_list.html",
        {"overview": selectors.indicator_overview(), "min_peers": selectors.MIN_PEERS},
    )


def indicator_detail_view(request, code):
    indicator = _indicator(code)
    community, result = _comparison(request, code)
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "community": community,
            "comparison": result,
            "chart": box_chart(result.groups),
            "trend": trend_chart(result, community.name if community else None),
            "min_peers": selectors.MIN_PEERS,
        },
    )


def _streamed(download: Download, extension: str, filename: str) -> StreamingHttpResponse:
    body = csv_lines(download) if extension == "csv" else json_chunks(download.rows())
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in body), content_type=MEDIA_TYPES[extension]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


def figures_download_view(request, code, extension):
    """The figures of the page (`?community=`, `?year=` alike), every year of the trend."""
    _indicator(code)
    if extension not in MEDIA_TYPES:
        raise Http404
    community, result = _comparison(request, code)
    name = f"{code}-{community.slug}" if community else code
    return _streamed(
        Download(columns=FIGURE_COLUMNS, rows=lambda: figure_rows(result)), extension, name
    )


def values_download_view(request, code, extension):
    """Every published value of one indicator."""
    _indicator(code)
    if extension not in MEDIA_TYPES:
        raise Http404
    return _streamed(
        Download(columns=VALUE_COLUMNS, rows=lambda: value_rows(code)), extension, f"{code}-values"
    )


@login_required
def publish_view(request, slug):
    community = community_get_for_editor(slug=slug, user=request.user)
    form = IndicatorValueForm(
        request.POST or None, initial={"indicator": request.GET.get("indicator")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.indicator_value_publish(
                community=community,
                indicator=data["indicator"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                value=data["value"],
                source=data["source"],
                channel=IndicatorValue.Channel.WEB,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The value is published."))
            return redirect("indicators:publish", slug=community.slug)
    return render(
        request,
        "indicators/publish.html",
        {
            "community": community,
            "form": form,
            "values": community.indicator_values.order_by("indicator", "-period_end"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def value_delete_view(request, slug, pk):
    community = community_get_for_editor(slug=slug, user=request.user)
    value = get_object_or_404(IndicatorValue, community=community, pk=pk)
    services.indicator_value_delete(value=value)
    messages.success(request, _("The value is deleted."))
    return redirect("indicators:publish", slug=community.slug)
