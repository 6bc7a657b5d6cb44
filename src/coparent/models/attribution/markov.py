"""Markov-chain attribution with removal effects computed exactly, by absorbing-chain algebra.

Journeys are walks on a chain: from ``(start)`` through channel states to one
of two absorbing states, ``(conversion)`` or ``(null)``. Transition
probabilities are the observed transition counts of the unique paths, each
path weighted by its journeys (conversions + nulls), normalised per state.
The *removal effect* of a channel is the share of conversions the chain loses
when every state holding that channel leads to ``(null)`` instead (Anderl et
al. 2016); attributed conversions are the removal effects normalised to the
conversions observed.

Why exact. With transient-to-transient block ``Q`` and transient-to-conversion
column ``b``, the probability of ending in ``(conversion)`` from each state is
``h = (I - Q)^-1 b`` (Kemeny & Snell 1960, absorption probabilities), so
``P(conversion) = h[start]``. Removing a channel deletes its states: the same
system restricted to the other states, one linear solve per channel. There is
no simulation, so the result is deterministic and as precise as floating
point. ChannelAttribution estimates the same quantities by simulating walks
(stopping when folds agree within ``conv_par``, 5% by default, and cutting
walks at the longest observed path); that is why its default output differs
from these numbers by a few percent on large channels and more on small ones
(docs/attribution.md shows the figures on its own example data).

Value follows the same algebra with a reward: a conversion from state ``s``
is worth the mean value of the conversions whose paths end in ``s`` (what
ChannelAttribution draws in its simulation), so ``E[value] = ((I - Q)^-1 r)[start]``
with ``r[s] = value ending at s / journeys leaving s``; value removal effects
and attributed value come from it.

Self-loops (a channel followed by itself) are kept in the transition matrix,
as ChannelAttribution's ``transition_matrix`` keeps them by default; they do
not change any absorption probability, so removal effects are the same with
or without them (``transition_matrix(self_loops=False)`` shows the collapsed
matrix ``markov_model`` reports).

Worked example (two channels, solved by hand): paths ``A > B`` converting 1
of 2 journeys and ``B`` converting 1 of 2. Transitions: start→A 2, start→B 2,
A→B 2, B→conv 2, B→null 2, so P(start→A) = P(start→B) = 1/2, P(A→B) = 1 and
P(B→conv) = 1/2. Then h(B) = 1/2, h(A) = h(B) = 1/2, P(conversion) = 1/2.
Without A, start→A goes to null: 1/2 · h(B) = 1/4, removal effect 1 - (1/4)/(1/2)
= 1/2. Without B nothing converts: removal effect 1. Credits split the 2
conversions 1/2 : 1, i.e. A 2/3 and B 4/3.

>>> paths = UniquePaths.from_lists([["A", "B"], ["B"]], conversions=[1, 1], nulls=[1, 1])
>>> model = MarkovAttribution().fit(paths)
>>> model.conversion_probability_
0.5
>>> model.removal_effects_.tolist(), model.credits_.conversions.round(6).tolist()
([0.5, 1.0], [0.666667, 1.333333])

References
----------
Anderl, E., Becker, I., von Wangenheim, F., Schumann, J. H. (2016), "Mapping the
customer journey: Lessons learned from graph-based online attribution
modeling", International Journal of Research in Marketing 33(3), 457-474.
Kemeny, J. G., Snell, J. L. (1960), *Finite Markov Chains*, chapter III
(absorbing chains, the fundamental matrix ``(I - Q)^-1``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from coparent.models.attribution._states import PathStates, path_states
from coparent.models.attribution.credits import Credits, FloatArray
from coparent.models.attribution.paths import IntArray, UniquePaths

__all__ = ["CONVERSION", "MAX_ORDER", "NULL", "START", "MarkovAttribution"]

MAX_ORDER = 4
START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"
_DENSE_LIMIT = 600
"""Systems up to this many states are solved densely; larger ones with a sparse LU."""
_DENSE_EDGES = 1 << 22
"""Chains with up to this many possible edges count them with one bincount."""


class MarkovAttribution:
    """Exact removal-effect attribution on a Markov chain of ``order`` 1 to 4.

    Fitted attributes: ``labels_``, ``states_`` (the label tuple each state
    remembers), ``transition_counts_`` (sparse, journeys moving between states;
    index 0 is ``(start)``, then the states, then ``(conversion)`` and
    ``(null)``), ``conversion_probability_``, ``value_per_journey_``,
    ``removal_effects_``, ``removal_effects_value_`` and ``credits_``.
    """

    labels_: tuple[str, ...]
    states_: tuple[tuple[str, ...], ...]
    transition_counts_: sp.csr_matrix
    conversion_probability_: float
    value_per_journey_: float
    removal_effects_: FloatArray
    removal_effects_value_: FloatArray
    credits_: Credits
    n_paths_: int
    n_journeys_: float
    _entered: npt.NDArray[np.bool_]

    def __init__(self, *, order: int = 1) -> None:
        if not 1 <= order <= MAX_ORDER:
            raise ValueError(f"order must be between 1 and {MAX_ORDER}, got {order}")
        self.order = order
        self._fitted = False

    def __repr__(self) -> str:
        if not self._fitted:
            return f"MarkovAttribution(order={self.order}, not fitted)"
        return (
            f"MarkovAttribution(order={self.order}, fitted on {self.n_paths_:,} unique paths, "
            f"{self.n_journeys_:,.0f} journeys, {len(self.states_):,} states)"
        )

    # -- fitting ----------------------------------------------------------------------------

    def fit(self, paths: UniquePaths) -> MarkovAttribution:
        """Build the chain from ``paths`` and compute every removal effect exactly."""
        states = path_states(paths, order=self.order)
        counts = _transition_counts(paths, states)
        n = states.n_states + 1  # transient: start + states
        out = np.asarray(counts.sum(axis=1)).ravel()
        inv = np.divide(1.0, out, out=np.zeros_like(out), where=out > 0)
        probabilities = sp.diags(inv) @ counts
        self._a = (sp.identity(n, format="csr") - probabilities[:n, :n]).tocsc()
        ends = np.bincount(
            states.sequence[states.offsets[1:] - 1] + 1, weights=paths.value, minlength=n
        )
        self._b = np.column_stack([probabilities[:n, n].toarray().ravel(), ends * inv[:n]])
        self._states = states
        # States no journey enters (a label with no step) are skipped when removing:
        # deleting them changes nothing, and skipping keeps that exact.
        self._entered = np.asarray(counts.sum(axis=0)).ravel()[1:n] > 0
        base = _absorb(self._a, self._b, np.arange(n))
        self.labels_ = paths.labels
        self.states_ = tuple(tuple(paths.labels[c] for c in m) for m in states.members)
        self.transition_counts_ = counts
        self.conversion_probability_ = float(base[0])
        self.value_per_journey_ = float(base[1])
        effects = np.zeros((len(paths.labels), 2))
        for label in range(len(paths.labels)):
            removed = self._removable(label)
            if removed.size:
                effects[label] = self._removal_effect(removed, base)
        self.removal_effects_, self.removal_effects_value_ = effects[:, 0], effects[:, 1]
        self.credits_ = Credits(
            "markov",
            paths.labels,
            _share(effects[:, 0], paths.total_conversions),
            _share(effects[:, 1], paths.total_value),
            removal_effect=self.removal_effects_,
            removal_effect_value=self.removal_effects_value_,
        )
        self.n_paths_ = paths.n_paths
        self.n_journeys_ = paths.total_conversions + paths.total_nulls
        self._fitted = True
        return self

    def _removable(self, label: int) -> IntArray:
        found = self._states.containing(label)
        return found[self._entered[found]]

    def _removal_effect(self, removed: IntArray, base: FloatArray) -> FloatArray:
        keep = np.ones(self._a.shape[0], dtype=bool)
        keep[removed + 1] = False
        without = _absorb(self._a, self._b, np.flatnonzero(keep))
        effect = np.divide(base - without, base, out=np.zeros(2), where=base > 0)
        # Removing states can only lower absorption into conversion; clip the
        # solver's rounding (about -1e-16) so no channel gets negative credit.
        return np.clip(effect, 0.0, 1.0)

    # -- results ----------------------------------------------------------------------------

    def conversion_probability_without(self, labels: Iterable[str]) -> float:
        """P(conversion) when every state holding any of ``labels`` leads to ``(null)``.

        Labels the data never saw remove nothing.
        """
        self._check_fitted()
        codes = [self.labels_.index(x) for x in labels if x in self.labels_]
        removed = np.unique(
            np.concatenate([self._removable(c) for c in codes] or [np.zeros(0, np.int64)])
        ).astype(np.int64)
        if removed.size == 0:
            return self.conversion_probability_
        keep = np.ones(self._a.shape[0], dtype=bool)
        keep[removed + 1] = False
        return float(_absorb(self._a, self._b, np.flatnonzero(keep))[0])

    def transition_matrix(self, *, self_loops: bool = True) -> pa.Table:
        """Observed transition probabilities: ``from``, ``to``, ``probability``, ``journeys``.

        ``self_loops=False`` drops a state's transitions to itself and
        renormalises, which is the matrix of paths with repeats collapsed.
        """
        self._check_fitted()
        counts = self.transition_counts_.tocoo()
        keep = counts.data > 0
        if not self_loops:
            keep &= counts.row != counts.col
        rows, cols, data = counts.row[keep], counts.col[keep], counts.data[keep]
        totals = np.bincount(rows, weights=data, minlength=counts.shape[0])
        names = [START, *(" > ".join(s) for s in self.states_), CONVERSION, NULL]
        order = np.lexsort((cols, rows))
        return pa.table(
            {
                "from": pa.array([names[i] for i in rows[order]], pa.string()),
                "to": pa.array([names[i] for i in cols[order]], pa.string()),
                "probability": pa.array(data[order] / totals[rows[order]], pa.float64()),
                "journeys": pa.array(data[order], pa.float64()),
            }
        )

    def summary(self) -> pa.Table:
        """One row per label: removal effects and attributed conversions and value."""
        self._check_fitted()
        return pa.table(
            {
                "channel": pa.array(self.labels_, pa.string()),
                "removal_effect": pa.array(self.removal_effects_),
                "removal_effect_value": pa.array(self.removal_effects_value_),
                "conversions": pa.array(self.credits_.conversions),
                "value": pa.array(self.credits_.value),
            }
        )

    def _check_fitted(self) -> None:
        if not self._fitted:
            from coparent.errors import NotFittedError

            raise NotFittedError("MarkovAttribution")


def _transition_counts(paths: UniquePaths, states: PathStates) -> sp.csr_matrix:
    """Journeys moving along each edge: start -> first state -> ... -> last state -> absorbing."""
    s = states.n_states
    size = s + 3
    conversion, null = s + 1, s + 2
    owner = np.repeat(np.arange(paths.n_paths, dtype=np.int64), np.diff(states.offsets))
    journeys = paths.conversions + paths.nulls
    to = states.sequence + 1
    came_from = np.empty_like(to)
    came_from[1:] = to[:-1]
    came_from[states.offsets[:-1]] = 0
    last = to[states.offsets[1:] - 1]
    edges = np.concatenate([came_from * size + to, last * size + conversion, last * size + null])
    weights = np.concatenate([journeys[owner], paths.conversions, paths.nulls])
    if size * size <= _DENSE_EDGES:  # small chains: one pass, no sort
        totals = np.bincount(edges, weights=weights, minlength=size * size)
        keys = np.flatnonzero(totals)
        values = totals[keys]
    else:
        found = np.unique(edges, return_inverse=True)
        summed = np.bincount(found[1].ravel(), weights=weights, minlength=found[0].size)
        keys, values = found[0][summed > 0], summed[summed > 0]
    rows, cols = np.divmod(keys, size)
    return sp.csr_matrix((values, (rows, cols)), shape=(size, size))


def _absorb(a: sp.csc_matrix, b: FloatArray, keep: IntArray) -> FloatArray:
    """``(I - Q)^-1 b`` on the states ``keep`` (0 = start must be kept); the start row."""
    sub_a = a[keep][:, keep]
    sub_b = b[keep]
    if keep.size <= _DENSE_LIMIT:
        solution = np.linalg.solve(sub_a.toarray(), sub_b)
    else:
        solution = splu(sub_a.tocsc()).solve(sub_b)
    return np.asarray(solution[0], dtype=np.float64)


def _share(effects: FloatArray, total: float) -> FloatArray:
    """``total`` split in proportion to ``effects`` (all zero when nothing converts)."""
    weight = effects.sum()
    if weight <= 0:
        return np.zeros_like(effects)
    return np.asarray(effects / weight * total, dtype=np.float64)
