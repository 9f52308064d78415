import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from villagehub.core.services import (
    model_save,
    name_lookalike_refuse,
    record_upsert,
    records_bulk_upsert,
    unique_slug,
)
from villagehub.core.tasks import image_variants_later
from villagehub.indicators.services import peer_figures_refresh_community
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice
from villagehub.search.models import SearchDocument
from villagehub.search.services import search_document_update, search_documents_update
from villagehub.taxonomy.models import Goal, Theme

from .models import Community, Network, Representative


class NetworkFields(TypedDict, total=False):
    """What `network_create`, `network_update` and `network_upsert` may set; a field left out
    keeps its value (or the model's default). Text dates are parsed by validation (imports)."""

    name: str
    kind: str
    description: str
    language: str
    translations: dict[str, dict[str, str]]
    source: str
    website: str
    country: str
    region: str
    founded: int | None
    period_start: datetime.date | str | None
    period_end: datetime.date | str | None
    operator: Organisation | None
    target_population_min: int | None
    target_population_max: int | None
    organisations: Iterable[Organisation]
    themes: Iterable[Theme]
    goals: Iterable[Goal]


class NetworkChanges(NetworkFields, total=False):
    """What `network_update` may change: the fields and the slug (the back office edits it)."""

    slug: str


class CommunityFields(TypedDict, total=False):
    """What `community_create`, `community_update` and `community_upsert` may set, beside the
    representatives; a field left out keeps its value (or the model's default)."""

    name: str
    kind: str
    country: str
    region: str
    population: int | None
    population_year: int | None
    latitude: Decimal | float | str | None
    longitude: Decimal | float | str | None
    coordinates_approximate: bool
    website: str
    description: str
    language: str
    translations: dict[str, dict[str, str]]
    source: str
    themes: Iterable[Theme]
    goals: Iterable[Goal]
    networks: Iterable[Network]
    image: File[bytes] | str | Literal[False]
    image_alt: str


class CommunityChanges(CommunityFields, total=False):
    """What `community_update` may change: the fields and the slug (the back office edits it)."""

    slug: str


def network_name_check(*, name: str, network: Network | None = None) -> None:
    """Refuse a name that looks like another network's (ValidationError on `name`)."""
    others = Network.objects.exclude(pk=network.pk) if network and network.pk else Network.objects
    name_lookalike_refuse(records=others.all(), name=name)


def community_name_check(*, name: str, country: Any, community: Community | None = None) -> None:
    """Refuse a name that looks like another community's in the same country."""
    others = Community.objects.filter(country=country)
    if community is not None and community.pk:
        others = others.exclude(pk=community.pk)
    name_lookalike_refuse(records=others, name=name)


@transaction.atomic
def network_create(*, slug: str = "", **fields: Unpack[NetworkFields]) -> Network:
    name = fields.pop("name", "")
    network_name_check(name=name)
    network = Network(slug=slug or unique_slug(Network, name))
    return model_save(network, {"name": name, **fields})


@transaction.atomic
def network_update(*, network: Network, **fields: Unpack[NetworkChanges]) -> Network:
    if fields.get("name", network.name) != network.name:
        network_name_check(name=fields["name"], network=network)
    return model_save(network, fields)


@transaction.atomic
def network_upsert(*, slug: str, **fields: Unpack[NetworkFields]) -> Network:
    return record_upsert(
        Network,
        slug=slug,
        create=network_create,
        update=lambda network, values: network_update(network=network, **values),
        fields=fields,
    )


def _representatives_set(
    community: Community, representatives: Iterable[Mapping[str, str]]
) -> None:
    rows = list(representatives)
    names = [str(r.get("name", "")).strip() for r in rows]
    if any(not n for n in names):
        raise ValidationError({"representatives": _("Every representative needs a name.")})
    if len(set(names)) != len(names):
        raise ValidationError({"representatives": _("A representative is listed twice.")})
    community.representatives.exclude(name__in=names).delete()
    for position, (name, row) in enumerate(zip(names, rows, strict=True)):
        Representative.objects.update_or_create(
            community=community,
            name=name,
            defaults={"role": str(row.get("role", "")).strip()[:200], "position": position},
        )


# Practices are found by the name and region of their community too, and filtered by its
# country and size.
PRACTICE_INDEXED_FIELDS = {"name", "region", "country", "population"}
# The peer groups of a community's indicator values follow these.
PEER_GROUP_FIELDS = {"country", "population", "networks"}


@transaction.atomic
def community_create(
    *,
    slug: str = "",
    representatives: Iterable[Mapping[str, str]] | None = None,
    **fields: Unpack[CommunityFields],
) -> Community:
    name = fields.pop("name", "")
    community_name_check(name=name, country=fields.get("country", ""))
    community = model_save(
        Community(slug=slug or unique_slug(Community, name)), {"name": name, **fields}
    )
    if community.image:
        image_variants_later(community)
    if representatives is not None:
        _representatives_set(community, representatives)
    search_document_update(obj=community)
    return community


@transaction.atomic
def community_update(
    *,
    community: Community,
    representatives: Iterable[Mapping[str, str]] | None = None,
    **fields: Unpack[CommunityChanges],
) -> Community:
    name, country = fields.get("name", community.name), fields.get("country", community.country)
    # Checked when the name or the country changes, not at every save of a record.
    if name != community.name or str(country) != str(community.country):
        community_name_check(name=name, country=country, community=community)
    replaced = (community.image.name or "") if community.image else ""
    model_save(community, fields)
    if "image" in fields:
        image_variants_later(community, replaced=replaced)
    if representatives is not None:
        _representatives_set(community, representatives)
    search_document_update(obj=community)
    if PEER_GROUP_FIELDS & set(fields):
        peer_figures_refresh_community(community_id=community.pk)
    if PRACTICE_INDEXED_FIELDS & set(fields):
        for practice in community.practices.prefetch_related("themes", "goals"):
            search_document_update(obj=practice)
    return community


@transaction.atomic
def community_upsert(
    *,
    slug: str,
    representatives: Iterable[Mapping[str, str]] | None = None,
    **fields: Unpack[CommunityFields],
) -> Community:
    return record_upsert(
        Community,
        slug=slug,
        create=lambda **values: community_create(representatives=representatives, **values),
        update=lambda community, values: community_update(
            community=community, representatives=representatives, **values
        ),
        fields=fields,
    )


@transaction.atomic
def community_bulk_upsert(*, records: list[dict[str, Any]]) -> dict[int, ValidationError]:
    """Upsert many communities by slug at once (imports), validated and indexed like
    `community_upsert`. Records may only give an empty list of representatives (which
    removes those stored); callers send the others through `community_upsert`.

    Returns the validation error of each record that was not written, by position.
    """
    clearing = [r["slug"] for r in records if "representatives" in r]
    if any(r["representatives"] for r in records if "representatives" in r):
        raise ValueError("representatives go through community_upsert")
    records = [{k: v for k, v in r.items() if k != "representatives"} for r in records]
    created, updated, errors = records_bulk_upsert(
        Community, key="slug", records=records, defaults={}
    )
    Representative.objects.filter(
        community__in=[c for c in updated if c.slug in set(clearing)]
    ).delete()
    search_documents_update(
        kind=SearchDocument.Kind.COMMUNITY, ids=[c.pk for c in created + updated]
    )
    regrouped = {r["slug"] for r in records if PEER_GROUP_FIELDS & set(r)}
    for community in updated:
        if community.slug in regrouped:
            peer_figures_refresh_community(community_id=community.pk)
    moved = {r["slug"] for r in records if PRACTICE_INDEXED_FIELDS & set(r)}
    search_documents_update(
        kind=SearchDocument.Kind.PRACTICE,
        ids=Practice.objects.filter(
            community__in=[c.pk for c in updated if c.slug in moved]
        ).values_list("pk", flat=True),
    )
    return errors
