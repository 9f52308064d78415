"""The survey's confidence intervals against values worked out by hand (z = 1.6449)."""

import pytest

from villagehub.events.statistics import (
    Estimate,
    Z,
    mean_estimate,
    nps_estimate,
    share_estimate,
)


def test_z_is_the_normal_quantile_for_a_two_sided_90_percent_interval():
    assert round(Z, 4) == 1.6449


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        # Roots of (1 + z²/n)π² − (2p̂ + z²/n)π + p̂² = 0.
        (7, 10, Estimate(value=70.0, low=44.2, high=87.3, n=10)),
        (4, 5, Estimate(value=80.0, low=43.5, high=95.4, n=5)),
        # At 100 % the lower bound is n / (n + z²) = 5 / 7.7055.
        (5, 5, Estimate(value=100.0, low=64.9, high=100.0, n=5)),
        (0, 5, Estimate(value=0.0, low=0.0, high=35.1, n=5)),
    ],
)
def test_share_uses_the_wilson_score_interval(successes, n, expected):
    assert share_estimate(successes=successes, n=n) == expected


def test_share_of_nobody_is_no_figure():
    assert share_estimate(successes=0, n=0) is None


def test_nps_interval_uses_the_standard_error_of_the_difference():
    # p = 0.6, d = 0.2: NPS 40, SE = √((0.8 − 0.16)/10) = 0.25298, z·SE = 41.6 points.
    assert nps_estimate(promoters=6, detractors=2, n=10) == Estimate(
        value=40.0, low=-1.6, high=81.6, n=10
    )


def test_nps_interval_is_clipped_to_the_scale():
    # p = 0.8, d = 0: NPS 80, SE = √((0.8 − 0.64)/5) = 0.17889, z·SE = 29.4 points.
    assert nps_estimate(promoters=4, detractors=0, n=5) == Estimate(
        value=80.0, low=50.6, high=100.0, n=5
    )
    assert nps_estimate(promoters=0, detractors=4, n=5) == Estimate(
        value=-80.0, low=-100.0, high=-50.6, n=5
    )


def test_mean_interval_uses_the_sample_standard_deviation():
    # 4, 4, 5, 3, 5: mean 4.2, s² = 0.7, z·s/√5 = 0.615.
    assert mean_estimate(total=21, total_of_squares=91, n=5, low=1, high=5) == Estimate(
        value=4.2, low=3.6, high=4.8, n=5
    )
    # 5, 5, 5, 5, 4: mean 4.8, s² = 0.2, z·s/√5 = 0.329: clipped at 5.
    assert mean_estimate(total=24, total_of_squares=116, n=5, low=1, high=5) == Estimate(
        value=4.8, low=4.5, high=5.0, n=5
    )
