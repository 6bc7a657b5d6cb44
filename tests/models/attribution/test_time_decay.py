"""Time decay in the engine: hand-computed weights, very old touches, input checks."""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.errors import MissingColumnsError
from coparent.models.attribution import time_decay_credits
from tests.models.attribution.conftest import flat

END = datetime(2026, 3, 1)


def _steps(rows: list[tuple[str, str, float, bool, float]]) -> ibis.Table:
    """(journey, label, days before the end, converted, value) per step."""
    return ibis.memtable(
        {
            "journey_id": [r[0] for r in rows],
            "label": [r[1] for r in rows],
            "at": [END - timedelta(days=r[2]) for r in rows],
            "converted": [r[3] for r in rows],
            "converted_at": [END if r[3] else None for r in rows],
            "value": [r[4] for r in rows],
        }
    )


def _credits(steps: ibis.Table, half_life: float) -> dict[str, tuple[float, float]]:
    rows = time_decay_credits(steps, half_life_days=half_life).to_pyarrow().to_pylist()
    return {r["label"]: (r["conversions"], r["value"]) for r in rows}


def test_weights_halve_every_half_life_before_the_conversion() -> None:
    # J1 (worth 70): ads 14 days, email 7 days, call 0 days before -> 1/4 : 1/2 : 1, i.e.
    # 1/7, 2/7, 4/7. J2 (worth 0): email alone -> 1. J3 never converted: no credit.
    steps = _steps(
        [
            ("J1", "ads", 14, True, 70.0),
            ("J1", "email", 7, True, 70.0),
            ("J1", "call", 0, True, 70.0),
            ("J2", "email", 3, True, 0.0),
            ("J3", "ads", 1, False, 0.0),
        ]
    )
    assert flat(_credits(steps, 7.0)) == pytest.approx(
        flat({"ads": (1 / 7, 10.0), "email": (2 / 7 + 1, 20.0), "call": (4 / 7, 40.0)})
    )


def test_touches_years_old_still_split_their_conversion() -> None:
    # 2^-(3650/7) underflows to 0; weights relative to the newest step keep 1 : 2^-1.
    steps = _steps([("J1", "ads", 3657, True, 3.0), ("J1", "email", 3650, True, 3.0)])
    assert flat(_credits(steps, 7.0)) == pytest.approx(
        flat({"ads": (1 / 3, 1.0), "email": (2 / 3, 2.0)})
    )


@settings(max_examples=15)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["J1", "J2", "J3"]),
            st.sampled_from(["ads", "email", "call"]),
            st.floats(0, 400),
        ),
        min_size=1,
        max_size=12,
    ),
    st.floats(0.5, 60),
)
def test_time_decay_credits_sum_to_the_conversions_and_value(
    rows: list[tuple[str, str, float]], half_life: float
) -> None:
    values = {"J1": 100.0, "J2": 7.5, "J3": 0.0}
    steps = _steps([(j, label, d, True, values[j]) for j, label, d in rows])
    credits = _credits(steps, half_life)
    journeys = {j for j, _, _ in rows}
    assert sum(c for c, _ in credits.values()) == pytest.approx(len(journeys))
    assert sum(v for _, v in credits.values()) == pytest.approx(sum(values[j] for j in journeys))


def test_half_life_must_be_positive_and_steps_need_their_times() -> None:
    steps = _steps([("J1", "ads", 1, True, 1.0)])
    with pytest.raises(ValueError, match="positive"):
        time_decay_credits(steps, half_life_days=0)
    with pytest.raises(MissingColumnsError, match="at"):
        time_decay_credits(steps.drop("at"))
