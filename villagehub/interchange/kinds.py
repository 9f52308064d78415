"""What can be imported and exported: one entry per kind of record, in dependency order.

Columns are model field names. Relations are written by slug (goals by number, countries by
ISO 3166-1 alpha-2 code); nested lists and translations are JSON (in a CSV cell too).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from villagehub.communities.models import Community, Network, Representative
from villagehub.communities.services import (
    community_bulk_upsert,
    community_upsert,
    network_upsert,
)
from villagehub.countries.models import Factsheet
from villagehub.countries.services import factsheet_upsert
from villagehub.events.models import Event, Series
from villagehub.events.services import event_upsert, series_upsert
from villagehub.organisations.models import Organisation
from villagehub.organisations.services import organisation_upsert
from villagehub.practices.models import Practice
from villagehub.practices.services import practice_bulk_upsert, practice_upsert
from villagehub.taxonomy.models import FundingSource, Goal, Theme


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[models.Model]
    key: str  # the column that identifies a record across files
    columns: tuple[str, ...]
    upsert: Callable[..., models.Model]
    # Columns holding lists of objects; exported with these functions, imported as given.
    nested: dict[str, Callable[[Any], list[dict]]] = field(default_factory=dict)
    prefetch: tuple[str, ...] = ()
    # What a record must match to be public (in the open-data downloads).
    public_filter: dict[str, Any] = field(default_factory=dict)
    # Upserts many rows at once (rows whose nested lists are empty); returns errors by position.
    bulk_upsert: Callable[..., dict[int, Any]] | None = None
    # Columns exported with these functions and not imported (a picture is uploaded on the
    # site, not named in a file): an import accepts and skips them, so a download imports back.
    read_only: dict[str, Callable[[Any], Any]] = field(default_factory=dict)

    def is_nested(self, column: str) -> bool:
        return column in self.nested or column == "translations"


# The model each relation points at, and the field that names a record of it.
REFERENCE_KEYS: dict[type[models.Model], str] = {
    Organisation: "slug",
    Network: "slug",
    Community: "slug",
    Theme: "slug",
    FundingSource: "slug",
    Goal: "number",
    Representative: "name",
    Series: "slug",
    Practice: "slug",
}

KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind(
            name="organisations",
            model=Organisation,
            key="slug",
            columns=(
                "slug", "name", "acronym", "kind", "country", "website", "description",
                "language", "translations", "source",
            ),
            upsert=organisation_upsert,
        ),
        Kind(
            name="networks",
            model=Network,
            key="slug",
            columns=(
                "slug", "name", "kind", "description", "website", "country", "region",
                "founded", "period_start", "period_end", "operator", "target_population_min",
                "target_population_max", "organisations", "themes", "goals", "language",
                "translations", "source",
            ),
            upsert=network_upsert,
            prefetch=("organisations", "themes", "goals"),
        ),
        Kind(
            name="communities",
            model=Community,
            key="slug",
            columns=(
                "slug", "name", "kind", "country", "region", "population", "population_year",
                "latitude", "longitude", "coordinates_approximate", "website", "description",
                "themes", "goals", "networks", "representatives", "language", "translations",
                "source", "image",
            ),
            upsert=community_upsert,
            bulk_upsert=community_bulk_upsert,
            nested={
                "representatives": lambda c: [
                    {"name": r.name, "role": r.role} for r in c.representatives.all()
                ]
            },
            prefetch=("themes", "goals", "networks", "representatives"),
            read_only={"image": Community.image_described},
        ),
        Kind(
            name="practices",
            model=Practice,
            key="slug",
            columns=(
                "slug", "title", "community", "organisations", "summary", "description",
                "challenge", "approach", "involved", "results", "lessons", "budget_range",
                "volunteers", "contact_role", "contact_email", "contact_consent", "themes",
                "goals", "funding_sources", "start_year", "end_year", "status",
                "is_published", "links", "language", "translations", "source", "image",
            ),
            upsert=practice_upsert,
            bulk_upsert=practice_bulk_upsert,
            nested={
                "links": lambda p: [
                    {"url": x.url, "title": x.title, "kind": x.kind} for x in p.links.all()
                ]
            },
            prefetch=("organisations", "themes", "goals", "funding_sources", "links"),
            public_filter={"is_published": True},
            read_only={"image": Practice.image_described},
        ),
        Kind(
            name="factsheets",
            model=Factsheet,
            key="country",
            columns=(
                "country", "definition", "digital_key_feature", "digital_text",
                "social_innovation_key_feature", "social_innovation_text",
                "managing_authority", "cap_network_support", *Factsheet.ACTIVITY_FIELDS,
                "other_policies", "taskforce", "taskforce_text", "last_updated", "cap_support",
                "language", "translations", "source",
            ),
            upsert=factsheet_upsert,
            nested={
                "cap_support": lambda f: [
                    {
                        "period": s.period,
                        "support": s.support,
                        "measures": s.measures,
                        **({"translations": s.translations} if s.translations else {}),
                    }
                    for s in f.cap_support.all()
                ]
            },
            prefetch=("cap_support",),
        ),
        Kind(
            name="series",
            model=Series,
            key="slug",
            columns=(
                "slug", "name", "description", "networks", "organisations", "language",
                "translations", "source",
            ),
            upsert=series_upsert,
            prefetch=("networks", "organisations"),
        ),
        Kind(
            name="events",
            model=Event,
            key="slug",
            columns=(
                "slug", "title", "kind", "series", "number", "status", "summary",
                "description", "objectives", "organiser_networks", "organiser_organisations",
                "host_community", "host_representatives", "themes", "goals", "languages",
                "time_zone", "starts_at", "ends_at", "date_precision", "date_note",
                "venue_name", "venue_address", "city", "country", "latitude", "longitude",
                "online_url", "capacity", "registration_open", "registration_opens_at",
                "registration_closes_at", "waiting_list", "requires_approval",
                "reminder_minutes", "practices", "sessions", "sponsors", "materials",
                "questions", "language", "translations", "source",
            ),
            upsert=event_upsert,
            nested={
                "sessions": lambda e: [
                    {
                        "title": s.title,
                        "starts_at": s.starts_at.isoformat() if s.starts_at else None,
                        "ends_at": s.ends_at.isoformat() if s.ends_at else None,
                        "description": s.description,
                        "speakers": s.speakers,
                        "language": s.language,
                        **({"translations": s.translations} if s.translations else {}),
                    }
                    for s in e.sessions.all()
                ],
                "sponsors": lambda e: [
                    {
                        "name": s.name,
                        "tier": s.tier,
                        "website": s.website,
                        "organisation": s.organisation.slug if s.organisation else None,
                    }
                    for s in e.sponsors.select_related("organisation")
                ],
                "materials": lambda e: [
                    {"kind": m.kind, "title": m.title, "url": m.url} for m in e.materials.all()
                ],
                "questions": lambda e: [
                    {"label": q.label, "kind": q.kind, "choices": q.choices, "required": q.required}
                    for q in e.questions.all()
                ],
            },
            prefetch=(
                "organiser_networks", "organiser_organisations", "host_representatives",
                "themes", "goals", "practices", "sessions", "materials", "questions",
            ),
        ),
    ]
}  # fmt: skip
