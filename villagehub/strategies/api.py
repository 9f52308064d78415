from datetime import date, datetime
from typing import Any, cast

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django_countries.fields import Country
from ninja import Query, Router, Schema
from pydantic import Field

from villagehub.communities.models import Community
from villagehub.core.api import (
    PageBase,
    PageQuery,
    Problem,
    conditional_get,
    filters_read,
    page_of,
    page_url,
    tables_version,
)

from .models import Need, StrategyVersion
from .selectors import needs_published

router = Router(tags=["strategies"])


class NeedOut(Schema):
    id: int
    title: str
    description: str
    language: str
    translations: dict[str, dict[str, str]]
    community: str | None = Field(description="The community's slug (null for a network's).")
    country: str | None
    population: int | None
    themes: list[str]
    budget_min: int | None
    budget_max: int | None
    funding_source: str | None
    wanted_from: date | None
    wanted_by: date | None
    url: str


class NeedPage(PageBase):
    results: list[NeedOut]


class StrategyOut(Schema):
    community: str | None
    network: str | None
    version: int
    published_at: datetime
    content: dict[str, Any] = Field(
        description="The published version: title, vision, analysis, participation, "
        "objectives, actions (with status), indicators (baseline, target, latest value), "
        "needs."
    )


class StrategyPage(PageBase):
    results: list[StrategyOut]


def _need_data(request: HttpRequest, n: Need) -> dict[str, Any]:
    community = n.strategy.community
    return {
        "id": n.pk,
        "title": n.title,
        "description": n.description,
        "language": n.language,
        "translations": n.translations,
        "community": community.slug if community else None,
        "country": cast(Country, community.country).code if community else None,
        "population": community.population if community else None,
        "themes": [t.slug for t in n.themes.all()],
        "budget_min": n.budget_min,
        "budget_max": n.budget_max,
        "funding_source": n.funding_source.slug if n.funding_source else None,
        "wanted_from": n.wanted_from,
        "wanted_by": n.wanted_by,
        "url": page_url(request, n),
    }


@router.get(
    "/needs",
    response={200: NeedPage, 304: None, 400: Problem},
    url_name="need-list",
    summary="List the needs of published strategies",
)
def need_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[PageQuery]
) -> dict[str, Any]:
    filters_read(request, query)
    needs = (
        needs_published()
        .select_related("strategy__community", "funding_source")
        .prefetch_related("themes")
        .order_by("pk")
    )
    version, latest = tables_version([Need, Community])
    conditional_get(request, response, version=version, last_modified=latest)
    return page_of(request, needs, query, lambda n: _need_data(request, n), count=needs.count())


@router.get(
    "/strategies",
    response={200: StrategyPage, 400: Problem},
    url_name="strategy-list",
    summary="List published strategies, each in its latest version",
)
def strategy_list_endpoint(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    filters_read(request, query)
    versions = (
        StrategyVersion.objects.filter(number=F("strategy__version"))
        .select_related("strategy__community", "strategy__network")
        .order_by("pk")
    )
    return page_of(
        request,
        versions,
        query,
        lambda v: {
            "community": v.strategy.community.slug if v.strategy.community else None,
            "network": v.strategy.network.slug if v.strategy.network else None,
            "version": v.number,
            "published_at": v.published_at,
            "content": v.snapshot,
        },
        count=versions.count(),
    )
