"""Reads of indicator values: the time series, the peer comparison and the NGSI-LD view."""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from villagehub.communities.models import SIZE_BANDS, Community
from villagehub.ngsi import ld

from .models import INDICATORS, Indicator, IndicatorValue, PeerFigures

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


def _band(population: int | None) -> str | None:
    if population is None:
        return None
    for key, (_label, low, high) in SIZE_BANDS.items():
        if population >= low and (high is None or population <= high):
            return key
    return None


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


# The figures of each group, computed when values change (`services.peer_figures_refresh`).


def _in_year(year: int) -> Q:
    # A range rather than `period_end__year`, so that the (indicator, period_end) index serves.
    return Q(period_end__gte=date(year, 1, 1), period_end__lte=date(year, 12, 31))


FIGURE_NAMES = ("minimum", "lower_quartile", "median", "upper_quartile", "maximum")

# A group's distribution, with its figures and sorted values as `PeerFigures` keeps them.
Kept = tuple[Distribution, dict[str, str], list[float]]


def figures_of_year(*, code: str, year: int) -> dict[str, Kept]:
    """Every group's distribution of one indicator and year (a community's last period ending
    in the year stands for it), with the figures and sorted values as they are kept: in two
    queries, the values with their communities and the networks of those communities."""
    rows = IndicatorValue.objects.filter(_in_year(year), indicator=code)
    latest: dict[int, tuple[Decimal, str, int | None]] = {}
    for pk, value, country, population in rows.order_by("period_end", "period_start").values_list(
        "community_id", "value", "community__country", "community__population"
    ):
        latest[pk] = (value, country, population)
    memberships: dict[int, list[str]] = defaultdict(list)
    through = Community.networks.through
    for community_id, slug in through.objects.filter(
        community_id__in=rows.values("community_id")
    ).values_list("community_id", "network__slug"):
        memberships[community_id].append(slug)
    return groups_figures(latest, memberships)


def groups_figures(
    latest: dict[int, tuple[Decimal, str, int | None]], memberships: dict[int, list[str]]
) -> dict[str, Kept]:
    """Each group's figures from the communities' values (community id -> value, country,
    population) and their networks' slugs (also used by the migration that fills them)."""
    grouped: dict[str, list[Decimal]] = defaultdict(list)
    for pk, (value, country, population) in latest.items():
        band = _band(population)
        keys = ["all", f"country:{country}"]
        keys += [f"network:{slug}" for slug in memberships.get(pk, [])]
        if band is not None:
            keys.append(f"band:{band}")
        for key in keys:
            grouped[key].append(value)
    found: dict[str, Kept] = {}
    for key, values in grouped.items():
        spread = distribution(values)
        if spread.withheld:
            found[key] = (spread, {}, [])
            continue
        figures = {name: str(getattr(spread, name)) for name in FIGURE_NAMES}
        found[key] = (spread, figures, sorted(float(value) for value in values))
    return found


def _distribution(row: PeerFigures | None) -> Distribution:
    if row is None:
        return Distribution(count=0)
    return Distribution(
        count=row.count, **{name: Decimal(text) for name, text in row.figures.items()}
    )


def _rank(value: Decimal, row: PeerFigures | None) -> int | None:
    """The rank among the kept values: the same conversion to a number on both sides keeps
    equal values equal."""
    if row is None or row.count < MIN_PEERS:
        return None
    return 1 + len(row.values) - bisect.bisect_right(row.values, float(value))


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


def _figures_read(condition: Q, groups: list[Group], *, ranks: bool) -> QuerySet[PeerFigures]:
    rows = PeerFigures.objects.filter(
        condition, group__in=[group.key for group in groups] + ["all"]
    )
    # The sorted values are only read to rank a community.
    return rows if ranks else rows.defer("values")


def _own_by_year(values: list[IndicatorValue]) -> dict[int, Decimal]:
    """A community's value per year: its last period ending in the year."""
    own: dict[int, Decimal] = {}
    for value in sorted(values, key=lambda row: (row.period_end, row.period_start)):
        own[value.period_end.year] = value.value
    return own


def _comparison_of(
    *,
    indicator: Indicator,
    rows: list[PeerFigures],
    groups: list[Group],
    own: dict[int, Decimal] | None,
    year: int | None,
) -> Comparison:
    kept = {(row.year, row.group): row for row in rows}
    years = sorted({row.year for row in rows if row.group == "all"})
    years_shown = [y for y in years if y in own] if own is not None else years
    if year is None or year not in years_shown:
        year = years_shown[-1] if years_shown else None

    def figures_for(y: int) -> tuple[Decimal | None, list[GroupFigures]]:
        value = own.get(y) if own is not None else None
        row = []
        for group in groups:
            found = kept.get((y, group.key))
            row.append(
                GroupFigures(
                    group=group,
                    year=y,
                    distribution=_distribution(found),
                    value=value,
                    rank=_rank(value, found) if value is not None else None,
                )
            )
        return value, row

    trend = [(y, *figures_for(y)) for y in years_shown]
    current = next((row for y, _value, row in trend if y == year), [])
    return Comparison(indicator=indicator, year=year, groups=current, trend=trend)


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
    condition = Q(indicator=code) if trend or year is None else Q(indicator=code, year=year)
    rows = list(_figures_read(condition, groups, ranks=community is not None))
    own = None
    if community is not None:
        own = _own_by_year(list(community_series(community=community, code=code)))
    return _comparison_of(indicator=INDICATORS[code], rows=rows, groups=groups, own=own, year=year)


def community_indicators(
    *, community: Community
) -> list[tuple[Indicator, IndicatorValue, Comparison, list[IndicatorValue]]]:
    """For each indicator the community published: its latest value, its comparison in the
    year of that value, and its own series (newest first). Three queries whatever the number
    of indicators: the values, the networks, the kept figures."""
    own: dict[str, list[IndicatorValue]] = defaultdict(list)
    for value in IndicatorValue.objects.filter(community=community).order_by(
        "-period_end", "-period_start"
    ):
        own[value.indicator].append(value)
    if not own:
        return []
    groups = groups_of(community)
    condition = Q(pk__in=[])
    for values in own.values():
        condition |= Q(indicator=values[0].indicator, year=values[0].period_end.year)
    by_code: dict[str, list[PeerFigures]] = defaultdict(list)
    for row in _figures_read(condition, groups, ranks=True):
        by_code[row.indicator].append(row)
    return [
        (
            INDICATORS[code],
            own[code][0],
            _comparison_of(
                indicator=INDICATORS[code],
                rows=by_code[code],
                groups=groups,
                own=_own_by_year(own[code]),
                year=own[code][0].period_end.year,
            ),
            own[code],
        )
        for code in INDICATORS
        if code in own
    ]


def indicator_overview() -> list[tuple[Indicator, int, int | None, Distribution | None]]:
    """Each indicator with its latest year, how many communities published a value that
    year and their distribution: one query of the kept figures of all communities."""
    latest: dict[str, PeerFigures] = {}
    for row in PeerFigures.objects.filter(group="all").defer("values").order_by("year"):
        latest[row.indicator] = row
    overview: list[tuple[Indicator, int, int | None, Distribution | None]] = []
    for code, indicator in INDICATORS.items():
        kept = latest.get(code)
        if kept is None:
            overview.append((indicator, 0, None, None))
        else:
            overview.append((indicator, kept.count, kept.year, _distribution(kept)))
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
