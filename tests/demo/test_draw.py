"""Vectorised categorical draws: per-group odds, and zero weights that are never drawn."""

from __future__ import annotations

import numpy as np

from coparent.demo._draw import categorical


def test_zero_weight_categories_are_never_drawn_and_groups_use_their_own_odds():
    rng = np.random.default_rng(0)
    weights = [[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]]
    groups = np.array([0, 1] * 5_000)
    drawn = categorical(rng, weights, groups)
    assert set(drawn[groups == 0].tolist()) == {1}
    assert set(drawn[groups == 1].tolist()) == {0, 2}
    assert abs((drawn[groups == 1] == 0).mean() - 0.5) < 0.03


def test_one_weight_vector_gives_size_draws_in_proportion():
    drawn = categorical(np.random.default_rng(1), [1.0, 3.0], size=20_000)
    assert drawn.size == 20_000
    assert abs(drawn.mean() - 0.75) < 0.02
