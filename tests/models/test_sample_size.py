from __future__ import annotations

import math

import pytest
from statsmodels.stats.proportion import (
    power_proportions_2indep,
    samplesize_proportions_2indep_onetail,
)

from coparent.models.sample_size import sample_size_per_variant


@pytest.mark.parametrize(
    ("baseline", "mde", "power", "alpha"),
    [
        (0.10, 0.02, 0.8, 0.05),
        (0.03, 0.005, 0.9, 0.01),
        (0.5, -0.1, 0.8, 0.05),
        (0.12, 0.001, 0.8, 0.05),
    ],
)
def test_sample_size_equals_statsmodels_and_reaches_the_power(
    baseline: float, mde: float, power: float, alpha: float
) -> None:
    n = sample_size_per_variant(baseline=baseline, mde=mde, power=power, alpha=alpha)
    theirs = samplesize_proportions_2indep_onetail(
        mde, baseline, power, alpha=alpha, alternative="two-sided"
    )
    assert n == math.ceil(theirs)
    assert power_proportions_2indep(mde, baseline, n, alpha=alpha).power >= power - 1e-6


def test_the_textbook_case_needs_3841_per_variant() -> None:
    # 10% -> 12%, 80% power, 5% two-sided: Fleiss, Levin & Paik (2003), eq. 4.14.
    assert sample_size_per_variant(baseline=0.10, mde=0.02) == 3841


@pytest.mark.parametrize(("baseline", "mde"), [(0.0, 0.1), (0.95, 0.1), (0.1, 0.0), (1.2, 0.1)])
def test_impossible_rates_are_a_value_error(baseline: float, mde: float) -> None:
    with pytest.raises(ValueError, match=r"rate|zero"):
        sample_size_per_variant(baseline=baseline, mde=mde)
