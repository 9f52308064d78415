from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django_countries.fields import Country
from ninja import Query, Router, Schema
from ninja.params.functions import Path
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

# The values are read at run time (pydantic checks them and lists them in the OpenAPI schema);
# mypy cannot build a Literal from them, so to it they are strings.
if TYPE_CHECKING:
    OrganisationKind: TypeAlias = str
else:
    OrganisationKind = Literal[tuple(Organisation.Kind.values)]


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


def _organisation_data(request: HttpRequest, o: Organisation) -> dict[str, Any]:
    return {
        "slug": o.slug,
        "name": o.name,
        "acronym": o.acronym,
        "kind": o.kind,
        "country": cast(Country, o.country).code or "",
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
) -> dict[str, Any]:
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
) -> dict[str, Any]:
    organisation = get_object_or_404(Organisation, slug=slug)
    version, changed = record_version(organisation, shows=[])
    conditional_get(request, response, version=version, last_modified=changed)
    return _organisation_data(request, organisation)
