from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep

from coparent.models.holdout import assign_holdout, holdout_size, reactivation


@given(st.integers(0, 400), st.floats(0.0, 0.5), st.integers(0, 2**32 - 1))
def test_holdout_assignment_is_reproducible_from_the_seed(n: int, share: float, seed: int) -> None:
    first = assign_holdout(n, share=share, seed=seed)
    np.testing.assert_array_equal(first, assign_holdout(n, share=share, seed=seed))
    assert int(first.sum()) == holdout_size(n, share)


@given(st.integers(2, 400), st.floats(0.01, 0.5), st.integers(0, 2**32 - 1))
def test_one_account_is_held_out_in_each_block_of_consecutive_ranks(
    n: int, share: float, seed: int
) -> None:
    held = assign_holdout(n, share=share, seed=seed)
    k = holdout_size(n, share)
    assert 1 <= k < n
    for block in np.array_split(held, k):
        assert int(block.sum()) == 1


def test_different_seeds_draw_different_holdouts() -> None:
    draws = {tuple(np.flatnonzero(assign_holdout(100, share=0.1, seed=s))) for s in range(20)}
    assert len(draws) == 20


def test_holdout_size_rounds_and_never_takes_everyone() -> None:
    assert [holdout_size(n, 0.1) for n in (0, 1, 2, 9, 14, 15, 100)] == [0, 0, 1, 1, 1, 2, 10]
    assert holdout_size(3, 0.9) == 2
    with pytest.raises(ValueError, match="share"):
        holdout_size(10, 1.0)


def test_reactivation_difference_uses_newcombes_interval() -> None:
    outcome = reactivation(contacted=(30, 90), holdout=(1, 10))
    low, high = confint_proportions_2indep(30, 90, 1, 10, method="newcomb", compare="diff")
    assert outcome.difference == pytest.approx(30 / 90 - 1 / 10)
    assert (outcome.ci_low, outcome.ci_high) == pytest.approx((low, high), rel=1e-9)
    assert not outcome.significant
    clear = reactivation(contacted=(300, 900), holdout=(2, 100))
    assert clear.significant
    assert clear.ci_low > 0
    assert clear.to_dict()["holdout"] == {
        "n": 100,
        "reactivated": 2,
        "rate": 0.02,
        "ci_low": clear.holdout.ci_low,
        "ci_high": clear.holdout.ci_high,
    }


def test_reactivation_without_a_holdout_has_no_difference() -> None:
    outcome = reactivation(contacted=(3, 9), holdout=(0, 0))
    assert outcome.difference is None
    assert not outcome.significant
    assert outcome.holdout.rate is None


def test_the_outcome_in_words_names_the_difference_and_its_interval() -> None:
    won = reactivation(contacted=(300, 900), holdout=(2, 100))
    assert won.verdict(window_days=90).startswith(
        "the outreach won accounts back: 33% of contacted accounts ordered again against 2%"
    )
    unclear = reactivation(contacted=(30, 90), holdout=(1, 10))
    assert unclear.verdict(window_days=90).startswith("no clear difference yet")
    worse = reactivation(contacted=(2, 900), holdout=(30, 100))
    assert "came back less often" in worse.verdict(window_days=90)
    assert won.verdict(window_days=0).startswith("too early")
    alone = reactivation(contacted=(3, 9), holdout=(0, 0))
    assert alone.verdict(window_days=30).startswith("no holdout")
