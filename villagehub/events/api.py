from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django_countries.fields import Country
from ninja import Query, Router, Schema
from ninja.params.functions import Path
from pydantic import Field

from villagehub.communities.models import Community, Network
from villagehub.core.api import (
    SLUG_PATTERN,
    LanguageCode,
    PageBase,
    PlaceQuery,
    Problem,
    conditional_get,
    filters_read,
    page_of,
    page_url,
    queryset_version,
    record_version,
    tables_version,
)
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice
from villagehub.taxonomy.models import Theme

from .models import Event, Material, Series, Session, Sponsor
from .selectors import EventFilterForm, event_list, event_list_base

router = Router(tags=["events"])
# What an event's record shows of other records: their changes change its ETag.
SHOWN_MODELS = [
    Event,
    Series,
    Session,
    Sponsor,
    Material,
    Community,
    Network,
    Organisation,
    Theme,
    Practice,
]


class SessionOut(Schema):
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    description: str
    speakers: list[str]


class SponsorOut(Schema):
    name: str
    tier: str
    website: str


class MaterialOut(Schema):
    kind: str
    title: str
    url: str


class EventOut(Schema):
    slug: str
    title: str
    kind: str
    status: str
    series: str | None = Field(description="Series slug.")
    number: int | None = Field(description="Number of the event in its series.")
    summary: str
    description: str
    objectives: list[str]
    language: str
    translations: dict[str, dict[str, str]]
    languages: list[str] = Field(description="Languages the event is held in.")
    time_zone: str = Field(description="The event's own time zone (IANA name).")
    starts_at: datetime | None
    ends_at: datetime | None
    date_precision: str = Field(description="minute, day, year or unknown: what is known.")
    date_note: str
    online: bool = Field(description="Held online; the link goes only to participants.")
    venue_name: str
    city: str
    country: str
    latitude: float | None
    longitude: float | None
    capacity: int | None
    registration_open: bool
    organiser_networks: list[str]
    organiser_organisations: list[str]
    host_community: str | None
    themes: list[str]
    goals: list[int]
    practices: list[str]
    sessions: list[SessionOut]
    sponsors: list[SponsorOut]
    materials: list[MaterialOut]
    url: str
    calendar: str | None = Field(description="iCalendar address, when the date is known.")
    created_at: datetime
    updated_at: datetime


class EventPage(PageBase):
    results: list[EventOut]


# The values are read at run time (pydantic checks them and lists them in the OpenAPI schema);
# mypy cannot build a Literal from them, so to it they are strings.
if TYPE_CHECKING:
    EventKind: TypeAlias = str
else:
    EventKind = Literal[tuple(Event.Kind.values)]


class EventQuery(PlaceQuery):
    when: Literal["upcoming", "past"] | None = None
    kind: EventKind | None = None
    mode: Literal["online", "onsite"] | None = None
    language: LanguageCode | None = Field(None, description="Language the event is held in.")
    series: str | None = Field(
        None,
        pattern=SLUG_PATTERN,
        max_length=100,
        description="Series slug; one that names no series matches nothing.",
    )


def event_data(request: HttpRequest, e: Event) -> dict[str, Any]:
    from .selectors import event_in_calendar

    return {
        "slug": e.slug,
        "title": e.title,
        "kind": e.kind,
        "status": e.status,
        "series": e.series.slug if e.series else None,
        "number": e.number,
        "summary": e.summary,
        "description": e.description,
        "objectives": [line.strip() for line in e.objectives.splitlines() if line.strip()],
        "language": e.language,
        "translations": e.translations,
        "languages": e.languages,
        "time_zone": e.time_zone,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "date_precision": e.date_precision,
        "date_note": e.date_note,
        "online": bool(e.online_url),
        "venue_name": e.venue_name,
        "city": e.city,
        "country": cast(Country, e.country).code or "",
        "latitude": float(e.latitude) if e.latitude is not None else None,
        "longitude": float(e.longitude) if e.longitude is not None else None,
        "capacity": e.capacity,
        "registration_open": e.registration_state() == "open",
        "organiser_networks": [n.slug for n in e.organiser_networks.all()],
        "organiser_organisations": [o.slug for o in e.organiser_organisations.all()],
        "host_community": e.host_community.slug if e.host_community else None,
        "themes": [t.slug for t in e.themes.all()],
        "goals": [g.pk for g in e.goals.all()],
        "practices": [p.slug for p in e.practices.all()],
        "sessions": [
            {
                "title": s.title,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "description": s.description,
                "speakers": s.speaker_list,
            }
            for s in e.sessions.all()
        ],
        "sponsors": [
            {"name": s.name, "tier": s.tier, "website": s.website} for s in e.sponsors.all()
        ],
        "materials": [{"kind": m.kind, "title": m.title, "url": m.url} for m in e.materials.all()],
        "url": page_url(request, e),
        "calendar": request.build_absolute_uri(f"/events/{e.slug}.ics")
        if event_in_calendar(e)
        else None,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


def with_relations(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.select_related("series", "host_community").prefetch_related(
        "organiser_networks",
        "organiser_organisations",
        "themes",
        "goals",
        "practices",
        "sessions",
        "sponsors",
        "materials",
    )


@router.get(
    "/events",
    response={200: EventPage, 304: None, 400: Problem},
    url_name="event-list",
    summary="List public events: upcoming soonest first, otherwise newest first",
)
def event_list_endpoint(
    request: HttpRequest, response: HttpResponse, query: Query[EventQuery]
) -> dict[str, Any]:
    filters = filters_read(request, query, EventFilterForm)
    events = event_list(filters=filters)
    # The count follows time too (an event that ends leaves the upcoming list).
    (count,), latest = queryset_version(events)
    version, changed = tables_version(SHOWN_MODELS)
    latest = max(latest, changed) if latest and changed else latest or changed
    conditional_get(request, response, version=(count, *version), last_modified=latest)
    return page_of(
        request, with_relations(events), query, lambda e: event_data(request, e), count=count
    )


@router.get(
    "/events/{slug}",
    response={200: EventOut, 304: None, 400: Problem, 404: Problem},
    url_name="event-detail",
    summary="One public event",
)
def event_detail_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    slug: str = Path(..., pattern=SLUG_PATTERN, max_length=100),
) -> dict[str, Any]:
    event = get_object_or_404(with_relations(event_list_base()), slug=slug)
    version, changed = record_version(event, shows=SHOWN_MODELS)
    conditional_get(request, response, version=version, last_modified=changed)
    return event_data(request, event)
