from datetime import datetime
from typing import Literal

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema
from pydantic import Field

from villagehub.communities.models import SIZE_BANDS
from villagehub.core.api import (
    SLUG_PATTERN,
    PageBase,
    PlaceQuery,
    Problem,
    conditional_get,
    filters_read,
    page_of,
    page_url,
    queryset_version,
)
from villagehub.organisations.models import Organisation
from villagehub.taxonomy.models import FundingSource, Theme

from .models import Practice
from .selectors import PracticeFilterForm, practice_list, practice_list_base

router = Router(tags=["practices"])

SizeBand = Literal[tuple(SIZE_BANDS)]  # type: ignore[valid-type]


class LinkOut(Schema):
    url: str
    title: str
    kind: str


class PracticeOut(Schema):
    slug: str
    title: str
    summary: str
    description: str
    results: str
    language: str
    translations: dict[str, dict[str, str]]
    community: str | None = Field(description="Community slug.")
    organisations: list[str] = Field(description="Organisation slugs.")
    themes: list[str] = Field(description="Theme slugs.")
    goals: list[int] = Field(description="Agenda 2030 goal numbers.")
    funding_sources: list[str] = Field(description="Funding source slugs.")
    start_year: int | None
    end_year: int | None
    status: str
    links: list[LinkOut]
    url: str
    created_at: datetime
    updated_at: datetime


class PracticePage(PageBase):
    results: list[PracticeOut]


class PracticeQuery(PlaceQuery):
    sdg: int | None = Field(None, ge=1, le=17, description="Agenda 2030 goal number.")
    size: SizeBand | None = Field(None, description="Size band of the community's population.")


def practice_data(request: HttpRequest, p: Practice) -> dict:
    return {
        "slug": p.slug,
        "title": p.title,
        "summary": p.summary,
        "description": p.description,
        "results": p.results,
        "language": p.language,
        "translations": p.translations,
        "community": p.community.slug if p.community else None,
        "organisations": [o.slug for o in p.organisations.all()],
        "themes": [t.slug for t in p.themes.all()],
        "goals": [g.pk for g in p.goals.all()],
        "funding_sources": [f.slug for f in p.funding_sources.all()],
        "start_year": p.start_year,
        "end_year": p.end_year,
        "status": p.status,
        "links": [{"url": x.url, "title": x.title, "kind": x.kind} for x in p.links.all()],
        "url": page_url(request, p),
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def with_relations(queryset):
    return queryset.select_related("community").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.only("slug")),
        Prefetch("organisations", queryset=Organisation.objects.only("slug")),
        Prefetch("funding_sources", queryset=FundingSource.objects.only("slug")),
        "goals",
        "links",
    )


@router.get(
    "/practices",
    response={200: PracticePage, 304: None, 400: Problem},
    url_name="practice-list",
    summary="List published practices, newest first",
)
def practice_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[PracticeQuery]
):
    filters = filters_read(request, query, PracticeFilterForm)
    # The API keeps one stable order (newest first) whether or not it searches for words.
    practices = practice_list(filters={**filters, "sort": "newest"})
    (count,), latest = queryset_version(practices)
    conditional_get(request, response, version=(count,), last_modified=latest)
    return page_of(
        request,
        with_relations(practices.prefetch_related(None)),
        query,
        lambda p: practice_data(request, p),
        count=count,
    )


@router.get(
    "/practices/{slug}",
    response={200: PracticeOut, 304: None, 400: Problem, 404: Problem},
    url_name="practice-detail",
    summary="One published practice",
)
def practice_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100),
):
    practice = get_object_or_404(with_relations(practice_list_base()), slug=slug)
    conditional_get(
        request, response, version=(practice.updated_at,), last_modified=practice.updated_at
    )
    return practice_data(request, practice)
