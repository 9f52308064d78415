from datetime import datetime
from typing import Literal

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema
from pydantic import Field

from villagehub.core.api import (
    SLUG_PATTERN,
    PageBase,
    PlaceQuery,
    Problem,
    TextQuery,
    conditional_get,
    filters_read,
    page_of,
    page_url,
    queryset_version,
    text_filter,
)
from villagehub.taxonomy.models import Theme

from .models import SIZE_BANDS, Community, Network
from .selectors import CommunityFilterForm, NetworkFilterForm, community_list, network_list

router = Router(tags=["communities"])

CommunityKind = Literal[tuple(Community.Kind.values)]  # type: ignore[valid-type]
NetworkKind = Literal[tuple(Network.Kind.values)]  # type: ignore[valid-type]
SizeBand = Literal[tuple(SIZE_BANDS)]  # type: ignore[valid-type]


class RepresentativeOut(Schema):
    name: str
    role: str


class CommunityOut(Schema):
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


class CommunityPage(PageBase):
    results: list[CommunityOut]


class CommunityQuery(PlaceQuery):
    kind: CommunityKind | None = None
    network: str | None = Field(None, pattern=SLUG_PATTERN, description="Network slug.")
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
    country: str | None = Field(None, pattern="^[A-Za-z]{2}$")


def _community_data(request: HttpRequest, c: Community) -> dict:
    return {
        "slug": c.slug,
        "name": c.name,
        "kind": c.kind,
        "country": c.country.code,
        "region": c.region,
        "population": c.population,
        "population_year": c.population_year,
        "latitude": float(c.latitude) if c.latitude is not None else None,
        "longitude": float(c.longitude) if c.longitude is not None else None,
        "coordinates_approximate": c.coordinates_approximate,
        "website": c.website,
        "description": c.description,
        "language": c.language,
        "translations": c.translations,
        "themes": [t.slug for t in c.themes.all()],
        "goals": [g.pk for g in c.goals.all()],
        "networks": [n.slug for n in c.networks.all()],
        "url": page_url(request, c),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def _network_data(request: HttpRequest, n: Network) -> dict:
    return {
        "slug": n.slug,
        "name": n.name,
        "kind": n.kind,
        "description": n.description,
        "language": n.language,
        "translations": n.translations,
        "website": n.website,
        "country": n.country.code or "",
        "region": n.region,
        "founded": n.founded,
        "period_start": n.period_start.isoformat() if n.period_start else None,
        "period_end": n.period_end.isoformat() if n.period_end else None,
        "operator": n.operator.slug if n.operator else None,
        "url": page_url(request, n),
        "created_at": n.created_at,
        "updated_at": n.updated_at,
    }


def _with_relations(queryset):
    return queryset.prefetch_related(
        Prefetch("themes", queryset=Theme.objects.only("slug")),
        "goals",
        Prefetch("networks", queryset=Network.objects.only("slug")),
    )


@router.get(
    "/communities",
    response={200: CommunityPage, 304: None, 400: Problem},
    url_name="community-list",
    summary="List communities",
)
def community_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[CommunityQuery]
):
    filters = filters_read(request, query, CommunityFilterForm)
    text = filters.pop("q", None)
    communities = text_filter(community_list(filters=filters), query=text, kind="community")
    (count, *_others), latest = queryset_version(communities, Network.objects.all())
    conditional_get(request, response, version=(count, *_others), last_modified=latest)
    return page_of(
        request,
        _with_relations(communities),
        query,
        lambda c: _community_data(request, c),
        count=count,
    )


@router.get(
    "/communities/{slug}",
    response={200: CommunityDetailOut, 304: None, 400: Problem, 404: Problem},
    url_name="community-detail",
    summary="One community",
)
def community_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100),
):
    community = get_object_or_404(
        _with_relations(Community.objects.prefetch_related("representatives")), slug=slug
    )
    conditional_get(
        request, response, version=(community.updated_at,), last_modified=community.updated_at
    )
    data = _community_data(request, community)
    data["representatives"] = [
        {"name": r.name, "role": r.role} for r in community.representatives.all()
    ]
    return data


@router.get(
    "/networks",
    response={200: NetworkPage, 304: None, 400: Problem},
    url_name="network-list",
    summary="List networks",
)
def network_list_endpoint(request: HttpRequest, response: HttpResponse, query: Query[NetworkQuery]):
    filters = filters_read(request, query, NetworkFilterForm)
    networks = network_list(filters=filters)
    (count,), latest = queryset_version(networks)
    conditional_get(request, response, version=(count,), last_modified=latest)
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
):
    network = get_object_or_404(Network.objects.select_related("operator"), slug=slug)
    conditional_get(
        request, response, version=(network.updated_at,), last_modified=network.updated_at
    )
    return _network_data(request, network)
