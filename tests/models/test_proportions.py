from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from coparent.models.proportions import newcombe_difference, two_proportion_ztest, wilson


@st.composite
def counts(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(1, 100_000))
    return draw(st.integers(0, n)), n


@given(counts(), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_equals_statsmodels(c: tuple[int, int], level: float) -> None:
    low, high = proportion_confint(c[0], c[1], alpha=1 - level, method="wilson")
    assert wilson(*c, level=level) == pytest.approx((low, high), rel=1e-9, abs=1e-12)


@given(counts(), counts())
def test_newcombe_difference_equals_statsmodels(a: tuple[int, int], b: tuple[int, int]) -> None:
    low, high = confint_proportions_2indep(a[0], a[1], b[0], b[1], method="newcomb", compare="diff")
    d, lo, hi = newcombe_difference(a[0], a[1], b[0], b[1])
    assert d == pytest.approx(a[0] / a[1] - b[0] / b[1])
    assert (lo, hi) == pytest.approx((low, high), rel=1e-9, abs=1e-12)


@given(counts(), counts())
def test_two_proportion_ztest_equals_statsmodels(a: tuple[int, int], b: tuple[int, int]) -> None:
    pooled = (a[0] + b[0]) / (a[1] + b[1])
    z, p = two_proportion_ztest(a[0], a[1], b[0], b[1])
    if pooled in (0.0, 1.0):
        assert math.isnan(z)  # no variation at all
        return
    their_z, their_p = proportions_ztest([a[0], b[0]], [a[1], b[1]])
    assert z == pytest.approx(their_z, rel=1e-9, abs=1e-12)
    assert p == pytest.approx(their_p, rel=1e-9, abs=1e-300)


def test_no_trials_give_the_whole_unit_interval() -> None:
    assert wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="at least one subject"):
        newcombe_difference(0, 0, 1, 2)
