"""Rule-based models: hand-computed cases, and ChannelAttribution's heuristic_models reproduced."""

from __future__ import annotations

from types import ModuleType

import pandas as pd
import pytest

from coparent.models.attribution import (
    UniquePaths,
    first_touch,
    last_touch,
    linear,
    position_based,
)
from tests.models.attribution.conftest import flat, quietly

# Two channels, three unique paths, worked on paper:
#   A > B      2 conversions worth 100, 3 nulls
#   B > A > B  1 conversion  worth 30
#   A          1 conversion  worth 10, 5 nulls
TINY = UniquePaths.from_lists(
    [["A", "B"], ["B", "A", "B"], ["A"]],
    conversions=[2, 1, 1],
    value=[100.0, 30.0, 10.0],
    nulls=[3, 0, 5],
)


def test_first_touch_gives_each_path_to_its_first_step() -> None:
    # A: 2 (A > B) + 1 (A) = 3 conversions, 110; B: 1 (B > A > B), 30.
    assert first_touch(TINY).by_label() == {"A": (3.0, 110.0), "B": (1.0, 30.0)}


def test_last_touch_gives_each_path_to_its_last_step() -> None:
    # B: 2 (A > B) + 1 (B > A > B) = 3, 130; A: 1 (A), 10.
    assert last_touch(TINY).by_label() == {"A": (1.0, 10.0), "B": (3.0, 130.0)}


def test_linear_splits_each_conversion_evenly_over_steps_repeats_counting_twice() -> None:
    # A > B: 1 + 1 (50 + 50); B > A > B: A 1/3 (10), B 2/3 (20); A: 1 (10).
    credits = linear(TINY).by_label()
    assert credits["A"] == pytest.approx((1 + 1 / 3 + 1, 50 + 10 + 10))
    assert credits["B"] == pytest.approx((1 + 2 / 3, 50 + 20))


def test_position_based_40_20_40_splits_two_steps_evenly_and_gives_the_middle_20() -> None:
    # A > B: 50/50 -> A 1, B 1 (50, 50); B > A > B: B 0.4 + 0.4, A 0.2 -> (6 and 24 of 30);
    # A: all -> 1 (10).
    credits = position_based(TINY).by_label()
    assert credits["A"] == pytest.approx((1 + 0.2 + 1, 50 + 6 + 10))
    assert credits["B"] == pytest.approx((1 + 0.8, 50 + 24))


def test_position_weights_are_configurable_and_two_step_paths_split_first_to_last() -> None:
    # 30/40/30 on a 4-step path: 0.3, 0.2, 0.2, 0.3; on a 2-step path: 0.5, 0.5.
    paths = UniquePaths.from_lists([["a", "b", "c", "d"], ["a", "d"]], conversions=[10, 4])
    credits = position_based(paths, weights=(0.3, 0.4, 0.3)).by_label()
    assert flat(credits) == pytest.approx(
        flat({"a": (3.0 + 2.0, 0.0), "b": (2.0, 0.0), "c": (2.0, 0.0), "d": (3.0 + 2.0, 0.0)})
    )
    # 60/20/20 makes a 2-step path 75/25 (first : last).
    lopsided = position_based(paths, weights=(0.6, 0.2, 0.2)).by_label()
    assert lopsided["a"][0] == pytest.approx(6.0 + 3.0)
    assert lopsided["d"][0] == pytest.approx(2.0 + 1.0)


@pytest.mark.parametrize("weights", [(0.5, 0.5, 0.5), (-0.1, 0.6, 0.5)])
def test_position_weights_must_be_non_negative_and_sum_to_one(
    weights: tuple[float, float, float],
) -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        position_based(TINY, weights=weights)


def test_heuristics_reproduce_channelattribution_heuristic_models_on_its_data_csv_exactly(
    peer: ModuleType, data_frame: pd.DataFrame, data_paths: UniquePaths
) -> None:
    expected = quietly(
        peer.heuristic_models,
        data_frame,
        "path",
        "total_conversions",
        var_value="total_conversion_value",
        sep=">",
        flg_pro=False,
    ).set_index("channel_name")
    assert sorted(expected.index) == list(data_paths.labels)
    for model, name in ((first_touch, "first"), (last_touch, "last"), (linear, "linear")):
        got = model(data_paths).by_label()
        for channel, (conversions, value) in got.items():
            # Same sums in the same order: the same floating-point numbers, not merely close.
            assert conversions == expected.loc[channel, f"{name}_touch_conversions"], (
                name,
                channel,
            )
            assert value == expected.loc[channel, f"{name}_touch_value"], (name, channel)
