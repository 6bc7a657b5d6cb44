from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from coparent.models import _compress
from coparent.models._compress import compress

rows = st.lists(
    st.tuples(st.integers(0, 5), st.sampled_from([0.0, 1.5, 2.0]), st.floats(0, 3)),
    min_size=1,
    max_size=60,
)


@given(rows, st.booleans())
def test_compression_keeps_every_row_and_weight(
    data: list[tuple[int, float, float]], dense: bool
) -> None:
    cols = tuple(np.array(c, dtype=np.float64) for c in zip(*data, strict=True))
    weights = np.arange(1, len(data) + 1, dtype=np.float64)
    limit = _compress._DENSE_LIMIT
    try:
        _compress._DENSE_LIMIT = limit if dense else 0  # force the sorting path too
        packed = compress(cols, weights)
    finally:
        _compress._DENSE_LIMIT = limit
    got = {
        tuple(float(packed.column(k)[i]) for k in range(3)): float(packed.weight[i])
        for i in range(packed.rows)
    }
    want: dict[tuple[float, ...], float] = {}
    for row, w in zip(zip(*cols, strict=True), weights, strict=True):
        key = tuple(float(v) for v in row)
        want[key] = want.get(key, 0.0) + float(w)
    assert got == want
    assert packed.total == weights.sum()
