"""Rows of the indicator downloads (CSV and JSON share them, as the hub's bulk downloads do)."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import translation

from .models import INDICATORS
from .selectors import Comparison, values_for_download

VALUE_COLUMNS = (
    "community",
    "community_name",
    "country",
    "indicator",
    "indicator_name",
    "unit",
    "sdg_indicator",
    "period_start",
    "period_end",
    "value",
    "source",
)

FIGURE_COLUMNS = (
    "indicator",
    "year",
    "group",
    "group_name",
    "communities",
    "minimum",
    "lower_quartile",
    "median",
    "upper_quartile",
    "maximum",
    "community_value",
    "rank",
)


def _text(value: Decimal | None) -> str | None:
    """A decimal without trailing zeros and never in exponent notation (40, 2.25)."""
    return None if value is None else format(value.normalize(), "f")


def value_rows(code: str | None = None) -> Iterator[dict[str, Any]]:
    """Every published value (of one indicator), in English names so a file reads the same
    whoever downloads it."""
    with translation.override("en"):
        names = {key: (str(i.name), str(i.unit)) for key, i in INDICATORS.items()}
    for value in values_for_download(code).iterator(chunk_size=2000):
        name, unit = names[value.indicator]
        yield {
            "community": value.community.slug,
            "community_name": value.community.name,
            "country": str(value.community.country),
            "indicator": value.indicator,
            "indicator_name": name,
            "unit": unit,
            "sdg_indicator": INDICATORS[value.indicator].sdg,
            "period_start": value.period_start.isoformat(),
            "period_end": value.period_end.isoformat(),
            "value": _text(value.value),
            "source": value.source,
        }


def figure_rows(comparison: Comparison) -> Iterator[dict[str, Any]]:
    """The figures of a comparison, one row per year and group; a distribution withheld for
    too few communities has only its count."""
    for figures in comparison.figures:
        d = figures.distribution
        yield {
            "indicator": comparison.indicator.code,
            "year": figures.year,
            "group": figures.group.key,
            "group_name": figures.group.label,
            "communities": d.count,
            "minimum": _text(d.minimum),
            "lower_quartile": _text(d.lower_quartile),
            "median": _text(d.median),
            "upper_quartile": _text(d.upper_quartile),
            "maximum": _text(d.maximum),
            "community_value": _text(figures.value),
            "rank": figures.rank,
        }
