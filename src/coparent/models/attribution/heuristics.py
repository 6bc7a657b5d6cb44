"""Rule-based attribution: first touch, last touch, linear and position-based (U-shaped).

Each rule splits every conversion (and its value) over the steps of the path
that led to it with fixed weights, so credits always add up to the
conversions and value attributed. They are cheap and easy to explain, and
they disagree with each other by design: first touch rewards what opens
journeys (often Marketing), last touch what closes them (often Sales). Showing
them beside the Markov model makes the disagreement visible instead of a
quarrel.

Conventions (the same as ChannelAttribution's ``heuristic_models``, which the
tests reproduce exactly on its example data):

- a channel that appears twice in a path gets two linear shares;
- position-based gives ``first`` and ``last`` to the end points and spreads
  ``middle`` evenly over the steps in between; a two-step path splits
  ``first : last`` (50/50 at the default 40/20/40), a one-step path gets all.

>>> paths = UniquePaths.from_lists(
...     [["ad", "email", "ad", "call"]], conversions=[10], value=[1000.0], nulls=[0]
... )
>>> linear(paths).by_label()
{'ad': (5.0, 500.0), 'call': (2.5, 250.0), 'email': (2.5, 250.0)}
>>> position_based(paths).by_label()  # 40% ad, 10% email, 10% ad, 40% call
{'ad': (5.0, 500.0), 'call': (4.0, 400.0), 'email': (1.0, 100.0)}

References
----------
Google Analytics, "Attribution models" (first, last, linear, position-based,
time decay). Anderl, E., Becker, I., von Wangenheim, F., Schumann, J. H. (2016),
"Mapping the customer journey: Lessons learned from graph-based online
attribution modeling", IJRM 33(3), 457-474, for the heuristics as baselines.
"""

from __future__ import annotations

import numpy as np

from coparent.models.attribution.credits import Credits, FloatArray
from coparent.models.attribution.paths import UniquePaths

__all__ = ["DEFAULT_POSITION_WEIGHTS", "first_touch", "last_touch", "linear", "position_based"]

DEFAULT_POSITION_WEIGHTS = (0.4, 0.2, 0.4)
"""Position-based weights (first, middle, last): the usual 40/20/40 U shape."""


def _credits(model: str, paths: UniquePaths, codes: np.ndarray, conv: FloatArray,
             value: FloatArray) -> Credits:  # fmt: skip
    n = len(paths.labels)
    return Credits(
        model,
        paths.labels,
        np.bincount(codes, weights=conv, minlength=n).astype(np.float64),
        np.bincount(codes, weights=value, minlength=n).astype(np.float64),
    )


def first_touch(paths: UniquePaths) -> Credits:
    """All of a path's conversions and value to its first step."""
    first = paths.steps[paths.offsets[:-1]]
    return _credits("first", paths, first, paths.conversions, paths.value)


def last_touch(paths: UniquePaths) -> Credits:
    """All of a path's conversions and value to its last step."""
    last = paths.steps[paths.offsets[1:] - 1]
    return _credits("last", paths, last, paths.conversions, paths.value)


def linear(paths: UniquePaths) -> Credits:
    """Equal shares per step: a label with k of a path's n steps gets k/n of it.

    Shares are summed per (path, label) before they are added up, path by
    path, so the sums are the same floating-point numbers ChannelAttribution
    produces (the golden test compares them with ``==``).
    """
    n_labels = len(paths.labels)
    lengths = paths.lengths.astype(np.float64)
    keys, counts = np.unique(paths.path_index * n_labels + paths.steps, return_counts=True)
    path, label = np.divmod(keys, n_labels)
    k = counts.astype(np.float64)
    conv = k * paths.conversions[path] / lengths[path]
    value = k * paths.value[path] / lengths[path]
    return _credits("linear", paths, label, conv, value)


def position_based(
    paths: UniquePaths, *, weights: tuple[float, float, float] = DEFAULT_POSITION_WEIGHTS
) -> Credits:
    """U-shaped credit: ``weights`` = (first, middle, last), non-negative, summing to 1."""
    first, middle, last = (float(w) for w in weights)
    if min(first, middle, last) < 0 or abs(first + middle + last - 1.0) > 1e-9:
        raise ValueError(f"position weights must be >= 0 and sum to 1, got {weights}")
    lengths = paths.lengths
    path = paths.path_index
    n = lengths[path]
    at = np.arange(paths.steps.size, dtype=np.int64) - paths.offsets[:-1][path]
    ends = first + last
    two_first = first / ends if ends > 0 else 0.5
    w = np.where(n == 1, 1.0, 0.0)
    w = np.where((n == 2) & (at == 0), two_first, w)
    w = np.where((n == 2) & (at == 1), 1.0 - two_first, w)
    long = n >= 3
    w = np.where(long & (at == 0), first, w)
    w = np.where(long & (at == n - 1), last, w)
    inner = long & (at > 0) & (at < n - 1)
    w = np.where(inner, middle / np.maximum(n - 2, 1), w)
    return _credits(
        "position", paths, paths.steps, w * paths.conversions[path], w * paths.value[path]
    )
