from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django_countries.fields import Country
from ninja import Query, Router, Schema
from ninja.params.functions import Path
from pydantic import Field

from villagehub.core.api import (
    COUNTRY_FIELD,
    SLUG_PATTERN,
    FieldsQuery,
    ImageOut,
    Out,
    PageBase,
    PlaceQuery,
    Problem,
    TextQuery,
    conditional_get,
    fields_query,
    fields_read,
    fields_schema,
    filters_read,
    image_data,
    page_of,
    page_url,
    record_data,
    record_version,
    related_values_load,
    slug_page_url,
    tables_version,
    text_filter,
)
from villagehub.organisations.models import Organisation
from villagehub.taxonomy.models import Theme

from .models import SIZE_BANDS, Community, Network, Representative
from .selectors import CommunityFilterForm, NetworkFilterForm, community_list, network_list

router = Router(tags=["communities"])

# The values are read at run time (pydantic checks them and lists them in the OpenAPI schema);
# mypy cannot build a Literal from them, so to it they are strings.
if TYPE_CHECKING:
    CommunityKind: TypeAlias = str
    NetworkKind: TypeAlias = str
    SizeBand: TypeAlias = str
else:
    CommunityKind = Literal[tuple(Community.Kind.values)]
    NetworkKind = Literal[tuple(Network.Kind.values)]
    SizeBand = Literal[tuple(SIZE_BANDS)]


class RepresentativeOut(Out):
    name: str
    role: str


class CommunityOut(Out):
    slug: str
    name: str
    kind: str
    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    region: str
    population: int | None
    population_year: int | None
    latitude: float | None
    longitude: float | None
    coordinates_approximate: bool
    website: str
    description: str
    image: ImageOut | None = Field(description="The community's published image, if any.")
    language: str = Field(description="The language the texts were written in.")
    translations: dict[str, dict[str, str]]
    themes: list[str] = Field(description="Theme slugs.")
    goals: list[int] = Field(description="Agenda 2030 goal numbers.")
    networks: list[str] = Field(description="Network slugs.")
    url: str = Field(description="The community's page.")
    created_at: datetime
    updated_at: datetime


class CommunityDetailOut(CommunityOut):
    representatives: list[RepresentativeOut]


# Schemas built at run time from the ones above (their fields, each optional; `fields` naming
# them): to mypy, their bases.
if TYPE_CHECKING:
    CommunityFields: TypeAlias = Out
    CommunityDetailFields: TypeAlias = Out
    CommunityFieldsQuery: TypeAlias = FieldsQuery
    CommunityDetailFieldsQuery: TypeAlias = FieldsQuery
else:
    CommunityFields = fields_schema(CommunityOut)
    CommunityDetailFields = fields_schema(CommunityDetailOut)
    CommunityFieldsQuery = fields_query(CommunityOut)
    CommunityDetailFieldsQuery = fields_query(CommunityDetailOut)


class CommunityPage(PageBase):
    results: list[CommunityOut] | list[CommunityFields] = Field(
        description="The communities; with `fields`, only the fields named there."
    )


class CommunityQuery(PlaceQuery, CommunityFieldsQuery):
    kind: CommunityKind | None = None
    network: str | None = Field(
        None,
        pattern=SLUG_PATTERN,
        max_length=100,
        description="Network slug; one that names no network matches nothing.",
    )
    size: SizeBand | None = Field(None, description="Size band of the population.")


class NetworkOut(Schema):
    slug: str
    name: str
    kind: str
    description: str
    language: str
    translations: dict[str, dict[str, str]]
    website: str
    country: str = Field(description="ISO 3166-1 alpha-2 code; empty for European networks.")
    region: str
    founded: int | None
    period_start: str | None
    period_end: str | None
    operator: str | None = Field(description="Organisation slug.")
    url: str
    created_at: datetime
    updated_at: datetime


class NetworkPage(PageBase):
    results: list[NetworkOut]


class NetworkQuery(TextQuery):
    kind: NetworkKind | None = None
    country: str | None = COUNTRY_FIELD


def _coordinate(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# One getter per field, so that `fields=` computes (and reads the relations of) only what
# was asked for.
COMMUNITY_FIELDS = {
    "slug": lambda request, c: c.slug,
    "name": lambda request, c: c.name,
    "kind": lambda request, c: c.kind,
    "country": lambda request, c: c.country.code,
    "region": lambda request, c: c.region,
    "population": lambda request, c: c.population,
    "population_year": lambda request, c: c.population_year,
    "latitude": lambda request, c: _coordinate(c.latitude),
    "longitude": lambda request, c: _coordinate(c.longitude),
    "coordinates_approximate": lambda request, c: c.coordinates_approximate,
    "website": lambda request, c: c.website,
    "description": lambda request, c: c.description,
    "image": image_data,
    "language": lambda request, c: c.language,
    "translations": lambda request, c: c.translations,
    "themes": lambda request, c: c.related_values["themes"],
    "goals": lambda request, c: c.related_values["goals"],
    "networks": lambda request, c: c.related_values["networks"],
    "url": slug_page_url("communities:detail"),
    "created_at": lambda request, c: c.created_at,
    "updated_at": lambda request, c: c.updated_at,
}
COMMUNITY_DETAIL_FIELDS = {
    **COMMUNITY_FIELDS,
    "representatives": lambda request, c: [
        {"name": r.name, "role": r.role} for r in c.representatives.all()
    ],
}


def _network_data(request: HttpRequest, n: Network) -> dict[str, Any]:
    return {
        "slug": n.slug,
        "name": n.name,
        "kind": n.kind,
        "description": n.description,
        "language": n.language,
        "translations": n.translations,
        "website": n.website,
        "country": cast(Country, n.country).code or "",
        "region": n.region,
        "founded": n.founded,
        "period_start": n.period_start.isoformat() if n.period_start else None,
        "period_end": n.period_end.isoformat() if n.period_end else None,
        "operator": n.operator.slug if n.operator else None,
        "url": page_url(request, n),
        "created_at": n.created_at,
        "updated_at": n.updated_at,
    }


# Many-to-many relations shown as a value of the related record.
RELATED_VALUES = {"themes": "slug", "goals": "number", "networks": "slug"}


def _relations_load(communities: list[Community], fields: Iterable[str]) -> None:
    """Read the relations of the fields that will be shown, and no others."""
    related_values_load(
        communities, {name: value for name, value in RELATED_VALUES.items() if name in fields}
    )


@router.get(
    "/communities",
    response={200: CommunityPage, 304: None, 400: Problem},
    url_name="community-list",
    summary="List communities",
    exclude_unset=True,
)
def community_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[CommunityQuery]
) -> dict[str, Any]:
    filters = filters_read(request, query, CommunityFilterForm)
    fields = fields_read(query, COMMUNITY_FIELDS)
    text = filters.pop("q", None)
    communities = text_filter(community_list(filters=filters), query=text, kind="community")
    version, latest = tables_version([Community, Network, Theme])
    conditional_get(request, response, version=version, last_modified=latest)
    counted = community_list(filters=filters, size_indexed=True)
    count = text_filter(counted, query=text, kind="community").count()
    return page_of(
        request,
        communities,
        query,
        lambda c: record_data(request, c, COMMUNITY_FIELDS, fields),
        count=count,
        prepare=lambda rows: _relations_load(rows, fields or COMMUNITY_FIELDS),
    )


@router.get(
    "/communities/{slug}",
    response={
        200: CommunityDetailOut | CommunityDetailFields,
        304: None,
        400: Problem,
        404: Problem,
    },
    url_name="community-detail",
    summary="One community",
    exclude_unset=True,
)
def community_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    query: Query[CommunityDetailFieldsQuery],
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100),
) -> dict[str, Any]:
    filters_read(request, query)
    fields = fields_read(query, COMMUNITY_DETAIL_FIELDS)
    community = get_object_or_404(Community, slug=slug)
    version, changed = record_version(community, shows=[Representative, Theme, Network])
    conditional_get(request, response, version=version, last_modified=changed)
    _relations_load([community], fields or COMMUNITY_DETAIL_FIELDS)
    return record_data(request, community, COMMUNITY_DETAIL_FIELDS, fields)


@router.get(
    "/networks",
    response={200: NetworkPage, 304: None, 400: Problem},
    url_name="network-list",
    summary="List networks",
)
def network_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[NetworkQuery]
) -> dict[str, Any]:
    filters = filters_read(request, query, NetworkFilterForm)
    networks = network_list(filters=filters)
    version, latest = tables_version([Network, Organisation])
    conditional_get(request, response, version=version, last_modified=latest)
    count = networks.count()
    return page_of(request, networks, query, lambda n: _network_data(request, n), count=count)


@router.get(
    "/networks/{slug}",
    response={200: NetworkOut, 304: None, 400: Problem, 404: Problem},
    url_name="network-detail",
    summary="One network",
)
def network_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100),
) -> dict[str, Any]:
    network = get_object_or_404(Network.objects.select_related("operator"), slug=slug)
    version, changed = record_version(network, shows=[Organisation])
    conditional_get(request, response, version=version, last_modified=changed)
    return _network_data(request, network)
