from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.ingest._values import parse_booleans, parse_floats, parse_ints


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12.0),
        ("-3.5", -3.5),
        ("+7", 7.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e3", 1000.0),
        ("1.5E-2", 0.015),
        ("0", 0.0),
    ],
)
def test_plain_decimals_are_numbers(text: str, expected: float) -> None:
    values, bad = parse_floats(pa.array([text]))
    assert (values.to_pylist(), bad.to_pylist()) == ([expected], [False])


@pytest.mark.parametrize(
    "text", ["12k", "$12", "1,200", "1 200", "inf", "nan", "NaN", "-", ".", "1e", "0x10", "١٢"]
)
def test_anything_else_is_not_a_number(text: str) -> None:
    values, bad = parse_floats(pa.array([text, None]))
    assert (values.to_pylist(), bad.to_pylist()) == ([None, None], [True, False])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.234,5", 1234.5), ("1.234.567", 1234567.0), ("12,5", 12.5), ("1234", 1234.0), (",5", 0.5)],
)
def test_a_column_may_declare_its_decimal_mark_and_thousands_separator(
    text: str, expected: float
) -> None:
    values, bad = parse_floats(pa.array([text]), decimal=",", thousands=".")
    assert (values.to_pylist(), bad.to_pylist()) == ([expected], [False])


def test_thousands_separators_must_group_by_three() -> None:
    _, bad = parse_floats(pa.array(["1,23,456", "12,345"]), thousands=",")
    assert bad.to_pylist() == [True, False]


@pytest.mark.parametrize(
    ("text", "value", "not_number", "not_whole"),
    [
        ("12", 12, False, False),
        ("+12", 12, False, False),
        ("-0", 0, False, False),
        ("12.0", 12, False, False),
        ("1.2e3", 1200, False, False),
        ("12.5", None, False, True),
        ("99999999999999999999", None, False, True),
        ("twelve", None, True, False),
        ("9007199254740993", 9007199254740993, False, False),
    ],
)
def test_whole_numbers_accept_integral_decimals_and_flag_fractions_apart_from_words(
    text: str, value: int | None, not_number: bool, not_whole: bool
) -> None:
    values, nan, frac = parse_ints(pa.array([text]))
    assert (values.to_pylist(), nan.to_pylist(), frac.to_pylist()) == (
        [value],
        [not_number],
        [not_whole],
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("FALSE", False),
        ("Yes", True),
        ("no", False),
        ("1", True),
        ("0", False),
        ("t", True),
        ("F", False),
        ("y", True),
        ("N", False),
    ],
)
def test_booleans_accept_the_usual_words_in_any_case(text: str, expected: bool) -> None:
    values, bad = parse_booleans(pa.array([text]))
    assert (values.to_pylist(), bad.to_pylist()) == ([expected], [False])


def test_other_words_are_not_booleans() -> None:
    values, bad = parse_booleans(pa.array(["maybe", "on", None]))
    assert (values.to_pylist(), bad.to_pylist()) == ([None, None, None], [True, True, False])


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_finite_float_written_by_python_reads_back_equal(value: float) -> None:
    values, bad = parse_floats(pa.array([repr(value)]))
    assert values.to_pylist() == [value]
    assert bad.to_pylist() == [False]


@given(st.integers(-(10**18) + 1, 10**18 - 1))
def test_any_int64_written_plainly_or_grouped_reads_back_equal(value: int) -> None:
    grouped = f"{value:,}".replace(",", " ")
    values, nan, frac = parse_ints(pa.array([str(value), grouped]), thousands=" ")
    assert values.to_pylist() == [value, value]
    assert not any(nan.to_pylist())
    assert not any(frac.to_pylist())
