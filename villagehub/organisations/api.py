from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema
from pydantic import Field

from villagehub.core.api import (
    SLUG_PATTERN,
    PageBase,
    Problem,
    TextQuery,
    conditional_get,
    filters_read,
    page_of,
    page_url,
    record_version,
    tables_version,
    text_filter,
)

from .models import Organisation
from .selectors import OrganisationFilterForm, organisation_list

router = Router(tags=["organisations"])

OrganisationKind = Literal[tuple(Organisation.Kind.values)]  # type: ignore[valid-type]


class OrganisationOut(Schema):
    slug: str
    name: str
    acronym: str
    kind: str
    country: str = Field(description="ISO 3166-1 alpha-2 code, or empty.")
    website: str
    description: str
    language: str
    translations: dict[str, dict[str, str]]
    url: str
    created_at: datetime
    updated_at: datetime


class OrganisationPage(PageBase):
    results: list[OrganisationOut]


class OrganisationQuery(TextQuery):
    kind: OrganisationKind | None = None


def _organisation_data(request: HttpRequest, o: Organisation) -> dict:
    return {
        "slug": o.slug,
        "name": o.name,
        "acronym": o.acronym,
        "kind": o.kind,
        "country": o.country.code or "",
        "website": o.website,
        "description": o.description,
        "language": o.language,
        "translations": o.translations,
        "url": page_url(request, o),
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    }


@router.get(
    "/organisations",
    response={200: OrganisationPage, 304: None, 400: Problem},
    url_name="organisation-list",
    summary="List organisations",
)
def organisation_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[OrganisationQuery]
):
    filters = filters_read(request, query, OrganisationFilterForm)
    text = filters.pop("q", None)
    organisations = text_filter(organisation_list(filters=filters), query=text, kind="organisation")
    version, latest = tables_version([Organisation])
    conditional_get(request, response, version=version, last_modified=latest)
    count = organisations.count()
    return page_of(
        request, organisations, query, lambda o: _organisation_data(request, o), count=count
    )


@router.get(
    "/organisations/{slug}",
    response={200: OrganisationOut, 304: None, 400: Problem, 404: Problem},
    url_name="organisation-detail",
    summary="One organisation",
)
def organisation_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100),
):
    organisation = get_object_or_404(Organisation, slug=slug)
    version, changed = record_version(organisation, shows=[])
    conditional_get(request, response, version=version, last_modified=changed)
    return _organisation_data(request, organisation)
