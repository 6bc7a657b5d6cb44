"""LMDI-I numerics: hand-computed cases, zero handling, and exact additivity as a property."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.diagnosis._lmdi import DELTA, effective_counts, factors, lmdi_effects, logmean


def test_logmean_is_the_mean_of_equal_values_and_lies_between_geometric_and_arithmetic() -> None:
    assert logmean(5.0, 5.0) == 5.0
    a, b = 6000.0, 4000.0
    assert math.sqrt(a * b) < logmean(a, b) < (a + b) / 2
    assert logmean(a, b) == pytest.approx(2000 / math.log(1.5), rel=1e-15)


def test_logmean_stays_accurate_for_nearly_equal_values() -> None:
    a = 1e6
    b = a * (1 + 1e-12)
    # (b - a) / ln(b / a) = a * x / ln(1 + x) ~ a * (1 + x / 2)
    assert logmean(a, b) == pytest.approx(a * (1 + 0.5e-12), rel=1e-14)


def test_a_tiny_hand_computed_bridge_without_leads() -> None:
    """Derivation (opportunities, closed, won, revenue):

    period 0: 10, 8, 4, 4000 -> volume 10, pace 0.8, win rate 0.5, deal 1000
    period 1: 20, 10, 4, 6000 -> volume 20, pace 0.5, win rate 0.4, deal 1500
    Lm(6000, 4000) = 2000 / ln 1.5 = 4932.6069...
    volume    = Lm * ln(20/10)    = 4932.6069 *  0.6931472 =  3419.02
    pace      = Lm * ln(0.5/0.8)  = 4932.6069 * -0.4700036 = -2318.34
    win rate  = Lm * ln(0.4/0.5)  = 4932.6069 * -0.2231436 = -1100.68
    deal size = Lm * ln(1500/1000) = 2000 exactly (ln 1.5 cancels)
    sum = 2000 = 6000 - 4000.
    """
    effects = lmdi_effects([10, 8, 4, 4000.0], [20, 10, 4, 6000.0])
    assert effects.tolist() == pytest.approx([3419.02, -2318.34, -1100.68, 2000.0], abs=0.01)
    assert effects[3] == pytest.approx(2000.0, rel=1e-12)
    assert effects.sum() == pytest.approx(2000.0, rel=1e-12)


def test_a_segment_that_appears_puts_its_whole_revenue_on_volume() -> None:
    effects = lmdi_effects([0, 0, 0, 0, 0, 0], [100, 60, 30, 25, 10, 1e5])
    assert effects[0] == pytest.approx(1e5 * (1 - DELTA))
    assert effects[1:].tolist() == pytest.approx([0.0] * 5, abs=1e-6)


def test_a_segment_that_stops_closing_puts_almost_all_of_its_loss_on_pace() -> None:
    # Ang & Liu (2007): as delta -> 0 the factor that went to zero takes the whole change;
    # at delta = 1e-20 the others keep about their log-change / ln(1/delta).
    effects = lmdi_effects([100, 60, 30, 25, 10, 1e5], [90, 50, 20, 0, 0, 0])
    assert effects.sum() == pytest.approx(-1e5, rel=1e-12)
    assert effects[3] / -1e5 > 0.98
    assert effects[4:].tolist() == pytest.approx([0.0, 0.0], abs=1e-6)
    leak = effects[0] / -1e5
    assert leak == pytest.approx(math.log(100 / 90) / math.log(1 / DELTA), rel=0.2)


def test_a_zero_stage_between_positive_ones_moves_the_change_to_the_earlier_factor() -> None:
    # No opportunity opened in period 0, yet 3 deals closed: O is imputed from C at period 1's
    # pace (C/O = 1), so pace shows no change and conversion carries the combined change.
    x0, x1 = [5, 0, 0, 3, 2, 100.0], [5, 2, 1, 1, 1, 50.0]
    pair = effective_counts(x0, x1)
    assert pair is not None
    assert pair[0].tolist() == [5, 6, 3, 3, 2, 100]
    assert pair[1].tolist() == x1
    effects = lmdi_effects(x0, x1)
    assert effects[2] == pytest.approx(0.0)
    assert effects[3] == pytest.approx(0.0)
    assert effects.sum() == pytest.approx(-50.0, rel=1e-12)


def test_revenue_zero_in_both_periods_means_every_effect_is_exactly_zero() -> None:
    assert effective_counts([10, 5, 0, 0], [10, 5, 2, 0]) is None
    assert lmdi_effects([10, 5, 0, 0], [10, 5, 2, 0]).tolist() == [0.0] * 4


def test_counts_must_be_non_negative_and_aligned() -> None:
    with pytest.raises(ValueError, match="negative"):
        lmdi_effects([1, -1, 1], [1, 1, 1])
    with pytest.raises(ValueError, match="same length"):
        lmdi_effects([1, 1], [1, 1, 1])


def _chain(draw: st.DrawFn) -> list[float]:
    """Stage counts as flows: each stage may exceed the one before, and any may be 0."""
    counts = [float(draw(st.integers(0, 2000) | st.just(0))) for _ in range(5)]
    revenue = draw(st.just(0.0) | st.floats(0.01, 1e8, allow_nan=False, allow_infinity=False))
    if counts[4] == 0:
        revenue = 0.0  # revenue is won revenue: no win, no revenue
    return [*counts, revenue]


chains = st.composite(_chain)


@given(chains(), chains())
def test_effects_sum_to_the_change_to_1e_9_of_the_revenue_scale(
    x0: list[float], x1: list[float]
) -> None:
    effects = lmdi_effects(x0, x1)
    assert np.isfinite(effects).all()
    change = x1[-1] - x0[-1]
    scale = max(x0[-1], x1[-1])
    assert abs(effects.sum() - change) <= 1e-9 * scale


@given(chains(), chains())
def test_effective_counts_are_positive_and_keep_any_positive_revenue(
    x0: list[float], x1: list[float]
) -> None:
    pair = effective_counts(x0, x1)
    if x0[-1] == 0 and x1[-1] == 0:
        assert pair is None
        return
    assert pair is not None
    for raw, eff in zip((x0, x1), pair, strict=True):
        assert (eff > 0).all()
        if raw[-1] > 0:
            assert eff[-1] == raw[-1]
        # the factors multiply back to the (stand-in) revenue
        assert np.prod(factors(eff)) == pytest.approx(eff[-1], rel=1e-9)
