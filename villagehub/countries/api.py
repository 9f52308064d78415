from datetime import date, datetime
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django_countries.fields import Country
from ninja import Query, Router, Schema
from ninja.params.functions import Path
from pydantic import Field

from villagehub.core.api import (
    COUNTRY_FIELD,
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

from .models import FACTSHEET_QUESTIONS, CapSupport, Factsheet
from .selectors import FactsheetFilterForm, factsheet_list

router = Router(tags=["countries"])


class CapSupportOut(Schema):
    period: str
    support: str
    measures: str
    language: str
    translations: dict[str, dict[str, str]]


class FactsheetOut(Schema):
    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    name: str = Field(description="The country's English name.")
    definition: str
    digital_key_feature: str
    digital_text: str
    social_innovation_key_feature: str
    social_innovation_text: str
    managing_authority: str
    cap_network_support: str
    activities: dict[str, bool]
    other_policies: str
    taskforce: bool | None
    taskforce_text: str
    last_updated: date | None
    cap_support: list[CapSupportOut]
    language: str
    translations: dict[str, dict[str, str]]
    url: str
    created_at: datetime
    updated_at: datetime


class FactsheetPage(PageBase):
    results: list[FactsheetOut]


class FactsheetQuery(TextQuery):
    country: str | None = COUNTRY_FIELD


# The questions answered in words (the activities are a list of their own), then the record's
# own fields.
TEXT_FIELDS = (
    *(name for name in FACTSHEET_QUESTIONS if name not in Factsheet.ACTIVITY_FIELDS),
    "last_updated",
    "language",
    "translations",
    "created_at",
    "updated_at",
)


def _factsheet_data(request: HttpRequest, f: Factsheet) -> dict[str, Any]:
    data = {name: getattr(f, name) for name in TEXT_FIELDS}
    country = cast(Country, f.country)
    data["country"] = country.code
    data["name"] = country.name
    data["activities"] = {
        name.removeprefix("activity_"): getattr(f, name) for name in f.ACTIVITY_FIELDS
    }
    data["cap_support"] = [
        {
            "period": s.period,
            "support": s.support,
            "measures": s.measures,
            "language": s.language,
            "translations": s.translations,
        }
        for s in f.cap_support.all()
    ]
    data["url"] = page_url(request, f)
    return data


@router.get(
    "/countries",
    response={200: FactsheetPage, 304: None, 400: Problem},
    url_name="factsheet-list",
    summary="List country factsheets on Smart Villages support",
)
def factsheet_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[FactsheetQuery]
) -> dict[str, Any]:
    filters = filters_read(request, query, FactsheetFilterForm)
    text = filters.pop("q", None)
    factsheets = text_filter(factsheet_list(filters=filters), query=text, kind="factsheet")
    version, latest = tables_version([Factsheet, CapSupport])
    conditional_get(request, response, version=version, last_modified=latest)
    count = factsheets.count()
    return page_of(request, factsheets, query, lambda f: _factsheet_data(request, f), count=count)


@router.get(
    "/countries/{code}",
    response={200: FactsheetOut, 304: None, 400: Problem, 404: Problem},
    url_name="factsheet-detail",
    summary="One country's factsheet",
)
def factsheet_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    code: str = Path(..., pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code."),
) -> dict[str, Any]:
    factsheet = factsheet_list(filters={"country": code}).first()
    if factsheet is None:
        raise Http404
    version, changed = record_version(factsheet, shows=[CapSupport])
    conditional_get(request, response, version=version, last_modified=changed)
    return _factsheet_data(request, factsheet)
