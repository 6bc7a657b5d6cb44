from __future__ import annotations

import ibis
import pytest

from coparent.errors import MissingColumnsError
from coparent.models.rfm import rfm_scores


def _features(frequency: list[int], since: list[float], spend: list[float]) -> ibis.Table:
    n = len(frequency)
    return ibis.memtable(
        {
            "account_id": [f"c{i}" for i in range(n)],
            "frequency": frequency,
            "recency": [100.0 - s for s in since],
            "T": [100.0] * n,
            "total_amount": spend,
        }
    )


def test_equal_values_get_equal_scores_and_scores_span_one_to_five() -> None:
    f = _features([0, 0, 0, 3, 9, 9], [90.0, 90.0, 10.0, 5.0, 1.0, 1.0], [5, 5, 6, 7, 8, 9])
    rows = {r["account_id"]: r for r in rfm_scores(f).to_pyarrow().to_pylist()}
    assert rows["c0"]["f_score"] == rows["c1"]["f_score"] == rows["c2"]["f_score"] == 1
    assert rows["c4"]["f_score"] == rows["c5"]["f_score"] == 5
    assert rows["c0"]["r_score"] == rows["c1"]["r_score"] == 1  # longest since the last order
    assert rows["c4"]["r_score"] == 5
    assert [rows[f"c{i}"]["m_score"] for i in range(6)] == sorted(
        rows[f"c{i}"]["m_score"] for i in range(6)
    )
    assert rows["c3"]["since_last"] == 5.0


def test_rfm_needs_the_customer_base_columns() -> None:
    with pytest.raises(MissingColumnsError, match="total_amount"):
        rfm_scores(ibis.memtable({"frequency": [1], "recency": [1.0], "T": [2.0]}))
