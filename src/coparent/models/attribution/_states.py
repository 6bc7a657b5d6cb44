"""States of a k-th order Markov chain over paths: the last k labels seen.

A k-th order chain over labels is a first-order chain over "memories" of the
last k labels, so one absorbing-chain solver serves every order. The states
follow ChannelAttribution's construction, so its transition matrices can be
compared entry by entry: a path of n >= k steps walks the n - k + 1 windows of
k consecutive labels; a shorter path is a single state holding the whole path.

>>> paths = UniquePaths.from_lists([["a", "b", "c"], ["a"]], conversions=[1, 0], nulls=[0, 1])
>>> states = path_states(paths, order=2)
>>> [tuple(paths.labels[c] for c in s) for s in states.members]
[('a',), ('a', 'b'), ('b', 'c')]
>>> states.sequence.tolist(), states.offsets.tolist()
([1, 2, 0], [0, 2, 3])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coparent.models.attribution.paths import IntArray, UniquePaths

__all__ = ["PathStates", "path_states"]

_MAX_CODE = 2**62


@dataclass(frozen=True)
class PathStates:
    """Each path as a sequence of state ids (CSR like `UniquePaths`), and what each state holds.

    ``memory[s]`` holds the label codes + 1 that state ``s`` remembers, oldest
    first, padded with 0 when the state is shorter than the order.
    """

    memory: IntArray
    sequence: IntArray
    offsets: IntArray

    @property
    def n_states(self) -> int:
        return int(self.memory.shape[0])

    @property
    def members(self) -> tuple[tuple[int, ...], ...]:
        """The label codes of each state, oldest first."""
        return tuple(tuple(int(d) - 1 for d in row if d) for row in self.memory)

    def containing(self, label: int) -> IntArray:
        """Ids of the states whose memory includes ``label``."""
        return np.flatnonzero(np.any(self.memory == label + 1, axis=1)).astype(np.int64)


def path_states(paths: UniquePaths, *, order: int) -> PathStates:
    """The state sequence of every path for a chain of ``order`` (1 = one label per state)."""
    if order < 1:
        raise ValueError(f"order must be at least 1, got {order}")
    if order == 1:
        # Every label is a state, used or not; an unused one is simply never entered.
        memory = np.arange(1, len(paths.labels) + 1, dtype=np.int64).reshape(-1, 1)
        return PathStates(memory, paths.steps, paths.offsets)
    lengths = paths.lengths
    count = np.maximum(lengths - order + 1, 1)
    width = np.minimum(lengths, order)
    owner = np.repeat(np.arange(paths.n_paths, dtype=np.int64), count)
    state_offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    start = paths.offsets[:-1][owner] + (
        np.arange(state_offsets[-1], dtype=np.int64) - state_offsets[:-1][owner]
    )
    last = paths.steps.size - 1
    digits = np.zeros((start.size, order), dtype=np.int64)
    for j in range(order):
        valid = j < width[owner]
        digits[:, j] = np.where(valid, paths.steps[np.minimum(start + j, last)] + 1, 0)
    base = len(paths.labels) + 1
    if base**order < _MAX_CODE:
        code = np.zeros(start.size, dtype=np.int64)
        for j in range(order):
            code = code * base + digits[:, j]
        unique, inverse = np.unique(code, return_inverse=True)
        rows = np.stack([(unique // base ** (order - 1 - j)) % base for j in range(order)], axis=1)
    else:  # too many labels to pack k of them in 63 bits: compare rows instead
        rows, inverse = np.unique(digits, axis=0, return_inverse=True)
    return PathStates(rows.astype(np.int64), inverse.reshape(-1).astype(np.int64), state_offsets)
