"""`coparent.plain`: the one JSON conversion of every surface."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from coparent.plain import dumps, plain

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4)
    | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(values)
def test_any_report_value_becomes_json_and_stays_put(value: object) -> None:
    once = plain(value)
    assert json.loads(json.dumps(once, allow_nan=False)) == once
    assert plain(once) == once
    assert json.loads(dumps(value)) == once


def test_each_kind_of_value() -> None:
    assert plain(float("nan")) is None
    assert plain(float("-inf")) is None
    assert plain(date(2026, 12, 8)) == "2026-12-08"
    assert plain(datetime(2026, 12, 8, 9, 30, tzinfo=UTC)) == "2026-12-08T09:30:00+00:00"
    assert plain(Decimal("600.0000")) == 600
    assert plain(Decimal("0.3500")) == 0.35
    assert type(plain(np.int64(7))) is int
    assert plain(np.float64("nan")) is None
    assert plain(np.array([1.5, np.nan])) == [1.5, None]
    assert plain(pa.scalar(3)) == 3
    assert plain({1: {"b", "a"}}) == {"1": ["a", "b"]}
    assert plain(True) is True


def test_dumps_never_writes_nan() -> None:
    text = dumps({"rate": math.nan, "when": date(2026, 1, 1)})
    assert json.loads(text) == {"rate": None, "when": "2026-01-01"}
    assert "NaN" not in text
