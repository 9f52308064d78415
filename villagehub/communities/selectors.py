from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from villagehub.core.db import Unindexed
from villagehub.core.filters import UNKNOWN_SLUG, CountryCaseForm, PlaceFilterForm, country_choices
from villagehub.practices.models import Practice
from villagehub.taxonomy.models import GOAL_TITLES

from .models import SIZE_BANDS, Community, Network, size_band_conditions, size_band_q


class CommunityFilterForm(PlaceFilterForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=Community.Kind.choices)
    network = forms.SlugField(label=_("Network"), required=False)
    size = forms.ChoiceField(
        label=_("Size"),
        required=False,
        choices=[(k, label) for k, (label, _low, _high) in SIZE_BANDS.items()],
    )
    sdg = forms.TypedChoiceField(
        label=_("Agenda 2030 goal"),
        required=False,
        coerce=int,
        choices=[(n, n) for n in GOAL_TITLES],
    )

    def clean_network(self) -> str:
        slug: str = self.cleaned_data["network"]
        if slug and not Network.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("there is no such network."), code=UNKNOWN_SLUG)
        return slug


class NetworkFilterForm(CountryCaseForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=Network.Kind.choices)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=country_choices)


def network_list(*, filters: dict[str, Any]) -> QuerySet[Network]:
    qs = Network.objects.select_related("operator")
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("country"):
        qs = qs.filter(country=filters["country"].upper())
    return qs.order_by("name", "pk")


def community_list(*, filters: dict[str, Any], size_indexed: bool = False) -> QuerySet[Community]:
    """The communities, in name order.

    A size band matches about half of the communities, yet without statistics on ranges the
    SQLite planner took the population index for it and sorted every match (200 ms for a
    page of 100,000 communities) instead of reading the name index in order and stopping
    after the page (under 1 ms). So the band is kept off the index, unless `size_indexed`:
    a count of the band is faster on it (4 ms rather than 18 ms).
    """
    qs = Community.objects.all()
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(name__icontains=q) | Q(region__icontains=q))
    if filters.get("country"):
        qs = qs.filter(country=filters["country"].upper())
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("theme"):
        qs = qs.filter(
            pk__in=Community.themes.through.objects.filter(theme__slug=filters["theme"]).values(
                "community_id"
            )
        )
    if filters.get("network"):
        qs = qs.filter(
            pk__in=Community.networks.through.objects.filter(
                network__slug=filters["network"]
            ).values("community_id")
        )
    if filters.get("sdg"):
        qs = qs.filter(
            pk__in=Community.goals.through.objects.filter(goal_id=filters["sdg"]).values(
                "community_id"
            )
        )
    if filters.get("size"):
        if size_indexed:
            qs = qs.filter(size_band_q(filters["size"]))
        else:
            qs = qs.filter(*size_band_conditions(filters["size"], Unindexed("population")))
    return qs.order_by("name", "pk")


def community_facets(*, filters: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """How many communities each goal and each size band would list, under the other
    filters: every goal and band, the empty ones too, so that a visitor sees what the hub
    can tell apart before any community says it."""
    rows = (
        Community.goals.through.objects.filter(
            community__in=community_list(filters={**filters, "sdg": None}).order_by()
        )
        .values_list("goal_id")
        .annotate(n=Count("community_id"))
    )
    goals = dict(rows)
    bands = community_list(filters={**filters, "size": None}).aggregate(
        **{band.replace("-", "_"): Count("pk", filter=size_band_q(band)) for band in SIZE_BANDS}
    )
    return {
        "sdg": [
            {"value": n, "label": title, "count": goals.get(n, 0)}
            for n, title in GOAL_TITLES.items()
        ],
        "size": [
            {"value": band, "label": label, "count": bands[band.replace("-", "_")]}
            for band, (label, _low, _high) in SIZE_BANDS.items()
        ],
    }


def community_practice_counts(communities: Iterable[Community]) -> None:
    """Set `practice_count` on the communities of one page, in one query."""
    communities = list(communities)
    counts = dict(
        Practice.objects.filter(is_published=True, community__in=[c.pk for c in communities])
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values_list("community", "n")
    )
    for community in communities:
        # Read by the list's template; not a field of the model.
        community.practice_count = counts.get(community.pk, 0)  # type: ignore[attr-defined]


def community_map_points(
    communities: QuerySet[Community], *, limit: int = 500
) -> list[dict[str, Any]]:
    """Place communities on an equirectangular SVG map of Europe (no JavaScript, no tiles)."""
    west, east, south, north = -25.0, 45.0, 34.0, 72.0
    width, height = 700, 380
    points = []
    located = communities.exclude(latitude=None).values("name", "slug", "latitude", "longitude")
    for row in located[:limit]:
        lon, lat = float(_located(row["longitude"])), float(_located(row["latitude"]))
        if not (west <= lon <= east and south <= lat <= north):
            continue
        points.append(
            {
                "name": row["name"],
                "slug": row["slug"],
                "x": round((lon - west) / (east - west) * width, 1),
                "y": round((north - lat) / (north - south) * height, 1),
            }
        )
    return points


def community_geojson(communities: QuerySet[Community]) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection: WGS 84, longitude before latitude."""
    return {"type": "FeatureCollection", "features": list(community_features(communities))}


def community_features(communities: QuerySet[Community]) -> Iterator[dict[str, Any]]:
    """The located communities as GeoJSON features, read in chunks (for streaming)."""
    rows = communities.exclude(latitude=None).values(
        "slug", "name", "kind", "country", "region", "population", "latitude", "longitude"
    )
    for row in rows.order_by("name", "pk").iterator(chunk_size=2000):
        yield {
            "type": "Feature",
            "id": row["slug"],
            "geometry": {
                "type": "Point",
                "coordinates": [
                    float(round(_located(row["longitude"]), 5)),
                    float(round(_located(row["latitude"]), 5)),
                ],
            },
            "properties": {
                "name": row["name"],
                "kind": row["kind"],
                "country": row["country"],
                "region": row["region"],
                "population": row["population"],
                "url": f"/communities/{row['slug']}/",
            },
        }


def _located(value: Decimal | None) -> Decimal:
    """A coordinate of a located community: the model keeps latitude and longitude both
    set or both empty, so past `exclude(latitude=None)` neither is empty."""
    return cast(Decimal, value)


def country_choices_in_use() -> list[tuple[str, str]]:
    codes = Community.objects.order_by().values_list("country", flat=True).distinct()
    return sorted(((c.lower(), countries.name(c)) for c in codes), key=lambda c: str(c[1]))
