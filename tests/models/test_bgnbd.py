from __future__ import annotations

import warnings

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import approx_fprime

from coparent.errors import ConvergenceError, CoparentError, NotFittedError, UnusableDataError
from coparent.models._compress import compress
from coparent.models.bgnbd import CONVERGENCE_HINT, BetaGeo, _negative_log_likelihood, _Pairs
from tests.models.conftest import PAPER_BGNBD, PAPER_BGNBD_LL, pinned_pair

# --- golden: Fader, Hardie & Lee (2005) on CDNOW -------------------------------------------------


def test_bgnbd_reproduces_fader_hardie_lee_2005_cdnow_estimates(fitted_cdnow: BetaGeo) -> None:
    # The paper reports three decimals: the fit must round to them (half a unit of the last digit).
    assert fitted_cdnow.params_ == pytest.approx(PAPER_BGNBD, abs=5e-4)
    assert fitted_cdnow.log_likelihood_ == pytest.approx(PAPER_BGNBD_LL, rel=1e-3)
    assert fitted_cdnow.log_likelihood_ == pytest.approx(-9582.4256, abs=1e-3)  # SOURCE.md


def test_bgnbd_log_likelihood_at_the_paper_estimates_is_the_papers(cdnow: pd.DataFrame) -> None:
    model = BetaGeo.from_params(**PAPER_BGNBD)
    ll = model.log_likelihood(cdnow.frequency, cdnow.recency, cdnow["T"])
    assert ll == pytest.approx(
        -9582.4268, abs=1e-3
    )  # re-computed in ../shared/data/cdnow/SOURCE.md
    assert ll == pytest.approx(PAPER_BGNBD_LL, rel=1e-3)


def test_bgnbd_expected_purchases_match_hardie_excel_sheet(fitted_cdnow: BetaGeo) -> None:
    # lifetimes tests/test_estimation.py (asserted there to 3 decimals), from the Excel sheet
    # that accompanies the paper; the sheet's own estimates differ in the fourth digit, which
    # moves E[X(78)] by 4e-4.
    t = [0.1429, 1, 3, 31.8571, 32, 78]
    expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]
    np.testing.assert_allclose(fitted_cdnow.expected_purchases(t), expected, atol=5e-4)


def test_bgnbd_conditional_expectation_for_cdnow_customer_1_matches_hardie_excel_sheet(
    fitted_cdnow: BetaGeo,
) -> None:
    value = fitted_cdnow.conditional_expected_purchases(39, 2, 30.43, 38.86)
    assert float(value[0]) == pytest.approx(1.226, abs=1e-3)


def test_bgnbd_fit_equals_lifetimes_fit_on_cdnow(
    fitted_cdnow: BetaGeo, cdnow: pd.DataFrame
) -> None:
    from lifetimes import BetaGeoFitter

    theirs = BetaGeoFitter().fit(cdnow.frequency, cdnow.recency, cdnow["T"])
    for key in ("r", "alpha", "a", "b"):
        assert fitted_cdnow.params_[key] == pytest.approx(theirs.params_[key], rel=1e-4)
    # lifetimes' standard errors: r 0.0126, alpha 0.378, a 0.186, b 0.705 (STACK.md)
    summary = fitted_cdnow.summary()
    np.testing.assert_allclose(
        summary["std_error"].to_numpy(), theirs.standard_errors_.to_numpy(), rtol=1e-2
    )


def test_p_alive_and_expected_purchases_equal_lifetimes_on_cdnow(
    fitted_cdnow: BetaGeo, cdnow: pd.DataFrame
) -> None:
    ours, theirs = pinned_pair(fitted_cdnow.params_)
    x, t_x, age = cdnow.frequency.to_numpy(), cdnow.recency.to_numpy(), cdnow["T"].to_numpy()
    np.testing.assert_allclose(
        ours.probability_alive(x, t_x, age),
        theirs.conditional_probability_alive(x, t_x, age),
        rtol=1e-6,
    )
    for t in (1.0, 39.0, 52.0):
        np.testing.assert_allclose(
            ours.conditional_expected_purchases(t, x, t_x, age),
            theirs.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age),
            rtol=1e-6,
        )
    np.testing.assert_allclose(
        ours.expected_purchases([1.0, 39.0, 78.0]),
        theirs.expected_number_of_purchases_up_to_time(np.array([1.0, 39.0, 78.0])),
        rtol=1e-6,
    )
    # STACK.md: 39-week expected purchases sum to 1653.4, mean P(alive) 0.8134
    assert ours.conditional_expected_purchases(39, x, t_x, age).sum() == pytest.approx(
        1653.4, abs=0.1
    )
    assert ours.probability_alive(x, t_x, age).mean() == pytest.approx(0.8134, abs=1e-4)


def test_probability_of_n_purchases_equals_lifetimes_and_sums_to_one(fitted_cdnow: BetaGeo) -> None:
    ours, theirs = pinned_pair(fitted_cdnow.params_)
    n = np.arange(0, 12)
    expected = [theirs.probability_of_n_purchases_up_to_time(39, int(k)) for k in n]
    np.testing.assert_allclose(ours.probability_of_purchases(39, n), expected, rtol=1e-6)
    assert ours.probability_of_purchases(39, np.arange(0, 400)).sum() == pytest.approx(1, abs=1e-9)


# --- the likelihood ------------------------------------------------------------------------------


def test_analytic_gradient_matches_finite_differences(cdnow: pd.DataFrame) -> None:
    data = _Pairs.build(
        compress(
            (cdnow.frequency.to_numpy(float), cdnow.recency.to_numpy(), cdnow["T"].to_numpy()),
            np.ones(len(cdnow)),
        )
    )
    for theta in (np.log([0.24, 4.4, 0.79, 2.4]), np.log([1.5, 0.7, 3.0, 0.4])):
        grad = _negative_log_likelihood(theta, data, 0.0)[1]
        numeric = approx_fprime(theta, lambda t: _negative_log_likelihood(t, data, 0.0)[0], 1e-7)
        np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-3)


def test_log_likelihood_stays_finite_for_customers_with_thousands_of_purchases(
    cdnow: pd.DataFrame,
) -> None:
    model = BetaGeo.from_params(r=0.24, alpha=4.4, a=0.79, b=2.4)
    x = np.array([0.0, 5.0, 3_000.0, 20_000.0])
    t_x = np.array([0.0, 30.0, 38.9, 39.0])
    age = np.array([39.0, 39.0, 39.0, 39.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ll = model.log_likelihood(x, t_x, age)
        alive = model.probability_alive(x, t_x, age)
        expected = model.conditional_expected_purchases(10.0, x, t_x, age)
    assert np.isfinite(ll)
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(np.isfinite(expected))
    assert expected[3] > expected[2] > expected[1]  # heavier buyers are expected to buy more
    # A naive likelihood overflows here: gamma(r + x) alone is inf for x = 20,000.
    refit = BetaGeo().fit(
        np.r_[x, cdnow.frequency], np.r_[t_x, cdnow.recency], np.r_[age, cdnow["T"]]
    )
    assert np.isfinite(refit.log_likelihood_)


def test_fit_on_grouped_triples_with_weights_equals_fit_on_rows(cdnow: pd.DataFrame) -> None:
    rows = BetaGeo().fit(cdnow.frequency, cdnow.recency, cdnow["T"])
    grouped = cdnow.groupby(["frequency", "recency", "T"]).size().reset_index(name="n")
    weighted = BetaGeo().fit(grouped.frequency, grouped.recency, grouped["T"], grouped.n)
    assert len(grouped) < len(cdnow)
    assert weighted.params_ == pytest.approx(rows.params_, rel=1e-6)
    assert weighted.log_likelihood_ == pytest.approx(rows.log_likelihood_, rel=1e-9)
    assert weighted.n_customers_ == len(cdnow)


def test_alpha_scales_with_the_time_unit_and_the_rest_do_not(cdnow: pd.DataFrame) -> None:
    weeks = BetaGeo().fit(cdnow.frequency, cdnow.recency, cdnow["T"])
    days = BetaGeo().fit(cdnow.frequency, cdnow.recency * 7, cdnow["T"] * 7)
    assert days.params_["alpha"] == pytest.approx(7 * weeks.params_["alpha"], rel=1e-5)
    for key in ("r", "a", "b"):
        assert days.params_[key] == pytest.approx(weeks.params_[key], rel=1e-5)


# --- API shape and errors ------------------------------------------------------------------------


def test_fit_returns_self_and_repr_says_fitted_on_how_many_customers(cdnow: pd.DataFrame) -> None:
    model = BetaGeo()
    assert repr(model) == "<BetaGeo: not fitted>"
    assert model.fit(cdnow.frequency, cdnow.recency, cdnow["T"]) is model
    assert repr(model).startswith("<BetaGeo: fitted on 2,357 customers; r=0.2426, alpha=4.414")
    assert "pinned parameters" in repr(BetaGeo.from_params(**PAPER_BGNBD))
    table = model.summary()
    assert list(table.index) == ["r", "alpha", "a", "b"]
    assert list(table.columns) == ["estimate", "std_error", "ci_low", "ci_high"]
    assert (table.ci_low < table.estimate).all()
    assert (table.estimate < table.ci_high).all()


def test_predicting_with_an_unfitted_model_is_a_not_fitted_error() -> None:
    with pytest.raises(NotFittedError, match="BetaGeo is not fitted") as info:
        BetaGeo().probability_alive(1, 1.0, 2.0)
    assert "from_params" in info.value.hint
    assert isinstance(info.value, CoparentError)


def test_a_base_without_drop_out_signal_is_a_convergence_error_with_the_fix() -> None:
    # Every repeat buyer bought on the last day: nothing shows drop-out, a/b runs off to zero.
    age = np.linspace(10, 40, 50)
    with pytest.raises(ConvergenceError) as info:
        BetaGeo().fit(np.tile([1.0, 2, 3, 4, 5], 10), age, age)
    assert info.value.hint == CONVERGENCE_HINT
    # What failed, in words, never the optimiser's own "terminated successfully".
    assert "successfully" not in info.value.message
    assert "ran off towards" in info.value.message or "slopes" in info.value.message
    assert any(name in info.value.message for name in ("r", "alpha", "a", "b"))
    assert "penalizer" in info.value.hint
    assert "RFM" in info.value.hint
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, CoparentError)


def test_a_penalizer_shrinks_the_parameters(cdnow: pd.DataFrame) -> None:
    plain = BetaGeo().fit(cdnow.frequency, cdnow.recency, cdnow["T"])
    shrunk = BetaGeo(penalizer_coef=0.1).fit(cdnow.frequency, cdnow.recency, cdnow["T"])
    assert sum(v * v for v in shrunk.params_.values()) < sum(v * v for v in plain.params_.values())


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([-1.0], [0.0], [5.0], "whole numbers"),
        ([1.5], [1.0], [5.0], "whole numbers"),
        ([2.0], [6.0], [5.0], "between 0 and T"),
        ([0.0], [2.0], [5.0], "recency must be 0"),
        ([1.0], [float("nan")], [5.0], "missing or infinite"),
        ([], [], [], "no customers"),
        ([0.0, 0.0], [0.0, 0.0], [5.0, 9.0], "nobody bought more than once"),
    ],
)
def test_impossible_customer_histories_are_refused_with_a_hint(
    frequency: list[float],
    recency: list[float],
    T: list[float],
    message: str,
) -> None:
    with pytest.raises(UnusableDataError, match=message) as info:
        BetaGeo().fit(frequency, recency, T)
    assert "customer_base" in info.value.hint


# --- properties ----------------------------------------------------------------------------------

params = st.fixed_dictionaries(
    {
        "r": st.floats(0.01, 50),
        "alpha": st.floats(0.01, 500),
        "a": st.floats(0.01, 50),
        "b": st.floats(0.01, 50),
    }
)


@st.composite
def histories(draw: st.DrawFn) -> tuple[float, float, float]:
    age = draw(st.floats(0.0, 2_000.0))
    x = draw(st.integers(0, 5_000))
    t_x = 0.0 if x == 0 else draw(st.floats(0.0, age))
    return float(x), t_x, age


@given(params, histories())
def test_p_alive_is_a_probability(p: dict[str, float], history: tuple[float, float, float]) -> None:
    value = float(BetaGeo.from_params(**p).probability_alive(*history)[0])
    assert 0.0 <= value <= 1.0


@given(params, histories(), st.floats(0.0, 1.0))
def test_a_more_recent_last_purchase_never_lowers_p_alive(
    p: dict[str, float], history: tuple[float, float, float], share: float
) -> None:
    x, t_x, age = history
    later = t_x + share * (age - t_x)  # same x and T, last purchase later (more recent)
    model = BetaGeo.from_params(**p)
    assert model.probability_alive(x, later, age)[0] >= model.probability_alive(x, t_x, age)[0]


@given(params, st.lists(histories(), min_size=1, max_size=20))
def test_p_alive_in_the_engine_equals_p_alive_in_numpy(
    p: dict[str, float], rows: list[tuple[float, float, float]]
) -> None:
    model = BetaGeo.from_params(**p)
    x, t_x, age = (np.array(c) for c in zip(*rows, strict=True))
    table = ibis.memtable({"x": x.astype("int64"), "t_x": t_x, "age": age})
    engine = table.select(v=model.probability_alive_expr(table.x, table.t_x, table.age))
    np.testing.assert_allclose(
        engine.to_pyarrow()["v"].to_numpy(),
        model.probability_alive(x, t_x, age),
        rtol=1e-9,
        atol=1e-300,
    )


def test_nonconvergence_names_the_parameter_that_ran_off_and_the_slope_left() -> None:
    from coparent.models._base import nonconvergence

    names = ("r", "alpha", "a", "b")
    ok = nonconvergence(np.zeros(4), 1.0, np.zeros(4), names=names)
    assert ok is None
    runaway = nonconvergence(np.array([0.0, 0.0, -20.0, 0.0]), 1.0, np.zeros(4), names=names)
    assert runaway is not None
    assert "a ran off towards zero" in runaway
    slope = nonconvergence(np.zeros(4), 1.0, np.array([0.0, 0.0, 0.0, 3e-3]), names=names)
    assert slope is not None
    assert "steepest along b" in slope
    broken = nonconvergence(np.array([np.nan, 0, 0, 0]), 1.0, np.zeros(4), names=names)
    assert broken is not None
    assert "infinite or undefined" in broken
