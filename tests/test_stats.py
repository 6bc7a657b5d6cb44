"""The shared score intervals: published values, empty groups, and what an interval must hold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.stats import newcombe_difference, wilson, z_value


def test_newcombe_1998_table_ii_examples() -> None:
    # Newcombe (1998), Table II: 56/70 vs 48/80 gives 0.0524 to 0.3339 (method 10)
    d, lo, hi = newcombe_difference(56, 70, 48, 80)
    assert (round(float(lo[0]), 4), round(float(hi[0]), 4)) == (0.0524, 0.3339)
    assert float(d[0]) == pytest.approx(0.2)
    # and 9/10 vs 3/10: 0.1705 to 0.8090
    _, lo, hi = newcombe_difference(9, 10, 3, 10)
    assert (round(float(lo[0]), 4), round(float(hi[0]), 4)) == (0.1705, 0.809)


def test_an_empty_group_is_nan_and_the_others_still_count() -> None:
    lo, hi = wilson([3, 0], [10, 0])
    assert not math.isnan(lo[0])
    assert math.isnan(lo[1])
    assert math.isnan(hi[1])


def test_confidence_outside_0_1_is_refused() -> None:
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    with pytest.raises(ValueError, match="between 0 and 1"):
        z_value(1.0)


@given(st.integers(0, 500), st.integers(1, 500), st.floats(0.5, 0.999))
def test_the_wilson_interval_holds_the_rate_inside_0_1(k: int, extra: int, level: float) -> None:
    n = k + extra
    lo, hi = wilson(k, n, confidence=level)
    assert -1e-12 <= lo[0] <= k / n <= hi[0] <= 1 + 1e-12
    wider_lo, wider_hi = wilson(k, n, confidence=min(level + 0.0005, 0.9995))
    assert wider_lo[0] <= lo[0] + 1e-12
    assert hi[0] <= wider_hi[0] + 1e-12
    assert np.isfinite([lo[0], hi[0]]).all()
