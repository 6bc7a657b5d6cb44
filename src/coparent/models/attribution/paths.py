"""Unique paths with their counts: the sufficient statistic every attribution model reads.

A million journeys collapse to the unique channel sequences they walked, each
with how many converted (``conversions``), the value those conversions brought
(``value``) and how many did not convert (``nulls``). The engine does that
aggregation (`coparent.models.attribution.journeys`), or a path file arrives
already aggregated (`coparent.models.attribution.pathfile`); the models then
run in numpy on this small table and never see a journey.

Paths are stored as one flat array of label codes with offsets (the CSR
layout), so heuristics and the Markov chain are vectorised ``bincount`` calls,
not Python loops over paths.

>>> paths = UniquePaths.from_lists(
...     [["email", "search"], ["search"]], conversions=[3, 1], value=[30.0, 5.0], nulls=[7, 9]
... )
>>> paths.labels, paths.n_paths, paths.total_conversions, paths.total_nulls
(('email', 'search'), 2, 4.0, 16.0)
>>> paths.paths()
[('email', 'search'), ('search',)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from coparent.models.attribution.credits import FloatArray

__all__ = ["DEFAULT_SEPARATOR", "IntArray", "UniquePaths", "split_paths"]

IntArray = npt.NDArray[np.int64]
DEFAULT_SEPARATOR = " > "


def split_paths(paths: pa.Array | pa.ChunkedArray, *, sep: str = DEFAULT_SEPARATOR) -> pa.ListArray:
    """Split path texts on ``sep`` (its surrounding spaces optional) into trimmed names.

    >>> split_paths(pa.array(["a > b>c", " search "])).to_pylist()
    [['a', 'b', 'c'], ['search']]
    """
    if not sep:
        raise ValueError("the path separator must not be empty")
    token = sep.strip() or sep
    parts = pc.split_pattern(pc.fill_null(paths, ""), token)
    if isinstance(parts, pa.ChunkedArray):
        parts = parts.combine_chunks()
    names = pc.utf8_trim_whitespace(parts.flatten())
    return pa.ListArray.from_arrays(parts.offsets, names)


@dataclass(frozen=True, eq=False)
class UniquePaths:
    """Unique label sequences (CSR: ``steps[offsets[i]:offsets[i + 1]]``) with their counts.

    ``labels`` maps a code to its channel (or campaign) name; a label may have
    no step at all, so a report can list every channel the company has.
    Counts are floats so that sums stay exact (integers below 2**53) and
    weights can be fractional.
    """

    labels: tuple[str, ...]
    offsets: IntArray
    steps: IntArray
    conversions: FloatArray
    value: FloatArray
    nulls: FloatArray

    def __post_init__(self) -> None:
        n = self.conversions.shape[0]
        if self.offsets.shape != (n + 1,) or self.value.shape != (n,) or self.nulls.shape != (n,):
            raise ValueError("offsets must have one more entry than there are paths")
        if n and (self.offsets[0] != 0 or self.offsets[-1] != self.steps.shape[0]):
            raise ValueError("offsets must start at 0 and end at the number of steps")
        if np.any(np.diff(self.offsets) < 1):
            raise ValueError("every path needs at least one step")
        if self.steps.size and (self.steps.min() < 0 or self.steps.max() >= len(self.labels)):
            raise ValueError("a step code is outside the labels")
        for name in ("conversions", "value", "nulls"):
            array = getattr(self, name)
            if np.any(array < 0) or not np.all(np.isfinite(array)):
                raise ValueError(f"{name} must be finite and not negative")

    # -- sizes and totals -------------------------------------------------------------------

    @property
    def n_paths(self) -> int:
        return int(self.conversions.shape[0])

    @property
    def lengths(self) -> IntArray:
        return np.diff(self.offsets)

    @property
    def path_index(self) -> IntArray:
        """The path each step belongs to."""
        return np.repeat(np.arange(self.n_paths, dtype=np.int64), self.lengths)

    @property
    def total_conversions(self) -> float:
        return float(self.conversions.sum())

    @property
    def total_value(self) -> float:
        return float(self.value.sum())

    @property
    def total_nulls(self) -> float:
        return float(self.nulls.sum())

    def paths(self) -> list[tuple[str, ...]]:
        """The paths as tuples of labels (for small data: tests, examples, the docs)."""
        names = np.array(self.labels, dtype=object)
        return [
            tuple(names[self.steps[a:b]])
            for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)
        ]

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def from_lists(
        cls,
        paths: Sequence[Sequence[str]],
        *,
        conversions: Sequence[float],
        value: Sequence[float] | None = None,
        nulls: Sequence[float] | None = None,
        labels: Sequence[str] | None = None,
    ) -> UniquePaths:
        """Paths given as label sequences (tests, examples, small hand-made cases)."""
        array = pa.array([list(p) for p in paths], pa.list_(pa.string()))
        n = len(array)
        return cls.from_label_lists(
            array,
            conversions=np.asarray(conversions, dtype=np.float64),
            value=np.zeros(n) if value is None else np.asarray(value, dtype=np.float64),
            nulls=np.zeros(n) if nulls is None else np.asarray(nulls, dtype=np.float64),
            labels=labels,
        )

    @classmethod
    def from_label_lists(
        cls,
        paths: pa.ListArray | pa.ChunkedArray,
        *,
        conversions: FloatArray,
        value: FloatArray,
        nulls: FloatArray,
        labels: Sequence[str] | None = None,
    ) -> UniquePaths:
        """Paths as an Arrow ``list<string>`` column; labels sorted unless given."""
        if isinstance(paths, pa.ChunkedArray):
            paths = paths.combine_chunks()
        flat = paths.flatten()
        vocabulary = sorted(set(pc.unique(flat).to_pylist())) if labels is None else list(labels)
        codes = pc.index_in(flat, value_set=pa.array(vocabulary, pa.string()))
        if codes.null_count:
            missing = sorted(set(pc.filter(flat, codes.is_null()).to_pylist()))
            raise ValueError(f"labels not in the vocabulary: {missing[:5]}")
        offsets = np.asarray(paths.offsets, dtype=np.int64)
        return cls(
            tuple(vocabulary),
            offsets - offsets[0],
            np.asarray(codes, dtype=np.int64),
            conversions,
            value,
            nulls,
        )

    @classmethod
    def from_text(
        cls,
        table: pa.Table,
        *,
        sep: str = DEFAULT_SEPARATOR,
        path_col: str = "path",
        conversions_col: str = "conversions",
        value_col: str = "value",
        nulls_col: str = "nulls",
    ) -> UniquePaths:
        """Paths as text joined by ``sep`` (what `journeys.unique_text_paths` returns)."""

        def numbers(name: str) -> FloatArray:
            return np.asarray(pc.fill_null(table.column(name), 0).to_numpy(), dtype=np.float64)

        return cls.from_label_lists(
            split_paths(table.column(path_col), sep=sep),
            conversions=numbers(conversions_col),
            value=numbers(value_col),
            nulls=numbers(nulls_col),
        )

    @classmethod
    def from_arrow(
        cls,
        table: pa.Table,
        *,
        labels: Sequence[str],
        path_col: str = "path",
        conversions_col: str = "conversions",
        value_col: str = "value",
        nulls_col: str = "nulls",
    ) -> UniquePaths:
        """The engine's unique paths: ``path`` holds 1-based codes into ``labels``.

        This is the shape `journeys.unique_paths` returns; integers travel from
        the engine far faster than strings, and ``labels`` comes from
        `journeys.path_vocabulary`.
        """
        column = table.column(path_col).combine_chunks()
        flat = np.asarray(column.flatten(), dtype=np.int64) - 1
        offsets = np.asarray(column.offsets, dtype=np.int64)

        def numbers(name: str) -> FloatArray:
            values = pc.fill_null(table.column(name), 0).to_numpy()
            return np.asarray(values, dtype=np.float64)

        return cls(
            tuple(labels),
            offsets - offsets[0],
            flat,
            numbers(conversions_col),
            numbers(value_col),
            numbers(nulls_col),
        )

    # -- reshaping --------------------------------------------------------------------------

    def take(self, rows: Sequence[int] | IntArray) -> UniquePaths:
        """The paths at ``rows``, in that order (same labels)."""
        index = np.asarray(rows, dtype=np.int64)
        lengths = self.lengths[index]
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        starts = np.repeat(self.offsets[:-1][index] - offsets[:-1], lengths)
        steps = self.steps[np.arange(offsets[-1], dtype=np.int64) + starts]
        return UniquePaths(
            self.labels,
            offsets,
            steps,
            self.conversions[index],
            self.value[index],
            self.nulls[index],
        )

    def with_labels(self, labels: Sequence[str]) -> UniquePaths:
        """The same paths coded against ``labels``, a superset of the current labels."""
        position = {label: i for i, label in enumerate(labels)}
        missing = [label for label in self.labels if label not in position]
        if missing:
            raise ValueError(f"labels {missing} are not in the new vocabulary")
        remap = np.array([position[label] for label in self.labels], dtype=np.int64)
        return UniquePaths(
            tuple(labels),
            self.offsets,
            remap[self.steps] if self.steps.size else self.steps,
            self.conversions,
            self.value,
            self.nulls,
        )
