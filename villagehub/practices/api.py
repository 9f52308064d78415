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
    FieldsQuery,
    PageBase,
    PlaceQuery,
    Problem,
    conditional_get,
    fields_read,
    fields_schema,
    filters_read,
    page_of,
    page_url,
    queryset_version,
    record_data,
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


PracticeFields = fields_schema(PracticeOut)


class PracticePage(PageBase):
    results: list[PracticeOut] | list[PracticeFields] = Field(
        description="The practices; with `fields`, only the fields named there."
    )


class PracticeQuery(PlaceQuery, FieldsQuery):
    sdg: int | None = Field(None, ge=1, le=17, description="Agenda 2030 goal number.")
    size: SizeBand | None = Field(None, description="Size band of the community's population.")


# One getter per field, so that `fields=` computes (and reads the relations of) only what
# was asked for.
PRACTICE_FIELDS = {
    "slug": lambda request, p: p.slug,
    "title": lambda request, p: p.title,
    "summary": lambda request, p: p.summary,
    "description": lambda request, p: p.description,
    "results": lambda request, p: p.results,
    "language": lambda request, p: p.language,
    "translations": lambda request, p: p.translations,
    "community": lambda request, p: p.community.slug if p.community else None,
    "organisations": lambda request, p: [o.slug for o in p.organisations.all()],
    "themes": lambda request, p: [t.slug for t in p.themes.all()],
    "goals": lambda request, p: [g.pk for g in p.goals.all()],
    "funding_sources": lambda request, p: [f.slug for f in p.funding_sources.all()],
    "start_year": lambda request, p: p.start_year,
    "end_year": lambda request, p: p.end_year,
    "status": lambda request, p: p.status,
    "links": lambda request, p: [
        {"url": x.url, "title": x.title, "kind": x.kind} for x in p.links.all()
    ],
    "url": page_url,
    "created_at": lambda request, p: p.created_at,
    "updated_at": lambda request, p: p.updated_at,
}


def practice_data(request: HttpRequest, p: Practice, fields: set[str] | None = None) -> dict:
    return record_data(request, p, PRACTICE_FIELDS, fields)


def with_relations(queryset, fields: set[str] | None = None):
    relations = {
        "themes": Prefetch("themes", queryset=Theme.objects.only("slug")),
        "organisations": Prefetch("organisations", queryset=Organisation.objects.only("slug")),
        "funding_sources": Prefetch("funding_sources", queryset=FundingSource.objects.only("slug")),
        "goals": "goals",
        "links": "links",
    }
    queryset = queryset.prefetch_related(
        *(prefetch for name, prefetch in relations.items() if fields is None or name in fields)
    )
    if fields is None or "community" in fields:
        return queryset.select_related("community")
    return queryset.select_related(None)


@router.get(
    "/practices",
    response={200: PracticePage, 304: None, 400: Problem},
    url_name="practice-list",
    summary="List published practices, newest first",
    exclude_unset=True,
)
def practice_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[PracticeQuery]
):
    filters = filters_read(request, query, PracticeFilterForm)
    fields = fields_read(query, PRACTICE_FIELDS)
    # The API keeps one stable order (newest first) whether or not it searches for words.
    practices = practice_list(filters={**filters, "sort": "newest"})
    (count,), latest = queryset_version(practices)
    conditional_get(request, response, version=(count,), last_modified=latest)
    return page_of(
        request,
        with_relations(practices.prefetch_related(None), fields),
        query,
        lambda p: practice_data(request, p, fields),
        count=count,
    )


@router.get(
    "/practices/{slug}",
    response={200: PracticeOut | PracticeFields, 304: None, 400: Problem, 404: Problem},
    url_name="practice-detail",
    summary="One published practice",
    exclude_unset=True,
)
def practice_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    query: Query[FieldsQuery],
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100),
):
    filters_read(request, query)
    fields = fields_read(query, PRACTICE_FIELDS)
    practice = get_object_or_404(with_relations(practice_list_base(), fields), slug=slug)
    conditional_get(
        request, response, version=(practice.updated_at,), last_modified=practice.updated_at
    )
    return practice_data(request, practice, fields)
