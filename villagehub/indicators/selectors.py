"""Reads of indicator values: the time series, the peer comparison and the NGSI-LD view."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from villagehub.communities.models import SIZE_BANDS, Community
from villagehub.ngsi import ld

from .models import INDICATORS, Indicator, IndicatorValue

# Below this many communities with a value, a group's distribution says more about single
# places than about the group, and a quartile would point at one community's figure.
MIN_PEERS = 5

KPI_TYPE = "KeyPerformanceIndicator"
KPI_PREFIX = "urn:ngsi-ld:KeyPerformanceIndicator:"
COMMUNITY_PREFIX = "urn:ngsi-ld:Community:"
PERIOD_PREFIX = "urn:villagehub:period:"
SDM_KPI = "https://smart-data-models.github.io/dataModel.KeyPerformanceIndicator/context.jsonld"


# Statistics.


@dataclass(frozen=True)
class Distribution:
    """The values of a group for one period: five figures when there are enough of them."""

    count: int
    minimum: Decimal | None = None
    lower_quartile: Decimal | None = None
    median: Decimal | None = None
    upper_quartile: Decimal | None = None
    maximum: Decimal | None = None

    @property
    def withheld(self) -> bool:
        return self.count < MIN_PEERS


def distribution(values: list[Decimal]) -> Distribution:
    """Median and quartiles by the inclusive method (linear interpolation between the closest
    ranks, as spreadsheets' QUARTILE.INC), or only the count below `MIN_PEERS` values."""
    if len(values) < MIN_PEERS:
        return Distribution(count=len(values))
    ordered = sorted(values)
    lower, median, upper = statistics.quantiles(ordered, n=4, method="inclusive")
    return Distribution(
        count=len(ordered),
        minimum=ordered[0],
        lower_quartile=lower,
        median=median,
        upper_quartile=upper,
        maximum=ordered[-1],
    )


def rank(value: Decimal, values: list[Decimal]) -> int:
    """1 for the highest value; equal values share a rank (1, 2, 2, 4)."""
    return 1 + sum(1 for other in values if other > value)


# Who compares with whom.


@dataclass(frozen=True)
class Group:
    """Communities compared together: all of them, a size band, a country or a network."""

    key: str
    label: str


@dataclass(frozen=True)
class Place:
    pk: int
    slug: str
    name: str
    country: str
    population: int | None
    networks: frozenset[str]

    def band(self) -> str | None:
        if self.population is None:
            return None
        for key, (_label, low, high) in SIZE_BANDS.items():
            if self.population >= low and (high is None or self.population <= high):
                return key
        return None

    def belongs(self, group: Group) -> bool:
        kind, _colon, name = group.key.partition(":")
        if kind == "all":
            return True
        if kind == "band":
            return self.band() == name
        if kind == "country":
            return self.country == name
        return kind == "network" and name in self.networks


def group_all() -> Group:
    return Group("all", str(_("All communities")))


def groups_of(community: Community) -> list[Group]:
    """The peer groups of a community: its size band, its country, each of its networks,
    and all communities."""
    groups = []
    band = community.size_band
    if band:
        groups.append(Group(f"band:{band}", str(SIZE_BANDS[band][0])))
    country = cast(Country, community.country)
    groups.append(Group(f"country:{country.code}", str(country.name)))
    groups += [
        Group(f"network:{network.slug}", network.name)
        for network in community.networks.order_by("name")
    ]
    groups.append(group_all())
    return groups


def groups_by_size() -> list[Group]:
    return [group_all()] + [
        Group(f"band:{key}", str(label)) for key, (label, _lo, _hi) in SIZE_BANDS.items()
    ]


# The series.


@dataclass
class Series:
    """Every community's value per year of one indicator (a community's last period ending
    in a year stands for that year), with what the groups need to know of each community."""

    indicator: Indicator
    by_year: dict[int, dict[int, Decimal]] = field(default_factory=dict)
    places: dict[int, Place] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year)

    def values(self, year: int, group: Group) -> list[Decimal]:
        return [
            value
            for pk, value in self.by_year.get(year, {}).items()
            if self.places[pk].belongs(group)
        ]


def _in_year(year: int) -> Q:
    # A range rather than `period_end__year`, so that the (indicator, period_end) index serves.
    return Q(period_end__gte=date(year, 1, 1), period_end__lte=date(year, 12, 31))


def series_read(*, code: str, year: int | None = None) -> Series:
    """One indicator's values of every community (of one year, or all) in two queries:
    the values with their communities, and the networks of those communities."""
    series = Series(indicator=INDICATORS[code])
    rows = IndicatorValue.objects.filter(indicator=code)
    if year is not None:
        rows = rows.filter(_in_year(year))
    memberships: dict[int, set[str]] = defaultdict(set)
    info = {}
    for pk, end, value, slug, name, country, population in rows.order_by(
        "period_end", "period_start"
    ).values_list(
        "community_id",
        "period_end",
        "value",
        "community__slug",
        "community__name",
        "community__country",
        "community__population",
    ):
        series.by_year.setdefault(end.year, {})[pk] = value
        info[pk] = (slug, name, country, population)
    through = Community.networks.through
    for community_id, network_slug in through.objects.filter(
        community_id__in=rows.values("community_id")
    ).values_list("community_id", "network__slug"):
        memberships[community_id].add(network_slug)
    series.places = {
        pk: Place(pk, slug, name, country, population, frozenset(memberships[pk]))
        for pk, (slug, name, country, population) in info.items()
    }
    return series


@dataclass(frozen=True)
class GroupFigures:
    group: Group
    year: int
    distribution: Distribution
    value: Decimal | None = None
    rank: int | None = None


@dataclass
class Comparison:
    indicator: Indicator
    year: int | None
    groups: list[GroupFigures]
    trend: list[tuple[int, Decimal | None, list[GroupFigures]]]

    @property
    def figures(self) -> list[GroupFigures]:
        return [figures for _year, _value, row in self.trend for figures in row]


def comparison(
    *,
    code: str,
    groups: list[Group],
    community: Community | None = None,
    year: int | None = None,
    trend: bool = True,
) -> Comparison:
    """An indicator's distribution in each group for one year (the community's latest, or the
    latest with values), the community's value and rank, and the same per year (the trend;
    without it, `year` must be given and only that year is read)."""
    series = series_read(code=code, year=None if trend else year)
    years = series.years
    if community is not None:
        own = [y for y in years if community.pk in series.by_year[y]]
        years_shown = own
    else:
        years_shown = years
    if year is None or year not in years_shown:
        year = years_shown[-1] if years_shown else None

    def figures_for(y: int) -> tuple[Decimal | None, list[GroupFigures]]:
        value = series.by_year[y].get(community.pk) if community is not None else None
        row = []
        for group in groups:
            values = series.values(y, group)
            row.append(
                GroupFigures(
                    group=group,
                    year=y,
                    distribution=distribution(values),
                    value=value,
                    rank=rank(value, values)
                    if value is not None and len(values) >= MIN_PEERS
                    else None,
                )
            )
        return value, row

    # Named apart from the `trend` flag it answers.
    yearly = [(y, *figures_for(y)) for y in years_shown]
    current = next((row for y, _value, row in yearly if y == year), [])
    return Comparison(indicator=series.indicator, year=year, groups=current, trend=yearly)


def community_indicators(
    *, community: Community
) -> list[tuple[Indicator, IndicatorValue, Comparison, list[IndicatorValue]]]:
    """For each indicator the community published: its latest value, its comparison in the
    year of that value, and its own series (newest first)."""
    own: dict[str, list[IndicatorValue]] = defaultdict(list)
    for value in IndicatorValue.objects.filter(community=community).order_by("-period_end"):
        own[value.indicator].append(value)
    groups = groups_of(community) if own else []
    return [
        (
            INDICATORS[code],
            own[code][0],
            comparison(
                code=code,
                groups=groups,
                community=community,
                year=own[code][0].period_end.year,
                trend=False,
            ),
            own[code],
        )
        for code in INDICATORS
        if code in own
    ]


def indicator_overview() -> list[tuple[Indicator, int, int | None, Distribution | None]]:
    """Each indicator with its latest year, how many communities published a value that
    year and their distribution: per indicator, one seek in the (indicator, period_end)
    index for the latest period, then that year's values."""
    overview: list[tuple[Indicator, int, int | None, Distribution | None]] = []
    for code, indicator in INDICATORS.items():
        last = (
            IndicatorValue.objects.filter(indicator=code)
            .order_by("-period_end")
            .values_list("period_end", flat=True)
            .first()
        )
        if last is None:
            overview.append((indicator, 0, None, None))
            continue
        latest = dict(
            IndicatorValue.objects.filter(_in_year(last.year), indicator=code)
            .order_by("period_end", "period_start")
            .values_list("community_id", "value")
        )
        overview.append((indicator, len(latest), last.year, distribution(list(latest.values()))))
    return overview


def values_for_download(code: str | None = None) -> QuerySet[IndicatorValue]:
    rows = IndicatorValue.objects.select_related("community")
    if code is not None:
        rows = rows.filter(indicator=code)
    return rows.order_by("indicator", "community__slug", "period_end", "period_start")


def community_series(*, community: Community, code: str) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.filter(community=community, indicator=code).order_by(
        "-period_end", "-period_start"
    )


# The NGSI-LD view.


def kpi_entity_id(*, community_slug: str, code: str) -> str:
    return f"{KPI_PREFIX}{community_slug}-{code}"


def kpi_entity_id_parse(entity_id: str) -> tuple[str, str] | None:
    """(community slug, indicator code) of a KeyPerformanceIndicator id, if it names one."""
    if not entity_id.startswith(KPI_PREFIX):
        return None
    rest = entity_id[len(KPI_PREFIX) :]
    for code in INDICATORS:
        if rest.endswith("-" + code) and len(rest) > len(code) + 1:
            return rest[: -len(code) - 1], code
    return None


def period_dataset_id(start: date, end: date) -> str:
    return f"{PERIOD_PREFIX}{start.isoformat()}/{end.isoformat()}"


def _number(indicator: Indicator, value: Decimal) -> int | float:
    rounded = round(value, indicator.decimals)
    return int(rounded) if indicator.decimals == 0 else float(rounded)


def _instant(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def kpi_document(
    *, community: Community, code: str, values: list[IndicatorValue]
) -> dict[str, Any]:
    """The KeyPerformanceIndicator entity of a community's series (`values` in time order):
    `kpiValue` is the latest period's value, with one more instance per period (its
    `datasetId` names the period), so the whole series is in the entity."""
    indicator = INDICATORS[code]
    latest = values[-1]

    def instance(value: IndicatorValue, dataset: bool) -> dict[str, Any]:
        item: dict[str, Any] = {
            "type": "Property",
            "value": _number(indicator, value.value),
            "unitCode": indicator.unit_code,
            "observedAt": _instant(value.period_end),
        }
        if dataset:
            item["datasetId"] = period_dataset_id(value.period_start, value.period_end)
        return item

    with translation.override("en"):
        name = str(indicator.name)
    document = {
        "id": kpi_entity_id(community_slug=community.slug, code=code),
        "type": KPI_TYPE,
        "name": {"type": "Property", "value": name},
        "category": {"type": "Property", "value": ["quantitative"]},
        "businessTarget": {"type": "Property", "value": f"SDG indicator {indicator.sdg}"},
        "sdgIndicator": {"type": "Property", "value": indicator.sdg},
        "organization": {"type": "Property", "value": community.name},
        "refCommunity": {"type": "Relationship", "object": f"{COMMUNITY_PREFIX}{community.slug}"},
        "kpiValue": [instance(latest, False)] + [instance(value, True) for value in values],
        "calculationPeriod": {
            "type": "Property",
            "value": {"from": latest.period_start.isoformat(), "to": latest.period_end.isoformat()},
        },
        "source": {"type": "Property", "value": latest.source},
    }
    if latest.is_year:
        document["calculationFrequency"] = {"type": "Property", "value": "yearly"}
    return document


def kpi_context() -> list[str]:
    return [ld.hub_context_url(), SDM_KPI]


def kpi_documents(
    since: datetime | None = None, *, pairs: list[tuple[int, str]] | None = None
) -> list[tuple[dict[str, Any], Any]]:
    """The entities of every community's series (changed since `since`, or of `pairs` of
    community id and indicator code, or all), each with its context."""
    rows = IndicatorValue.objects.select_related("community")
    if pairs is not None:
        condition = Q(pk__in=[])
        for community_id, code in pairs:
            condition |= Q(community_id=community_id, indicator=code)
        rows = rows.filter(condition)
    elif since is not None:
        changed = IndicatorValue.objects.filter(updated_at__gte=since).values_list(
            "community_id", "indicator"
        )
        return kpi_documents(pairs=list(set(changed))) if changed else []
    grouped: dict[tuple[int, str], list[IndicatorValue]] = defaultdict(list)
    for value in rows.order_by("community_id", "indicator", "period_end", "period_start"):
        grouped[(value.community_id, value.indicator)].append(value)
    context = kpi_context()
    return [
        (kpi_document(community=values[0].community, code=code, values=values), context)
        for (_community_id, code), values in grouped.items()
    ]


def kpi_ids() -> set[str]:
    return {
        kpi_entity_id(community_slug=slug, code=code)
        for slug, code in IndicatorValue.objects.values_list(
            "community__slug", "indicator"
        ).distinct()
    }
