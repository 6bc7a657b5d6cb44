from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.models.economics import offer_economics


@given(st.floats(1, 1e6), st.floats(0.0, 0.95), st.floats(0.01, 1.0))
def test_at_the_break_even_lift_the_offer_earns_exactly_as_much(
    price: float, discount: float, margin: float
) -> None:
    result = offer_economics(price=price, discount=discount, margin=margin)
    if discount >= margin:
        assert result.break_even_lift is None
        return
    assert result.break_even_lift is not None
    even = offer_economics(
        price=price, discount=discount, margin=margin, lift=result.break_even_lift
    )
    assert even.profit_change == pytest.approx(0.0, abs=1e-9)


def test_a_first_month_free_offer_on_an_annual_plan() -> None:
    e = offer_economics(price=1800.0, discount=1 / 12, margin=0.8, lift=0.3, baseline=0.1)
    assert e.profit_per_sale == pytest.approx(1440.0)
    assert e.profit_per_sale_with_offer == pytest.approx(1290.0)
    assert e.break_even_lift == pytest.approx((1 / 12) / (0.8 - 1 / 12))
    assert e.profit_per_1000_prospects == pytest.approx(144_000.0)
    assert e.profit_per_1000_prospects_with_offer == pytest.approx(0.1 * 1.3 * 1000 * 1290.0)
    assert e.profit_change == pytest.approx(1.3 * 1290.0 / 1440.0 - 1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"price": 0.0, "discount": 0.1, "margin": 0.5},
        {"price": 10.0, "discount": 20.0, "margin": 0.5},
        {"price": 10.0, "discount": 0.1, "margin": 60.0},
        {"price": 10.0, "discount": 0.1, "margin": 0.5, "lift": -1.0},
        {"price": 10.0, "discount": 0.1, "margin": 0.5, "baseline": 2.0},
    ],
)
def test_out_of_range_values_are_a_value_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        offer_economics(**kwargs)
