from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

from coparent.errors import UnusableDataError
from coparent.models._compress import compress
from coparent.models.bgnbd import BetaGeo
from coparent.models.gamma_gamma import GammaGamma, _constants, _negative_log_likelihood
from tests.models.conftest import PAPER_GAMMA_GAMMA, pinned_pair, pinned_spend_pair


@pytest.fixture
def repeat(cdnow_spend: pd.DataFrame) -> pd.DataFrame:
    return cdnow_spend[cdnow_spend.x > 0]


def test_gamma_gamma_reproduces_fader_hardie_lee_2005_rfm_clv_estimates(
    cdnow_spend: pd.DataFrame,
) -> None:
    model = GammaGamma().fit(cdnow_spend.x, cdnow_spend.zbar)
    # The paper reports two decimals; lifetimes asserts them to the same precision.
    assert model.params_ == pytest.approx(PAPER_GAMMA_GAMMA, abs=0.01)
    assert model.n_customers_ == 946  # the repeat buyers (SOURCE.md); x = 0 rows are left out


def test_gamma_gamma_fit_equals_lifetimes_fit(repeat: pd.DataFrame) -> None:
    from lifetimes import GammaGammaFitter

    ours = GammaGamma().fit(repeat.x, repeat.zbar)
    theirs = GammaGammaFitter().fit(repeat.x, repeat.zbar)
    for key in ("p", "q", "v"):
        assert ours.params_[key] == pytest.approx(theirs.params_[key], rel=1e-4)


def test_expected_spend_and_clv_equal_lifetimes(cdnow_spend: pd.DataFrame) -> None:
    spend, their_spend = pinned_spend_pair({"p": 6.2488, "q": 3.7446, "v": 15.4477})
    bg, their_bg = pinned_pair({"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258})
    x, m = cdnow_spend.x.to_numpy(), cdnow_spend.zbar.to_numpy()
    t_x, age = cdnow_spend.t_x.to_numpy(), cdnow_spend["T"].to_numpy()
    np.testing.assert_allclose(
        spend.conditional_expected_average_spend(x, m),
        their_spend.conditional_expected_average_profit(cdnow_spend.x, cdnow_spend.zbar),
        rtol=1e-6,
    )
    ours = spend.customer_lifetime_value(bg, x, t_x, age, m, periods=12, discount_rate=0.01)
    theirs = their_spend.customer_lifetime_value(
        their_bg,
        cdnow_spend.x,
        cdnow_spend.t_x,
        cdnow_spend["T"],
        cdnow_spend.zbar,
        time=12,
        discount_rate=0.01,
        freq="W",
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    halved = spend.customer_lifetime_value(bg, x, t_x, age, m, margin=0.5)
    np.testing.assert_allclose(halved, ours / 2, rtol=1e-12)


def test_analytic_gradient_matches_finite_differences(repeat: pd.DataFrame) -> None:
    data = compress((repeat.x.to_numpy(float), repeat.zbar.to_numpy(float)), np.ones(len(repeat)))
    consts = _constants(data)
    for theta in (np.log([6.0, 3.5, 15.0]), np.log([1.0, 8.0, 2.0])):
        grad = _negative_log_likelihood(theta, data, consts, 0.0)[1]
        numeric = approx_fprime(
            theta, lambda t: _negative_log_likelihood(t, data, consts, 0.0)[0], 1e-7
        )
        np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-3)


def test_expected_spend_leans_on_the_customer_mean_as_purchases_grow() -> None:
    model = GammaGamma.from_params(p=6.0, q=4.0, v=300.0)
    population = 6.0 * 300.0 / 3.0
    spend = model.conditional_expected_average_spend([0, 1, 10, 1000], [0.0, 50.0, 50.0, 50.0])
    assert spend[0] == pytest.approx(population)
    assert population > spend[1] > spend[2] > spend[3] > 50.0
    assert spend[3] == pytest.approx(50.0, rel=1e-2)


def test_a_spend_model_with_q_at_most_one_refuses_to_predict_with_the_fix() -> None:
    with pytest.raises(UnusableDataError, match="unbounded") as info:
        GammaGamma.from_params(p=2.0, q=0.9, v=10.0).conditional_expected_average_spend(2, 10.0)
    assert "penalizer" in info.value.hint


@pytest.mark.parametrize(
    ("x", "m", "message"),
    [
        ([0, 0], [0.0, 0.0], "no customer has a repeat purchase"),
        ([2, 1], [10.0, -5.0], "mean spend of 0 or less"),
        ([2, 1], [10.0, float("nan")], "missing or infinite"),
    ],
)
def test_unusable_spend_data_is_refused_with_a_hint(
    x: list[int], m: list[float], message: str
) -> None:
    with pytest.raises(UnusableDataError, match=message) as info:
        GammaGamma().fit(x, m)
    assert "repeat buyers" in info.value.hint


def test_customer_lifetime_value_checks_its_options() -> None:
    spend = GammaGamma.from_params(p=6.0, q=4.0, v=300.0)
    bg = BetaGeo.from_params(r=0.24, alpha=4.4, a=0.79, b=2.4)
    with pytest.raises(ValueError, match="margin"):
        spend.customer_lifetime_value(bg, [1], [2.0], [5.0], [10.0], margin=1.5)
