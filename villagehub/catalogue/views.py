import math
import re
from datetime import UTC, datetime

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from villagehub.core.filters import filters_parse, paginate

from .models import Dataset
from .rdf import FORMATS, catalogue_graph, dataset_graph
from .selectors import (
    DatasetFilterForm,
    catalogue_datasets,
    dataset_list,
    dataset_modified,
    hub_list_modified,
)
from .vocabularies import DATA_THEMES, FILE_TYPES

RDF_PAGE_SIZE = 100
# ASCII digits only (`²` is a digit to str.isdigit), and few enough for any database.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
RDF_MEDIA_TYPES = {media: extension for extension, (_name, media) in FORMATS.items()}


def dataset_list_view(request):
    filters, problems = filters_parse(DatasetFilterForm, request.GET)
    page = paginate(dataset_list(filters=filters).prefetch_related("distributions"), request.GET)
    return render(
        request,
        "catalogue/dataset_list.html",
        {
            "page": page,
            "filters": filters,
            "problems": problems,
            "form": DatasetFilterForm(initial=filters),
            "themes": list(DATA_THEMES.items()),
            "formats": [(code, label) for code, (label, _media) in FILE_TYPES.items()],
        },
    )


def dataset_detail_view(request, slug):
    dataset = get_object_or_404(
        Dataset.objects.filter(is_published=True)
        .select_related("publisher_community", "publisher_organisation", "publisher_network")
        .prefetch_related("distributions", "spatial_communities"),
        slug=slug,
    )
    preferred = request.get_preferred_type(["text/html", *RDF_MEDIA_TYPES])
    if preferred in RDF_MEDIA_TYPES:
        return _dataset_rdf(request, dataset, RDF_MEDIA_TYPES[preferred])
    hub_modified = hub_list_modified() if dataset.hub_list else {}
    return render(
        request,
        "catalogue/dataset_detail.html",
        {
            "dataset": dataset,
            "modified": dataset_modified(dataset, hub_modified),
            "themes": [(code, DATA_THEMES[code]) for code in dataset.data_themes],
            "rdf_links": [(ext, media) for ext, (_name, media) in FORMATS.items()],
        },
    )


def dataset_rdf_view(request, slug, extension):
    if extension not in FORMATS:
        raise Http404
    dataset = get_object_or_404(
        Dataset.objects.filter(is_published=True).prefetch_related(
            "distributions", "spatial_communities"
        ),
        slug=slug,
    )
    return _dataset_rdf(request, dataset, extension)


def _dataset_rdf(request, dataset, extension):
    graph = dataset_graph(
        dataset,
        absolute=request.build_absolute_uri,
        hub_modified=hub_list_modified() if dataset.hub_list else {},
    )
    return _rdf_response(graph, extension)


def _rdf_response(graph, extension):
    serializer, media_type = FORMATS[extension]
    response = HttpResponse(graph.serialize(format=serializer), content_type=media_type)
    response["Vary"] = "Accept"
    return response


def modified_since_parse(text: str) -> datetime | None:
    """An ISO 8601 date, or date and time, as an aware datetime; anything else (including
    dates that do not exist, `T25:00` or an offset of 99 hours) is a ValueError."""
    if not text:
        return None
    # Django's parsers raise ValueError for well-formed impossible values and return None
    # for malformed ones.
    since = parse_datetime(text)
    if since is None and (day := parse_date(text)) is not None:
        since = datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())
    if since is None:
        raise ValueError(text)
    try:
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        # Compared in UTC by the database: a time that has none (year 1 east of Greenwich,
        # year 9999 west of it) is out of range.
        since.astimezone(UTC)
    except OverflowError:
        raise ValueError(text) from None
    return since


def catalogue_rdf_view(request, extension=None):
    """The whole catalogue, 100 data sets a page: `?page=`, `?modified_since=` (ISO 8601)."""
    if extension is None:
        preferred = request.get_preferred_type(list(RDF_MEDIA_TYPES)) or "text/turtle"
        extension = RDF_MEDIA_TYPES[preferred]
    if extension not in FORMATS:
        raise Http404
    try:
        since = modified_since_parse(request.GET.get("modified_since", ""))
    except ValueError:
        return HttpResponseBadRequest(
            _("modified_since must be an ISO 8601 date or date and time."),
            content_type="text/plain; charset=utf-8",
        )
    page_text = request.GET.get("page", "1")
    if not PAGE_NUMBER.fullmatch(page_text):
        return HttpResponseBadRequest(
            _("page must be a whole number from 1."), content_type="text/plain; charset=utf-8"
        )
    page = int(page_text)
    datasets = catalogue_datasets(modified_since=since)
    total = datasets.count()
    pages = max(1, math.ceil(total / RDF_PAGE_SIZE))
    if page > pages:
        raise Http404
    hub_modified = hub_list_modified()
    rows = list(datasets[(page - 1) * RDF_PAGE_SIZE : page * RDF_PAGE_SIZE])
    modified = max((dataset_modified(d, hub_modified) for d in rows), default=None)

    def page_url(number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    graph = catalogue_graph(
        rows,
        absolute=request.build_absolute_uri,
        hub_modified=hub_modified,
        page_url=page_url,
        page=page,
        pages=pages,
        total=total,
        modified=modified,
    )
    return _rdf_response(graph, extension)
