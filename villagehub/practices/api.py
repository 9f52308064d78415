from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.params.functions import Path
from pydantic import Field

from villagehub.communities.models import SIZE_BANDS, Community
from villagehub.core.api import (
    SLUG_PATTERN,
    FieldsQuery,
    ImageOut,
    Out,
    PageBase,
    PlaceQuery,
    Problem,
    conditional_get,
    fields_query,
    fields_read,
    fields_schema,
    filters_read,
    image_data,
    page_of,
    record_data,
    record_version,
    related_values_load,
    slug_page_url,
    tables_version,
)
from villagehub.organisations.models import Organisation
from villagehub.taxonomy.models import FundingSource, Theme

from .models import Practice, PracticeLink
from .selectors import PracticeFilterForm, practice_list_base, practice_list_newest

router = Router(tags=["practices"])

# The values are read at run time (pydantic checks them and lists them in the OpenAPI schema);
# mypy cannot build a Literal from them, so to it they are strings.
if TYPE_CHECKING:
    SizeBand: TypeAlias = str
else:
    SizeBand = Literal[tuple(SIZE_BANDS)]


class LinkOut(Out):
    url: str
    title: str
    kind: str


class PracticeOut(Out):
    slug: str
    title: str
    summary: str
    description: str
    results: str
    image: ImageOut | None = Field(description="The practice's published image, if any.")
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


# Schemas built at run time from PracticeOut (its fields, each optional; `fields` naming
# them): to mypy, their bases.
if TYPE_CHECKING:
    PracticeFields: TypeAlias = Out
    PracticeFieldsQuery: TypeAlias = FieldsQuery
else:
    PracticeFields = fields_schema(PracticeOut)
    PracticeFieldsQuery = fields_query(PracticeOut)


class PracticePage(PageBase):
    results: list[PracticeOut] | list[PracticeFields] = Field(
        description="The practices; with `fields`, only the fields named there."
    )


class PracticeQuery(PlaceQuery, PracticeFieldsQuery):
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
    "image": image_data,
    "language": lambda request, p: p.language,
    "translations": lambda request, p: p.translations,
    "community": lambda request, p: p.community.slug if p.community else None,
    "organisations": lambda request, p: p.related_values["organisations"],
    "themes": lambda request, p: p.related_values["themes"],
    "goals": lambda request, p: p.related_values["goals"],
    "funding_sources": lambda request, p: p.related_values["funding_sources"],
    "start_year": lambda request, p: p.start_year,
    "end_year": lambda request, p: p.end_year,
    "status": lambda request, p: p.status,
    "links": lambda request, p: [
        {"url": x.url, "title": x.title, "kind": x.kind} for x in p.links.all()
    ],
    "url": slug_page_url("practices:detail"),
    "created_at": lambda request, p: p.created_at,
    "updated_at": lambda request, p: p.updated_at,
}


# Many-to-many relations shown as a value of the related record.
RELATED_VALUES = {
    "organisations": "slug",
    "themes": "slug",
    "goals": "number",
    "funding_sources": "slug",
}


def practice_data(
    request: HttpRequest, p: Practice, fields: set[str] | None = None
) -> dict[str, Any]:
    return record_data(request, p, PRACTICE_FIELDS, fields)


def relations_load(practices: list[Practice], fields: Iterable[str]) -> None:
    """Read the many-to-many relations of the fields that will be shown, and no others."""
    related_values_load(
        practices, {name: value for name, value in RELATED_VALUES.items() if name in fields}
    )


def with_relations(queryset: QuerySet[Practice], fields: Iterable[str]) -> QuerySet[Practice]:
    """The one-to-many relations of the fields that will be shown, and no others."""
    queryset = queryset.prefetch_related(*(["links"] if "links" in fields else []))
    if "community" in fields:
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
) -> dict[str, Any]:
    filters = filters_read(request, query, PracticeFilterForm)
    fields = fields_read(query, PRACTICE_FIELDS)
    # The API keeps one stable order (newest first) whether or not it searches for words.
    practices = practice_list_newest(filters=filters)
    # The list shows and filters by community, themes, organisations and funding sources.
    version, latest = tables_version(
        [Practice, PracticeLink, Community, Theme, Organisation, FundingSource]
    )
    conditional_get(request, response, version=version, last_modified=latest)
    count = practices.count()
    return page_of(
        request,
        with_relations(practices.prefetch_related(None), fields or PRACTICE_FIELDS),
        query,
        lambda p: practice_data(request, p, fields),
        count=count,
        prepare=lambda rows: relations_load(rows, fields or PRACTICE_FIELDS),
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
    query: Query[PracticeFieldsQuery],
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100),
) -> dict[str, Any]:
    filters_read(request, query)
    fields = fields_read(query, PRACTICE_FIELDS)
    practice = get_object_or_404(
        with_relations(practice_list_base(), fields or PRACTICE_FIELDS), slug=slug
    )
    version, changed = record_version(
        practice, shows=[PracticeLink, Community, Organisation, Theme, FundingSource]
    )
    conditional_get(request, response, version=version, last_modified=changed)
    relations_load([practice], fields or PRACTICE_FIELDS)
    return practice_data(request, practice, fields)
