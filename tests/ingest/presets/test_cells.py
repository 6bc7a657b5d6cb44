"""Cell conversions: locale dates, the day/month decision's evidence, amounts, ids."""

from __future__ import annotations

import pyarrow as pa
import pytest

from coparent.ingest.presets._cells import (
    DayOrderEvidence,
    normalise_numbers,
    pick_ids,
    salesforce_ids,
    to_iso,
)


@pytest.mark.parametrize(
    ("text", "dayfirst", "iso"),
    [
        ("3/5/2024", False, "2024-03-05"),
        ("3/5/2024", True, "2024-05-03"),
        ("3/5/2024, 2:22 PM", False, "2024-03-05 14:22:00"),
        ("12/5/2024 12:05 AM", False, "2024-12-05 00:05:00"),
        ("12/5/2024 12:05 pm", False, "2024-12-05 12:05:00"),
        ("05/03/2024 14:22", True, "2024-03-05 14:22:00"),
        ("05-03-2024", True, "2024-03-05"),
        ("05.03.2024 09:15:30", False, "2024-03-05 09:15:30"),  # dots: always day-first
        ("2024/03/05", False, "2024-03-05"),
        # left for the checks to report (E204), exactly as written:
        ("2024-03-05T14:22:11.000Z", False, "2024-03-05T14:22:11.000Z"),
        ("31/02/2024", True, "31/02/2024"),
        ("13/13/2024", True, "13/13/2024"),
        ("next week", False, "next week"),
    ],
)
def test_locale_dates_become_iso_and_anything_else_stays_as_written(
    text: str, dayfirst: bool, iso: str
) -> None:
    assert to_iso(pa.array([text, None]), dayfirst=dayfirst).to_pylist() == [iso, None]


def test_day_order_evidence_counts_values_above_12_and_ignores_dots_and_equal_parts() -> None:
    evidence = DayOrderEvidence()
    rows = pa.array([2, 3, 4, 5, 6])
    evidence.add(
        pa.array(["25/02/2024", "05/03/2024", "05.13.2024", "07/07/2024", None]), rows, "A"
    )
    assert (evidence.day_first, evidence.month_first, evidence.ambiguous) == (1, 0, 1)
    assert evidence.day_example == (2, "A", "25/02/2024")
    assert evidence.ambiguous_example == (3, "A", "05/03/2024")


@pytest.mark.parametrize(
    ("values", "semicolon", "expected"),
    [
        (["$45,000", "USD 1,200.50", "12"], False, ["45000", "1200.50", "12"]),
        (["1.234,50 €", "45.000"], False, ["1234.50", "45000"]),
        (["45,000", "1,200"], False, ["45000", "1200"]),  # nothing decides: a comma file
        (["45,000", "1,200"], True, ["45.000", "1.200"]),  # nothing decides: a ; re-save
        (["1 234,5", "2\u00a0000,25"], False, ["1234.5", "2000.25"]),
        (["12k", "1,23,4", ""], False, ["12k", "1,23,4", ""]),  # left for E202
    ],
)
def test_amounts_lose_currency_and_thousands_marks_with_the_decimal_mark_decided_per_column(
    values: list[str], semicolon: bool, expected: list[str]
) -> None:
    assert normalise_numbers(pa.array(values), comma_default=semicolon).to_pylist() == expected


def test_multi_valued_cells_keep_one_id_by_the_rule_and_flag_the_rows() -> None:
    cells = pa.array(["302;301", "101", "7 | 3", None, ";"])
    first, several = pick_ids(cells, pick="first")
    lowest, _ = pick_ids(cells, pick="lowest")
    assert first.to_pylist() == ["302", "101", "7", None, None]
    assert lowest.to_pylist() == ["301", "101", "3", None, None]
    assert several.to_pylist() == [True, False, True, False, False]


def test_salesforce_ids_become_18_characters_strictly_or_only_when_they_look_like_ids() -> None:
    values = pa.array(["0019000000B98de", "0019000000B98deAAB", "Jane Doe", None])
    strict, bad = salesforce_ids(values, strict=True)
    assert strict.to_pylist() == ["0019000000B98deAAB", "0019000000B98deAAB", "Jane Doe", None]
    assert bad.to_pylist() == [False, False, True, False]
    tolerant, bad = salesforce_ids(values, strict=False)
    assert tolerant.to_pylist() == strict.to_pylist()
    assert not any(bad.to_pylist())
