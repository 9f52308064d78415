from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.params.functions import Path
from pydantic import Field

from villagehub.core.api import (
    SLUG_PATTERN,
    PageBase,
    PlaceQuery,
    Problem,
    conditional_get,
    filters_read,
    page_of,
    page_url,
    tables_version,
)

from .models import ReferenceInstallation, Solution
from .selectors import SolutionFilterForm, solution_get_published, solution_list

router = Router(tags=["solutions"])


class ReferenceOut(Schema):
    community: str = Field(description="The community's slug.")
    year: int
    achieved: str
    contact: str = Field(description="Named only when the contact agreed; else empty.")


class SolutionOut(Schema):
    slug: str
    name: str
    summary: str
    description: str
    provider: str = Field(description="The provider organisation's slug.")
    themes: list[str]
    trl: int = Field(description="Technology readiness level, 1–9.")
    price_min: int | None
    price_max: int | None
    price_model: str
    languages: list[str]
    countries: list[str]
    language: str
    translations: dict[str, dict[str, str]]
    references: list[ReferenceOut]
    url: str
    published_at: datetime | None
    updated_at: datetime


class SolutionPage(PageBase):
    results: list[SolutionOut]


class SolutionQuery(PlaceQuery):
    trl: int | None = Field(None, ge=1, le=9, description="Technology readiness at least.")
    language: str | None = Field(None, pattern="^[a-z]{2}$", description="Language offered.")


def _solution_data(request: HttpRequest, s: Solution) -> dict[str, Any]:
    return {
        "slug": s.slug,
        "name": s.name,
        "summary": s.summary,
        "description": s.description,
        "provider": s.provider.slug,
        "themes": [t.slug for t in s.themes.all()],
        "trl": s.trl,
        "price_min": s.price_min,
        "price_max": s.price_max,
        "price_model": s.price_model,
        "languages": s.language_list,
        "countries": s.country_list,
        "language": s.language,
        "translations": s.translations,
        "references": [
            {
                "community": r.community.slug,
                "year": r.year,
                "achieved": r.achieved,
                "contact": r.contact_name if r.contact_consent else "",
            }
            for r in s.references.all()
        ],
        "url": page_url(request, s),
        "published_at": s.published_at,
        "updated_at": s.updated_at,
    }


@router.get(
    "/solutions",
    response={200: SolutionPage, 304: None, 400: Problem},
    url_name="solution-list",
    summary="List published solutions",
)
def solution_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[SolutionQuery]
) -> dict[str, Any]:
    filters = filters_read(request, query, SolutionFilterForm)
    solutions = (
        solution_list(filters=filters)
        .prefetch_related("references__community")
        .order_by("name", "pk")
    )
    version, latest = tables_version([Solution, ReferenceInstallation])
    conditional_get(request, response, version=version, last_modified=latest)
    return page_of(
        request,
        solutions,
        query,
        lambda s: _solution_data(request, s),
        count=solutions.count(),
    )


@router.get(
    "/solutions/{slug}",
    response={200: SolutionOut, 304: None, 400: Problem, 404: Problem},
    url_name="solution-detail",
    summary="One published solution",
)
def solution_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100),
) -> dict[str, Any]:
    solution = solution_get_published(slug=slug)
    version, latest = tables_version([Solution, ReferenceInstallation])
    conditional_get(request, response, version=(*version, slug), last_modified=latest)
    return _solution_data(request, solution)
