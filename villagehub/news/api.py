from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django_countries.fields import Country
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
    queryset_version,
)
from villagehub.core.markup import markdown_html

from .models import NewsItem
from .selectors import NewsFilterForm, news_list, news_list_base

router = Router(tags=["news"])

# The values are read at run time (pydantic checks them and lists them in the OpenAPI schema);
# mypy cannot build a Literal from them, so to it they are strings.
if TYPE_CHECKING:
    InterfaceLanguage: TypeAlias = str
else:
    InterfaceLanguage = Literal[tuple(code for code, _name in settings.LANGUAGES)]


class NewsOut(Schema):
    slug: str
    title: str
    summary: str
    body: str = Field(description="Markdown.")
    body_html: str = Field(description="The body as sanitised HTML.")
    language: str
    translations: dict[str, dict[str, str]]
    network: str | None = Field(description="Slug of the publishing network.")
    community: str | None = Field(description="Slug of the publishing community.")
    image_alt: str
    themes: list[str] = Field(description="Theme slugs.")
    goals: list[int] = Field(description="Agenda 2030 goal numbers.")
    countries: list[str] = Field(description="ISO 3166-1 alpha-2 codes.")
    related_practices: list[str] = Field(description="Practice slugs.")
    related_events: list[str] = Field(description="Event slugs.")
    related_communities: list[str] = Field(description="Community slugs.")
    url: str
    published_at: datetime
    updated_at: datetime


class NewsPage(PageBase):
    results: list[NewsOut]


class NewsQuery(PlaceQuery):
    network: str | None = Field(None, pattern=SLUG_PATTERN, description="Network slug.")
    community: str | None = Field(None, pattern=SLUG_PATTERN, description="Community slug.")
    sdg: int | None = Field(None, ge=1, le=17, description="Agenda 2030 goal number.")
    language: InterfaceLanguage | None = Field(
        None, description="Only items written in or translated into this language."
    )


def news_data(request: HttpRequest, item: NewsItem) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "body_html": str(markdown_html(item.body)),
        "language": item.language,
        "translations": item.translations,
        "network": item.network.slug if item.network else None,
        "community": item.community.slug if item.community else None,
        "image_alt": item.image_alt,
        "themes": [t.slug for t in item.themes.all()],
        "goals": [g.number for g in item.goals.all()],
        "countries": [c.code for c in cast(list[Country], item.countries)],
        "related_practices": [p.slug for p in item.related_practices.all()],
        "related_events": [e.slug for e in item.related_events.all()],
        "related_communities": [c.slug for c in item.related_communities.all()],
        "url": page_url(request, item),
        "published_at": item.published_at,
        "updated_at": item.updated_at,
    }


def with_relations(queryset: QuerySet[NewsItem]) -> QuerySet[NewsItem]:
    return queryset.prefetch_related(
        "themes", "goals", "related_practices", "related_events", "related_communities"
    )


@router.get(
    "/news",
    response={200: NewsPage, 304: None, 400: Problem},
    url_name="news-list",
    summary="List published news, newest first",
)
def news_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[NewsQuery]
) -> dict[str, Any]:
    filters = filters_read(request, query, NewsFilterForm)
    items = news_list(filters=filters)
    (count,), latest = queryset_version(items)
    conditional_get(request, response, version=(count,), last_modified=latest)
    return page_of(
        request, with_relations(items), query, lambda item: news_data(request, item), count=count
    )


@router.get(
    "/news/{slug}",
    response={200: NewsOut, 304: None, 400: Problem, 404: Problem},
    url_name="news-detail",
    summary="One published news item",
)
def news_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100),
) -> dict[str, Any]:
    item = get_object_or_404(with_relations(news_list_base()), slug=slug)
    conditional_get(request, response, version=(item.updated_at,), last_modified=item.updated_at)
    return news_data(request, item)
