"""Properties every attribution model keeps, on random path sets (hypothesis)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from coparent.models.attribution import (
    Credits,
    MarkovAttribution,
    UniquePaths,
    first_touch,
    last_touch,
    linear,
    position_based,
)

MODELS: dict[str, Callable[[UniquePaths], Credits]] = {
    "first": first_touch,
    "last": last_touch,
    "linear": linear,
    "position": lambda p: position_based(p, weights=(0.3, 0.5, 0.2)),
    "markov": lambda p: MarkovAttribution().fit(p).credits_,
    "markov-3": lambda p: MarkovAttribution(order=3).fit(p).credits_,
}

ROW = st.tuples(
    st.lists(st.sampled_from("abcd"), min_size=1, max_size=6),
    st.integers(0, 40),
    st.integers(0, 40),
    st.floats(0, 500, allow_nan=False),
)


@st.composite
def path_sets(draw: st.DrawFn) -> UniquePaths:
    rows = draw(st.lists(ROW, min_size=1, max_size=12))
    return UniquePaths.from_lists(
        [r[0] for r in rows],
        conversions=[r[1] for r in rows],
        nulls=[r[2] for r in rows],
        value=[r[1] * r[3] for r in rows],
    )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


@pytest.mark.parametrize("name", list(MODELS))
@given(paths=path_sets())
def test_credits_sum_to_the_conversions_and_value_attributed(name: str, paths: UniquePaths) -> None:
    credits = MODELS[name](paths)
    assert _close(credits.total_conversions, paths.total_conversions)
    assert _close(credits.total_value, paths.total_value)
    assert np.all(credits.conversions >= 0)
    assert np.all(credits.value >= 0)


@pytest.mark.parametrize("name", list(MODELS))
@given(paths=path_sets(), data=st.data())
def test_results_ignore_the_order_of_the_rows(
    name: str, paths: UniquePaths, data: st.DataObject
) -> None:
    order = data.draw(st.permutations(range(paths.n_paths)))
    before, after = MODELS[name](paths), MODELS[name](paths.take(order))
    assert np.allclose(before.conversions, after.conversions, rtol=1e-12, atol=1e-12)
    assert np.allclose(before.value, after.value, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("order", [1, 3])
@given(paths=path_sets())
def test_removing_a_channel_that_never_appears_changes_nothing(
    order: int, paths: UniquePaths
) -> None:
    model = MarkovAttribution(order=order).fit(paths)
    assert model.conversion_probability_without(["zz-never"]) == model.conversion_probability_
    wider = MarkovAttribution(order=order).fit(paths.with_labels([*paths.labels, "zz-unused"]))
    assert wider.removal_effects_[-1] == 0.0
    assert wider.credits_.conversions[-1] == 0.0
    assert np.allclose(wider.removal_effects_[:-1], model.removal_effects_, rtol=0, atol=1e-12)
    assert np.allclose(wider.credits_.conversions[:-1], model.credits_.conversions, atol=1e-9)
    assert _close(wider.conversion_probability_, model.conversion_probability_)


@given(paths=path_sets())
def test_removal_effects_are_shares_and_removing_everything_leaves_no_conversion(
    paths: UniquePaths,
) -> None:
    model = MarkovAttribution().fit(paths)
    assert np.all(model.removal_effects_ >= -1e-12)
    assert np.all(model.removal_effects_ <= 1 + 1e-12)
    assert model.conversion_probability_without(paths.labels) == 0.0


@pytest.mark.parametrize("order", [1, 4])
@given(paths=path_sets())
def test_the_fitted_chain_reproduces_the_observed_conversion_rate_and_value(
    order: int, paths: UniquePaths
) -> None:
    """Transition counts of complete paths balance in every state, so the chain's expected
    visits are the observed ones and P(conversion) is conversions / journeys, exactly."""
    journeys = paths.total_conversions + paths.total_nulls
    assume(journeys > 0)
    model = MarkovAttribution(order=order).fit(paths)
    assert _close(model.conversion_probability_, paths.total_conversions / journeys)
    assert _close(model.value_per_journey_, paths.total_value / journeys)
