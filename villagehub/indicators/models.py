"""The curated indicators a community publishes, and the values it publishes for them."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from villagehub.core.models import Timestamped


@dataclass(frozen=True)
class Indicator:
    """One indicator of the curated list: what is measured, in which unit, and the Agenda 2030
    indicator it serves. `unit_code` is the UN/CEFACT common code NGSI-LD's `unitCode` takes."""

    code: str
    name: Promise
    unit: Promise | str
    unit_code: str
    sdg: str
    minimum: Decimal
    maximum: Decimal | None
    decimals: int

    def __str__(self) -> str:
        return str(self.name)

    @property
    def sdg_goal(self) -> int:
        return int(self.sdg.split(".")[0])


PERCENT = "%"  # a symbol every interface language writes the same
HUNDRED = Decimal(100)
ZERO = Decimal(0)

# The curated list, kept in code: the values refer to it by code, its names are translated
# like every interface string, and a change to it is reviewed like code.
INDICATORS: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        Indicator(
            "broadband-coverage",
            _("Broadband coverage (households reached by 100 Mbit/s or more)"),
            PERCENT, "P1", "9.c.1", ZERO, HUNDRED, 1,
        ),
        Indicator(
            "renewable-energy-share",
            _("Share of renewable energy in final energy consumption"),
            PERCENT, "P1", "7.2.1", ZERO, HUNDRED, 1,
        ),
        Indicator(
            "population",
            _("Population"),
            _("inhabitants"), "C62", "11.3.1", ZERO, Decimal(100_000_000), 0,
        ),
        Indicator(
            "services-within-15-minutes",
            _("Inhabitants reaching everyday services within 15 minutes"),
            PERCENT, "P1", "9.1.1", ZERO, HUNDRED, 1,
        ),
        Indicator(
            "volunteers-per-1000",
            _("Volunteers per 1,000 inhabitants"),
            _("per 1,000 inhabitants"), "C62", "11.3.2", ZERO, Decimal(1000), 1,
        ),
        Indicator(
            "internet-users",
            _("Inhabitants using the internet"),
            PERCENT, "P1", "17.8.1", ZERO, HUNDRED, 1,
        ),
        Indicator(
            "organic-food-in-canteens",
            _("Organic food in public canteens"),
            PERCENT, "P1", "2.4.1", ZERO, HUNDRED, 1,
        ),
        Indicator(
            "waste-recycled",
            _("Municipal waste recycled"),
            PERCENT, "P1", "12.5.1", ZERO, HUNDRED, 1,
        ),
        Indicator(
            "greenhouse-gas-per-inhabitant",
            _("Greenhouse gas emissions per inhabitant"),
            _("t CO₂e per inhabitant"), "TNE", "13.2.2", ZERO, Decimal(1000), 2,
        ),
    )
}  # fmt: skip

INDICATOR_CHOICES = [(code, indicator.name) for code, indicator in INDICATORS.items()]


class IndicatorValue(Timestamped):
    """A community's value of one indicator for one period: the time series of the
    community for that indicator is its rows, one per period."""

    class Channel(models.TextChoices):
        WEB = "web", _("web form")
        NGSI_LD = "ngsi-ld", "NGSI-LD"
        GENERATED = "generated", _("generated for benchmarks")

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        related_name="indicator_values",
        verbose_name=_("community"),
    )
    indicator = models.CharField(_("indicator"), max_length=40, choices=INDICATOR_CHOICES)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    source = models.CharField(_("source"), max_length=500)
    channel = models.CharField(_("published through"), max_length=16, choices=Channel.choices)

    class Meta:
        ordering = ["community", "indicator", "period_end"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "indicator", "period_start", "period_end"],
                name="indicators_value_one_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="indicators_value_period_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period_end"], name="indicators_by_period"),
        ]

    def __str__(self) -> str:
        return f"{self.community} · {self.indicator} · {self.period_start}–{self.period_end}"

    @property
    def definition(self) -> Indicator:
        return INDICATORS[self.indicator]

    @property
    def is_year(self) -> bool:
        return (
            self.period_start.year == self.period_end.year
            and (self.period_start.month, self.period_start.day) == (1, 1)
            and (self.period_end.month, self.period_end.day) == (12, 31)
        )


class PeerFigures(models.Model):
    """One group's figures of one indicator and year, kept so that a page reads them instead
    of every community's value: written only by `services.peer_figures_refresh`, whenever a
    value or a community's band, country or networks change.

    `group` is `all`, `band:<key>`, `country:<code>` or `network:<slug>`; `figures` the
    five figures as exact decimal texts (empty below `MIN_PEERS` values), `values` the sorted
    values as numbers, from which a community's rank is read (also empty below it)."""

    indicator = models.CharField(max_length=40, choices=INDICATOR_CHOICES)
    year = models.PositiveSmallIntegerField()
    group = models.CharField(max_length=120)
    count = models.PositiveIntegerField()
    figures = models.JSONField(default=dict)
    values = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "group"], name="indicators_figures_one_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.year} · {self.group}"
