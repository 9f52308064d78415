"""Synthetic indicator series of the generated communities, for comparisons and benchmarks."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from villagehub.communities.models import Community

from .models import INDICATORS, IndicatorValue
from .services import peer_figures_refresh_all

LAST_YEAR = 2024
SOURCE = "generated"
BATCH = 5000

# A community publishes an indicator with this chance, so groups differ in size and some
# stay below the number of peers a distribution needs.
PUBLISHES = 0.7


def _start(rng: random.Random, code: str, population: int) -> float:
    if code == "population":
        return float(population)
    maximum = INDICATORS[code].maximum
    if maximum == 100:
        return rng.uniform(20, 90)
    if code == "volunteers-per-1000":
        return rng.uniform(20, 200)
    return rng.uniform(2, 12)


def indicators_generate(
    *, seed: int, years: int, progress: Callable[[int], None] | None = None
) -> int:
    """Add `years` yearly values (to `LAST_YEAR`) of most indicators to every community
    `generate` made for `seed`. Bulk inserts, like the communities themselves: the values
    are valid by construction; their NGSI-LD views follow with the next `ngsi_sync`, the
    groups' figures at the end."""
    rng = random.Random(seed * 7919)  # noqa: S311 - reproducible test data, not secrets
    communities = Community.objects.filter(slug__startswith=f"g{seed}-c").order_by("pk")
    made = 0
    batch: list[IndicatorValue] = []
    for pk, population in communities.values_list("pk", "population").iterator():
        for code, indicator in INDICATORS.items():
            if rng.random() > PUBLISHES:
                continue
            level = _start(rng, code, population or 1000)
            drift = rng.uniform(-0.01, 0.04)
            for year in range(LAST_YEAR - years + 1, LAST_YEAR + 1):
                high = float(indicator.maximum) if indicator.maximum is not None else level * 2
                level = min(max(level * (1 + drift + rng.gauss(0, 0.01)), 0.0), high)
                batch.append(
                    IndicatorValue(
                        community_id=pk,
                        indicator=code,
                        period_start=date(year, 1, 1),
                        period_end=date(year, 12, 31),
                        value=round(Decimal(level), indicator.decimals),
                        source=SOURCE,
                        channel=IndicatorValue.Channel.GENERATED,
                    )
                )
            if len(batch) >= BATCH:
                IndicatorValue.objects.bulk_create(batch, batch_size=1000)
                made += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
    IndicatorValue.objects.bulk_create(batch, batch_size=1000)
    if progress:
        progress(len(batch))
    peer_figures_refresh_all()
    return made + len(batch)
