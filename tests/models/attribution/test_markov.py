"""The exact Markov model: chains solved by hand, an independent formulation, the peer's numbers."""

from __future__ import annotations

import json
from collections import defaultdict
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from coparent.errors import NotFittedError
from coparent.models.attribution import MarkovAttribution, UniquePaths
from coparent.models.attribution.markov import CONVERSION, NULL, START
from tests.models.attribution.conftest import GOLDEN, flat, quietly


def test_two_channel_chain_with_a_loop_matches_the_paper_solution() -> None:
    """A > B converts 1, B > A ends null 1, A ends null 2 (4 journeys, 1 conversion).

    Transitions: start->A 3/4, start->B 1/4; A->B 1/4, A->null 3/4; B->conv 1/2, B->A 1/2.
    h(B) = 1/2 + h(A)/2 and h(A) = h(B)/4, so h(B) = 4/7, h(A) = 1/7 and
    P(conv) = 3/4 * 1/7 + 1/4 * 4/7 = 1/4 (the observed rate, as it must be).
    Without A (start->A and B->A lead to null): h(B) = 1/2, P = 1/8, effect 1/2.
    Without B nothing converts: effect 1. Credits of the 1 conversion: A 1/3, B 2/3.
    Value 90 ends at B: reward 90 / 2 journeys leaving B = 45, so E[value] = 22.5 and the
    value effects equal the conversion effects (A 1/2, B 1).
    """
    paths = UniquePaths.from_lists(
        [["A", "B"], ["B", "A"], ["A"]], conversions=[1, 0, 0], value=[90.0, 0, 0], nulls=[0, 1, 2]
    )
    model = MarkovAttribution().fit(paths)
    assert model.conversion_probability_ == pytest.approx(1 / 4, abs=1e-15)
    assert model.value_per_journey_ == pytest.approx(22.5, abs=1e-12)
    assert model.removal_effects_ == pytest.approx([1 / 2, 1.0], abs=1e-15)
    assert model.removal_effects_value_ == pytest.approx([1 / 2, 1.0], abs=1e-15)
    assert flat(model.credits_.by_label()) == pytest.approx(
        flat({"A": (1 / 3, 30.0), "B": (2 / 3, 60.0)})
    )
    assert model.conversion_probability_without(["A"]) == pytest.approx(1 / 8, abs=1e-15)
    matrix = {(r["from"], r["to"]): r["probability"] for r in model.transition_matrix().to_pylist()}
    assert matrix == pytest.approx(
        {
            (START, "A"): 3 / 4,
            (START, "B"): 1 / 4,
            ("A", "B"): 1 / 4,
            ("A", NULL): 3 / 4,
            ("B", "A"): 1 / 2,
            ("B", CONVERSION): 1 / 2,
        }
    )


def test_second_order_states_remember_two_steps_as_worked_by_hand() -> None:
    """A > A > B converts 1; A > B ends null 1; B converts 1 of 2.

    States: (A, A), (A, B) and the short path (B). start->(A,A) 1/4, ->(A,B) 1/4, ->(B) 1/2;
    (A,A)->(A,B) 1; (A,B) and (B) convert half. P(conv) = 1/2. Without A the states (A,A)
    and (A,B) go: P = 1/2 * 1/2 = 1/4, effect 1/2. Without B, (A,B) and (B) go: P = 0,
    effect 1. Credits of the 2 conversions: A 2/3, B 4/3.
    """
    paths = UniquePaths.from_lists(
        [["A", "A", "B"], ["A", "B"], ["B"]], conversions=[1, 0, 1], nulls=[0, 1, 1]
    )
    model = MarkovAttribution(order=2).fit(paths)
    assert model.states_ == (("A", "A"), ("A", "B"), ("B",))
    assert model.conversion_probability_ == pytest.approx(1 / 2, abs=1e-15)
    assert model.removal_effects_ == pytest.approx([1 / 2, 1.0], abs=1e-15)
    assert model.credits_.conversions == pytest.approx([2 / 3, 4 / 3])


def test_self_loops_change_the_matrix_but_not_the_removal_effects() -> None:
    looped = UniquePaths.from_lists(
        [["A", "A", "A", "B"], ["B", "B"]], conversions=[2, 1], nulls=[1, 3]
    )
    collapsed = UniquePaths.from_lists([["A", "B"], ["B"]], conversions=[2, 1], nulls=[1, 3])
    a, b = MarkovAttribution().fit(looped), MarkovAttribution().fit(collapsed)
    assert a.removal_effects_ == pytest.approx(b.removal_effects_, abs=1e-14)
    without = {
        (r["from"], r["to"]): r["probability"]
        for r in a.transition_matrix(self_loops=False).to_pylist()
    }
    plain = {(r["from"], r["to"]): r["probability"] for r in b.transition_matrix().to_pylist()}
    assert without == pytest.approx(plain)
    assert ("A", "A") in {(r["from"], r["to"]) for r in a.transition_matrix().to_pylist()}


def test_order_outside_one_to_four_and_results_before_fit_are_refused() -> None:
    with pytest.raises(ValueError, match="between 1 and 4"):
        MarkovAttribution(order=5)
    model = MarkovAttribution(order=3)
    assert repr(model) == "MarkovAttribution(order=3, not fitted)"
    with pytest.raises(NotFittedError):
        model.summary()


# -- ChannelAttribution's example data -----------------------------------------------------


def _ca_states(path: str, order: int) -> list[tuple[str, ...]]:
    """ChannelAttribution's states of one path: windows of ``order`` steps, or the short path."""
    steps = [s.strip() for s in path.split(">")]
    if len(steps) < order:
        return [tuple(steps)]
    return [tuple(steps[i : i + order]) for i in range(len(steps) - order + 1)]


def _independent(frame: pd.DataFrame, order: int) -> tuple[float, dict[str, tuple[float, float]]]:
    """P(conversion) and removal effects by a different route than the model's.

    The model deletes a channel's states and solves the smaller system. Here the chain is
    doubled with a flag "has visited channel c" and the effect is read as
    P(conversion and visited c) / P(conversion), from the dense fundamental matrix
    N = (I - Q)^-1 of the flagged chain; the chain itself is rebuilt from the raw path
    strings with plain Python counting.
    """
    counts: dict[tuple[object, object], float] = defaultdict(float)
    value_end: dict[object, float] = defaultdict(float)
    for path, conv, value, null in frame.itertuples(index=False):
        states = _ca_states(path, order)
        for a, b in zip([START, *states], states, strict=False):
            counts[a, b] += conv + null
        counts[states[-1], CONVERSION] += conv
        counts[states[-1], NULL] += null
        value_end[states[-1]] += value
    transient = sorted({a for a, _ in counts} - {START}, key=str)
    index = {s: i + 1 for i, s in enumerate(transient)}
    index[START] = 0
    n = len(index)
    q = np.zeros((n, n))
    b = np.zeros(n)
    r = np.zeros(n)
    for (a, to), c in counts.items():
        if to == CONVERSION:
            b[index[a]] += c
        elif to != NULL:
            q[index[a], index[to]] += c
    out = {s: sum(c for (a, _), c in counts.items() if a == s) for s in index}
    for s, i in index.items():
        if out[s]:
            q[i] /= out[s]
            b[i] /= out[s]
            r[i] = value_end.get(s, 0.0) / out[s]
    fundamental = np.linalg.inv(np.eye(n) - q)
    p_conv = (fundamental @ b)[0]
    v_conv = (fundamental @ r)[0]
    channels = sorted({c for s in transient for c in s})
    effects = {}
    for channel in channels:
        hit = np.array([False] + [channel in s for s in transient])
        # Flagged chain: state (s, f) at i + f * n; entering a state holding the channel sets f.
        big = np.zeros((2 * n, 2 * n))
        big[:n, :n] = q * ~hit
        big[:n, n:] = q * hit
        big[n:, n:] = q
        big_n = np.linalg.inv(np.eye(2 * n) - big)
        flagged_b = np.concatenate([np.zeros(n), b])  # conversions that happen with f = 1
        flagged_r = np.concatenate([np.zeros(n), r])
        effects[channel] = (
            (big_n @ flagged_b)[0] / p_conv,
            (big_n @ flagged_r)[0] / v_conv,
        )
    return p_conv, effects


@pytest.mark.parametrize("order", [1, 2])
def test_removal_effects_on_data_csv_equal_an_independent_exact_computation(
    data_frame: pd.DataFrame, data_paths: UniquePaths, order: int
) -> None:
    p_conv, expected = _independent(data_frame, order)
    model = MarkovAttribution(order=order).fit(data_paths)
    assert model.conversion_probability_ == pytest.approx(p_conv, abs=1e-12)
    for label, effect, effect_value in zip(
        model.labels_, model.removal_effects_, model.removal_effects_value_, strict=True
    ):
        assert effect == pytest.approx(expected[label][0], abs=1e-9), label
        assert effect_value == pytest.approx(expected[label][1], abs=1e-9), label


def _peer_matrix(peer: ModuleType, frame: pd.DataFrame, order: int, equal: bool) -> dict:
    result = quietly(
        peer.transition_matrix,
        frame,
        "path",
        "total_conversions",
        "total_null",
        order=order,
        sep=">",
        flg_equal=equal,
        flg_pro=False,
    )
    names = dict(
        zip(
            result["channels"].id_channel.astype(str), result["channels"].channel_name, strict=False
        )
    )

    def state(text: str) -> str:
        text = text.strip()
        if text.startswith("("):
            return text
        return " > ".join(names[i] for i in text.split())

    return {
        (state(a), state(b)): p for a, b, p in result["transition_matrix"].itertuples(index=False)
    }


@pytest.mark.parametrize(("order", "self_loops"), [(1, True), (1, False), (2, True)])
def test_transition_probabilities_equal_channelattribution_transition_matrix(
    peer: ModuleType,
    data_frame: pd.DataFrame,
    data_paths: UniquePaths,
    order: int,
    self_loops: bool,
) -> None:
    expected = _peer_matrix(peer, data_frame, order, self_loops)
    model = MarkovAttribution(order=order).fit(data_paths)
    got = {
        (r["from"], r["to"]): r["probability"]
        for r in model.transition_matrix(self_loops=self_loops).to_pylist()
    }
    assert got.keys() == expected.keys()
    worst = max(abs(got[k] - expected[k]) for k in got)
    assert worst < 1e-9


def test_removal_effects_agree_with_channelattribution_high_precision_run_within_2_percent(
    data_paths: UniquePaths,
) -> None:
    """Golden data: ChannelAttribution 2.2.5 markov_model with conv_par=0.002, stored by
    benchmarks/attribution_golden.py (the simulation takes minutes, so it is not rerun here)."""
    meta = json.loads((GOLDEN / "channelattribution_markov.json").read_text())
    assert meta["peer_version"] == "2.2.5"
    golden = pd.read_csv(GOLDEN / meta["runs"]["conv_par_0.002"]["file"]).set_index("channel")
    model = MarkovAttribution().fit(data_paths)
    share = model.credits_.conversions / model.credits_.conversions.sum()
    checked = 0
    for label, s, effect, effect_value, conv, value in zip(
        model.labels_,
        share,
        model.removal_effects_,
        model.removal_effects_value_,
        model.credits_.conversions,
        model.credits_.value,
        strict=True,
    ):
        if s < 0.01:
            continue
        row = golden.loc[label]
        assert effect == pytest.approx(row.removal_effects_conversion, rel=0.02), label
        assert effect_value == pytest.approx(row.removal_effects_conversion_value, rel=0.02), label
        assert conv == pytest.approx(row.total_conversions, rel=0.02), label
        assert value == pytest.approx(row.total_conversion_value, rel=0.02), label
        checked += 1
    assert checked >= 8


def test_summary_and_repr_describe_the_fitted_chain(data_paths: UniquePaths) -> None:
    model = MarkovAttribution().fit(data_paths)
    assert repr(model) == (
        "MarkovAttribution(order=1, fitted on 10,000 unique paths, 88,387 journeys, 12 states)"
    )
    summary = model.summary()
    assert summary.column_names == [
        "channel", "removal_effect", "removal_effect_value", "conversions", "value",
    ]  # fmt: skip
    assert summary.num_rows == 12
    assert sum(summary.column("conversions").to_pylist()) == pytest.approx(19785)


def test_large_chains_count_edges_by_sorting_and_solve_with_a_sparse_lu(
    data_paths: UniquePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Order 4 on Data.csv has thousands of states: the sparse branches must agree with the
    dense ones (forced here on order 2, small enough for both)."""
    from coparent.models.attribution import markov

    dense = MarkovAttribution(order=2).fit(data_paths)
    monkeypatch.setattr(markov, "_DENSE_EDGES", 0)
    monkeypatch.setattr(markov, "_DENSE_LIMIT", 0)
    sparse = MarkovAttribution(order=2).fit(data_paths)
    assert sparse.removal_effects_ == pytest.approx(dense.removal_effects_, abs=1e-12)
    assert sparse.credits_.value == pytest.approx(dense.credits_.value, rel=1e-9)
    big = MarkovAttribution(order=4).fit(data_paths)
    assert len(big.states_) > 2000
    assert big.credits_.total_conversions == pytest.approx(19785)
