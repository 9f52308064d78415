"""Confidence intervals for the survey's figures: shares, the Net Promoter Score and means.

All intervals are two-sided at 90 %; figures are percentages (or points on the 1–5 scale)
rounded to one decimal, clipped to what the figure can be.
"""

from dataclasses import dataclass
from math import sqrt
from statistics import NormalDist

CONFIDENCE = 0.90
Z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)  # 1.6449, the normal 95th percentile
MIN_ANSWERS = 5  # below this the survey's figures are withheld (privacy and meaning)


@dataclass(frozen=True)
class Estimate:
    """A figure with the number of answers it rests on and its 90 % confidence interval."""

    value: float
    low: float
    high: float
    n: int


def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def share_estimate(*, successes: int, n: int, z: float = Z) -> Estimate | None:
    """A share in per cent with its Wilson score interval (sound also near 0 % and 100 %)."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Estimate(
        value=round(100 * p, 1),
        low=round(100 * _clip(centre - half, 0.0, 1.0), 1),
        high=round(100 * _clip(centre + half, 0.0, 1.0), 1),
        n=n,
    )


def nps_estimate(*, promoters: int, detractors: int, n: int, z: float = Z) -> Estimate | None:
    """Net Promoter Score (% promoters − % detractors) with the interval NPS ± z·SE, where
    SE = √((p + d − (p − d)²) / n) is the standard error of the difference of the two shares
    of one multinomial sample; clipped to [−100, 100]."""
    if n <= 0:
        return None
    p, d = promoters / n, detractors / n
    score = p - d
    se = sqrt(max(p + d - score * score, 0) / n)
    return Estimate(
        value=round(100 * score, 1),
        low=round(_clip(100 * (score - z * se), -100.0, 100.0), 1),
        high=round(_clip(100 * (score + z * se), -100.0, 100.0), 1),
        n=n,
    )


def mean_estimate(
    *, total: float, total_of_squares: float, n: int, low: float, high: float, z: float = Z
) -> Estimate | None:
    """A mean with the interval mean ± z·s/√n (s the sample standard deviation), clipped to
    the scale [low, high]."""
    if n <= 0:
        return None
    mean = total / n
    variance = max(total_of_squares - n * mean * mean, 0) / (n - 1) if n > 1 else 0.0
    half = z * sqrt(variance / n)
    return Estimate(
        value=round(mean, 1),
        low=round(_clip(mean - half, low, high), 1),
        high=round(_clip(mean + half, low, high), 1),
        n=n,
    )
