"""Intervals: published values, the zero cases, and what "significant" means."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coparent.diagnosis.noise import (
    deal_size_change,
    family_level,
    flow_ratio_change,
    newcombe_difference,
    proportion_change,
    volume_change,
    wilson,
    z_value,
)

NEWCOMBE_1998_METHOD_10 = [
    # (k1, n1, k0, n0) -> (low, high): Newcombe (1998), Table II, hybrid score (method 10)
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_1998_METHOD_10)
def test_difference_interval_reproduces_newcombe_1998_method_10(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    _, low, high = newcombe_difference(*counts)
    assert (round(float(low[0]), 4), round(float(high[0]), 4)) == expected


def test_wilson_1927_interval_for_none_and_all_successes_stays_inside_0_1() -> None:
    low, high = wilson([0, 10], [10, 10])
    assert low[0] == pytest.approx(0.0, abs=1e-15)
    assert high[1] == pytest.approx(1.0)
    assert 0 < high[0] < 0.31
    assert 0.69 < low[1] < 1


def test_family_level_is_bonferroni() -> None:
    assert family_level(0.95, 1) == pytest.approx(0.95)
    assert family_level(0.95, 5) == pytest.approx(0.99)
    assert z_value(family_level(0.95, 6)) == pytest.approx(2.638, abs=1e-3)


def test_volume_change_is_a_poisson_log_ratio_with_haldane_correction_at_zero() -> None:
    ch = volume_change([120, 10], [100, 0])
    half = 1.96 * math.sqrt(1 / 120 + 1 / 100)
    assert ch.estimate[0] == pytest.approx(math.log(1.2))
    assert ch.high[0] - ch.estimate[0] == pytest.approx(half, rel=1e-3)
    assert ch.estimate[1] == pytest.approx(math.log(10.5 / 0.5))
    assert ch.significant.tolist() == [False, True]


def test_against_a_fixed_target_only_the_current_count_is_noisy() -> None:
    ch = volume_change([90], [100], fixed_baseline=True)
    assert ch.high[0] - ch.estimate[0] == pytest.approx(1.96 * math.sqrt(1 / 90), rel=1e-3)


def test_flow_ratio_change_is_undefined_when_a_period_has_neither_stage() -> None:
    ch = flow_ratio_change([5, 0], [10, 0], [6, 3], [10, 4])
    assert np.isfinite(ch.estimate[0])
    assert math.isnan(ch.estimate[1])
    assert ch.significant.tolist() == [False, False]


def test_a_win_rate_drop_from_38_to_12_percent_on_60_deals_each_is_significant() -> None:
    ch = proportion_change([7], [60], [23], [60])
    assert ch.significant[0]
    assert ch.high[0] < 0
    same = proportion_change([22], [60], [23], [60])
    assert not same.significant[0]


def test_proportion_against_a_target_uses_the_wilson_interval_of_the_current_rate() -> None:
    ch = proportion_change([20], [50], [30], [60], fixed_baseline=True)
    low, high = wilson(20, 50)
    assert (ch.low[0], ch.high[0]) == pytest.approx((low[0] - 0.5, high[0] - 0.5))


def _log_sums(amounts: list[float]) -> tuple[int, float, float]:
    logs = np.log(amounts)
    return len(amounts), float(logs.sum()), float((logs * logs).sum())


def test_deal_size_uses_cox_interval_for_a_lognormal_mean() -> None:
    """Zhou & Gao (1997): theta = ybar + s^2/2, var = s^2/n + s^4/(2(n-1))."""
    a = [1000.0, 2000.0, 4000.0, 8000.0]
    b = [1000.0, 1000.0, 1000.0, 1000.0]
    ch = deal_size_change(*_log_sums(a), *_log_sums(b))
    logs = np.log(a)
    s2 = logs.var(ddof=1)
    theta1 = logs.mean() + s2 / 2
    assert ch.estimate[0] == pytest.approx(theta1 - math.log(1000.0))
    half = 1.96 * math.sqrt(s2 / 4 + s2 * s2 / 6)
    assert ch.high[0] - ch.estimate[0] == pytest.approx(half, rel=1e-3)


def test_one_huge_deal_in_a_handful_does_not_make_deal_size_significant() -> None:
    small = [1400.0, 3300.0, 1000.0, 3200.0, 1200.0, 360.0]
    one_huge = [1500.0, 3000.0, 900.0, 2500.0, 1100.0, 230_000.0]
    ch = deal_size_change(*_log_sums(one_huge), *_log_sums(small))
    assert not ch.significant[0]


def test_deal_size_needs_two_amounts_per_period() -> None:
    ch = deal_size_change(*_log_sums([500.0]), *_log_sums([100.0, 200.0]))
    assert math.isnan(ch.low[0])
    assert not ch.significant[0]
