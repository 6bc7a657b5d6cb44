from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import betaln
from scipy.stats import chisquare, ttest_ind

from coparent.errors import UnusableDataError
from coparent.models.abtest import (
    SRM_THRESHOLD,
    VariantData,
    analyze,
    prob_best,
    srm_p_value,
    welch,
)


def _exact_b_beats_a(ka: int, na: int, kb: int, nb: int) -> float:
    """P(p_B > p_A) for Beta(1+k, 1+n-k) posteriors, Miller's closed form (integer alpha_B)."""
    a_a, b_a, a_b, b_b = 1 + ka, 1 + na - ka, 1 + kb, 1 + nb - kb
    total = 0.0
    for i in range(a_b):
        total += math.exp(
            betaln(a_a + i, b_a + b_b) - math.log(b_b + i) - betaln(1 + i, b_b) - betaln(a_a, b_a)
        )
    return total


@pytest.mark.parametrize(
    ("ka", "na", "kb", "nb"),
    [(10, 100, 15, 100), (3, 40, 1, 45), (120, 1000, 150, 1000), (0, 5, 0, 5)],
)
def test_prob_best_of_two_equals_the_closed_form(ka: int, na: int, kb: int, nb: int) -> None:
    probs, _ = prob_best([ka, kb], [na, nb])
    assert probs[1] == pytest.approx(_exact_b_beats_a(ka, na, kb, nb), abs=1e-5)
    assert probs.sum() == pytest.approx(1.0)


def test_prob_best_and_expected_loss_of_three_agree_with_sampling() -> None:
    k, n = np.array([100, 112, 95]), np.array([1000, 1000, 900])
    probs, losses = prob_best(k, n)
    rng = np.random.default_rng(0)
    draws = rng.beta(1 + k, 1 + n - k, size=(400_000, 3))
    best = np.bincount(draws.argmax(axis=1), minlength=3) / len(draws)
    loss = (draws.max(axis=1)[:, None] - draws).mean(axis=0)
    np.testing.assert_allclose(probs, best, atol=4e-3)
    np.testing.assert_allclose(losses, loss, atol=2e-4)


def test_welch_from_sums_equals_scipy_on_the_raw_values() -> None:
    rng = np.random.default_rng(1)
    a = np.where(rng.random(800) < 0.1, rng.gamma(4, 400, 800), 0.0)
    b = np.where(rng.random(700) < 0.14, rng.gamma(4, 380, 700), 0.0)
    diff, low, high, t, df, p = welch(
        a.mean(), a.var(ddof=1), a.size, b.mean(), b.var(ddof=1), b.size
    )
    theirs = ttest_ind(a, b, equal_var=False)
    assert t == pytest.approx(theirs.statistic, rel=1e-9)
    assert p == pytest.approx(theirs.pvalue, rel=1e-9)
    ci = theirs.confidence_interval(0.95)
    assert (low, high) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert diff == pytest.approx(a.mean() - b.mean())
    assert df > 0


def test_srm_check_is_a_chi_square_against_the_planned_shares() -> None:
    assert srm_p_value([1000, 1200], [1, 1]) == pytest.approx(chisquare([1000, 1200]).pvalue)
    assert srm_p_value([1000, 1200], [1, 1]) < SRM_THRESHOLD
    assert srm_p_value([1000, 2000], [1, 2]) == pytest.approx(1.0)


def _counts(*rows: tuple[str, int, int]) -> list[VariantData]:
    return [VariantData(name, n, k) for name, n, k in rows]


def test_a_clear_winner_ships() -> None:
    result = analyze(_counts(("control", 3000, 300), ("new", 3000, 390)), control="control")
    assert (result.verdict, result.winner, result.challenger) == ("ship", "new", "new")
    assert result.comparison.ci_low > 0
    assert "P(best)" in result.reason


def test_a_clear_loser_stops_and_keeps_the_control() -> None:
    result = analyze(_counts(("control", 3000, 390), ("new", 3000, 300)), control="control")
    assert (result.verdict, result.winner) == ("stop", "control")
    assert "converts worse" in result.reason


def test_a_precise_null_result_stops_because_no_lift_worth_having_is_left() -> None:
    result = analyze(
        _counts(("control", 150_000, 18_000), ("new", 150_000, 17_900)),
        control="control",
        min_lift=0.05,
    )
    assert result.verdict == "stop"
    assert "no lift worth having" in result.reason


def test_an_inconclusive_test_keeps_testing_and_says_how_many_more() -> None:
    result = analyze(_counts(("control", 500, 50), ("new", 500, 58)), control="control")
    assert result.verdict == "keep testing"
    assert result.winner is None
    assert "more subjects per variant" in result.reason


def test_a_sample_ratio_mismatch_stops_whatever_the_rates_say() -> None:
    result = analyze(_counts(("control", 3000, 300), ("new", 2500, 400)), control="control")
    assert result.sample_ratio_mismatch
    assert result.verdict == "stop"
    assert "sample ratio mismatch" in result.reason


def test_more_conversions_but_less_revenue_per_subject_does_not_ship() -> None:
    data = [
        VariantData("control", 4000, 400, revenue_sum=400 * 1000.0, revenue_sq_sum=400 * 1.1e6),
        VariantData("cheap", 4000, 520, revenue_sum=520 * 500.0, revenue_sq_sum=520 * 2.6e5),
    ]
    result = analyze(data, control="control")
    assert result.revenue is not None
    assert result.revenue.difference < 0
    assert result.verdict == "stop"
    assert "less revenue per subject" in result.reason


def test_three_variants_judge_the_leader_at_a_bonferroni_level() -> None:
    result = analyze(
        _counts(("a", 2000, 200), ("b", 2000, 215), ("c", 2000, 260)), control="a", alpha=0.05
    )
    assert result.challenger == "c"
    assert result.level == pytest.approx(1 - 0.025)
    assert len(result.comparisons) == 2
    assert result.to_dict()["variants"][2]["variant"] == "c"


@pytest.mark.parametrize(
    ("data", "control", "message"),
    [
        (_counts(("only", 100, 10)), "only", "one variant"),
        (_counts(("a", 0, 0), ("b", 0, 0)), "a", "no subjects"),
        (_counts(("a", 10, 1), ("b", 0, 0)), "a", "without subjects: b"),
        (_counts(("a", 10, 1), ("b", 10, 2)), "control", "no variant named 'control'"),
    ],
)
def test_experiments_that_cannot_be_analysed_say_why(
    data: list[VariantData], control: str, message: str
) -> None:
    with pytest.raises(UnusableDataError, match=message) as info:
        analyze(data, control=control)
    assert info.value.hint


def test_the_sample_ratio_signal_has_a_watch_below_001_and_an_alarm_below_0001() -> None:
    # Fabijan et al. 2019 / Kohavi, Tang & Xu 2020 ch. 21: 1000 vs 1120 gives p = 0.0092.
    watched = analyze(_counts(("control", 1000, 100), ("new", 1120, 112)), control="control")
    assert 0.001 < watched.srm_p_value < 0.01
    assert watched.srm_level == "watch"
    assert not watched.sample_ratio_mismatch  # a watch does not decide the verdict
    assert "sample ratio" not in watched.reason
    alarmed = analyze(_counts(("control", 1000, 100), ("new", 1200, 120)), control="control")
    assert alarmed.srm_level == "alarm"
    assert alarmed.verdict == "stop"
    calm = analyze(_counts(("control", 1000, 100), ("new", 1010, 101)), control="control")
    assert calm.srm_level == "ok"
