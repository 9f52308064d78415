"""The one write path of indicator values, from the web form and from NGSI-LD alike."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from villagehub.communities.models import Community
from villagehub.contributions.selectors import communities_edited_by, communities_reviewed_by
from villagehub.core.types import User
from villagehub.ngsi.errors import BadRequestData, Forbidden
from villagehub.ngsi.services import ADMIN_PERMISSION, hub_records_write, local_name

from .models import INDICATORS, IndicatorValue, PeerFigures
from .selectors import (
    COMMUNITY_PREFIX,
    KPI_TYPE,
    PERIOD_PREFIX,
    figures_of_year,
    kpi_documents,
    kpi_entity_id,
    kpi_entity_id_parse,
)

__all__ = [
    "KPI_TYPE",
    "indicator_value_delete",
    "indicator_value_publish",
    "kpi_entity_write",
    "peer_figures_refresh",
    "peer_figures_refresh_all",
    "peer_figures_refresh_community",
]

SOURCE_MAX = 500


def _view_refresh(*, community: Community, code: str) -> None:
    """Write the NGSI-LD view of the community's series, or remove it when none is left."""
    documents = kpi_documents(pairs=[(community.pk, code)])
    gone = [] if documents else [kpi_entity_id(community_slug=community.slug, code=code)]
    hub_records_write(documents=documents, gone=gone)


def _value_check(*, code: str, value: Decimal) -> None:
    indicator = INDICATORS[code]
    if value < indicator.minimum or (indicator.maximum is not None and value > indicator.maximum):
        raise ValidationError(
            {
                "value": _("The value must be between %(low)s and %(high)s.")
                % {"low": indicator.minimum, "high": indicator.maximum}
                if indicator.maximum is not None
                else _("The value must be %(low)s or more.") % {"low": indicator.minimum}
            }
        )


@transaction.atomic
def indicator_value_publish(
    *,
    community: Community,
    indicator: str,
    period_start: date,
    period_end: date,
    value: Decimal,
    source: str,
    channel: str,
) -> IndicatorValue:
    """Publish a community's value for a period; a value for the same period replaces the
    one published before. The NGSI-LD view follows in the same transaction."""
    if indicator not in INDICATORS:
        raise ValidationError({"indicator": _("There is no such indicator.")})
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period must end after it starts.")})
    if not source.strip():
        raise ValidationError({"source": _("Name the source of the value.")})
    _value_check(code=indicator, value=value)
    row, _created = IndicatorValue.objects.update_or_create(
        community=community,
        indicator=indicator,
        period_start=period_start,
        period_end=period_end,
        defaults={"value": value, "source": source.strip(), "channel": channel},
    )
    _view_refresh(community=community, code=indicator)
    peer_figures_refresh(code=indicator, year=period_end.year)
    return row


@transaction.atomic
def indicator_value_delete(*, value: IndicatorValue) -> None:
    community, code, year = value.community, value.indicator, value.period_end.year
    value.delete()
    _view_refresh(community=community, code=code)
    peer_figures_refresh(code=code, year=year)


# The kept figures of the peer groups.


@transaction.atomic
def peer_figures_refresh(*, code: str, year: int) -> None:
    """Compute again every group's figures of one indicator and year from the values, and
    keep them in place of those before. The rows are locked first, so that two publishers of
    the same indicator and year write one after the other, the second with the first's value;
    the first figures of a year are written as an upsert, so that two at once cannot collide."""
    list(
        PeerFigures.objects.select_for_update()
        .filter(indicator=code, year=year)
        .values_list("pk", flat=True)
    )
    found = figures_of_year(code=code, year=year)
    PeerFigures.objects.filter(indicator=code, year=year).exclude(group__in=list(found)).delete()
    PeerFigures.objects.bulk_create(
        [
            PeerFigures(
                indicator=code,
                year=year,
                group=group,
                count=distribution.count,
                figures=figures,
                values=values,
            )
            for group, (distribution, figures, values) in found.items()
        ],
        update_conflicts=True,
        unique_fields=["indicator", "year", "group"],
        update_fields=["count", "figures", "values"],
    )


def peer_figures_refresh_community(*, community_id: int) -> None:
    """After a community's size, country or networks changed: the figures of every indicator
    and year it has a value in."""
    pairs = (
        IndicatorValue.objects.filter(community_id=community_id)
        .values_list("indicator", "period_end__year")
        .distinct()
    )
    for code, year in sorted(set(pairs)):
        peer_figures_refresh(code=code, year=year)


@transaction.atomic
def peer_figures_refresh_all() -> None:
    """Every indicator and year with values (after bulk writes: generated data, imports)."""
    pairs = set(IndicatorValue.objects.values_list("indicator", "period_end__year").distinct())
    PeerFigures.objects.filter(
        pk__in=[
            pk
            for pk, code, year in PeerFigures.objects.values_list("pk", "indicator", "year")
            if (code, year) not in pairs
        ]
    ).delete()
    for code, year in sorted(pairs):
        peer_figures_refresh(code=code, year=year)


# NGSI-LD writes of KeyPerformanceIndicator entities.


def _attribute(attrs: dict[str, Any], name: str) -> list[dict[str, Any]]:
    for key, instances in attrs.items():
        if local_name(key) == name:
            instances_list: list[dict[str, Any]] = instances
            return instances_list
    return []


def _period_of(value: Any, *, where: str) -> tuple[date, date]:
    if not isinstance(value, dict):
        raise BadRequestData(f'{where}: give the period as {{"from": date, "to": date}}.')
    members = {local_name(key): item for key, item in value.items()}
    try:
        start = date.fromisoformat(str(members.get("from")))
        end = date.fromisoformat(str(members.get("to")))
    except ValueError:
        raise BadRequestData(f'{where}: "from" and "to" must be dates (YYYY-MM-DD).') from None
    if end < start:
        raise BadRequestData(f'{where}: "to" is before "from".')
    return start, end


_DATASET_PERIOD = re.compile(re.escape(PERIOD_PREFIX) + r"(\d{4}-\d\d-\d\d)/(\d{4}-\d\d-\d\d)$")


def _community_for_writer(*, user: User, slug: str) -> Community:
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise BadRequestData(f"id: there is no community {slug!r}.")
    if not (
        user.has_perm(ADMIN_PERMISSION)
        or communities_edited_by(user).filter(pk=community.pk).exists()
        or communities_reviewed_by(user).filter(pk=community.pk).exists()
    ):
        raise Forbidden(
            f"You do not edit the community {slug!r}; you cannot publish its indicators."
        )
    return community


def kpi_entity_write(*, user: User, entity_id: str, attrs: dict[str, Any]) -> bool:
    """Publish the values a KeyPerformanceIndicator entity carries: its id names the
    community and the indicator (`urn:ngsi-ld:KeyPerformanceIndicator:<community>-<indicator>`);
    `kpiValue` is the value of `calculationPeriod`, and any `kpiValue` instance whose
    `datasetId` names a period (as the entity the hub shows does) the value of that period."""
    parsed = kpi_entity_id_parse(entity_id)
    if parsed is None:
        # Not one of the curated indicators: a community's own KPI, an entity like any other.
        return False
    slug, code = parsed
    community = _community_for_writer(user=user, slug=slug)
    owner = _attribute(attrs, "refCommunity")
    if owner and owner[0].get("object") != f"{COMMUNITY_PREFIX}{slug}":
        raise BadRequestData(f"refCommunity: the id names the community {COMMUNITY_PREFIX}{slug}.")
    sources = _attribute(attrs, "source")
    source = sources[0].get("value") if sources else None
    if not isinstance(source, str) or not source.strip() or len(source) > SOURCE_MAX:
        raise BadRequestData(
            "source: name where the value comes from (a text or URL of at most "
            f"{SOURCE_MAX} characters)."
        )
    values = _attribute(attrs, "kpiValue")
    if not values:
        raise BadRequestData("kpiValue: the entity carries no value.")
    periods = _attribute(attrs, "calculationPeriod")
    published = []
    for instance in values:
        number = instance.get("value")
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise BadRequestData("kpiValue: the value must be a number.")
        dataset = instance.get("datasetId")
        if dataset is None:
            if not periods:
                raise BadRequestData("calculationPeriod: the period of kpiValue is missing.")
            period = _period_of(periods[0].get("value"), where="calculationPeriod")
        else:
            match = _DATASET_PERIOD.match(dataset)
            if match is None:
                raise BadRequestData(
                    f"kpiValue: a datasetId names a period as {PERIOD_PREFIX}<from>/<to>."
                )
            period = _period_of({"from": match[1], "to": match[2]}, where="kpiValue datasetId")
        try:
            amount = Decimal(str(number)).quantize(Decimal("0.0001"))
        except InvalidOperation:
            raise BadRequestData("kpiValue: the value is out of range.") from None
        published.append((period, amount))
    for (start, end), amount in published:
        try:
            indicator_value_publish(
                community=community,
                indicator=code,
                period_start=start,
                period_end=end,
                value=amount,
                source=source,
                channel=IndicatorValue.Channel.NGSI_LD,
            )
        except ValidationError as error:
            raise BadRequestData(
                "kpiValue: " + " ".join(message for message in error.messages)
            ) from None
    return True
