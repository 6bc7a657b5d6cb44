"""Vectorised parsing of numbers and booleans from text, with masks of what failed.

Numbers are plain decimals (``1234.5``, ``-3``, ``.5``, ``1e6``); a column may
declare its ``decimal`` mark and ``thousands`` separator (``1.234,5``). ``inf``
and ``nan`` are not numbers here, because a CRM never means them.

>>> import pyarrow as pa
>>> values, bad = parse_floats(pa.array(["1.234,5", "12", "x"]), decimal=",", thousands=".")
>>> values.to_pylist(), bad.to_pylist()
([1234.5, 12.0, None], [False, False, True])
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "parse_booleans", "parse_floats", "parse_ints"]

TRUE_WORDS = ("true", "yes", "1", "t", "y")
FALSE_WORDS = ("false", "no", "0", "f", "n")

_EXP = r"(?:[eE][+-]?\d+)?"
_WHOLE = r"^[+-]?\d{1,18}(?:\.0*)?$"
_MAX_EXACT = 2.0**53


def _number_regex(decimal: str, thousands: str | None) -> str:
    d = re.escape(decimal)
    digits = r"\d+"
    if thousands is not None:
        digits = rf"(?:\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)"
    return rf"^[+-]?(?:{digits}(?:{d}\d*)?|{d}\d+){_EXP}$"


def _normalise(values: pa.Array, decimal: str, thousands: str | None) -> pa.Array:
    if thousands is not None:
        values = pc.replace_substring(values, thousands, "")
    if decimal != ".":
        values = pc.replace_substring(values, decimal, ".")
    return values


def _numbers(
    values: pa.Array, decimal: str, thousands: str | None
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(shape-ok mask, normalised text of the ok values, floats)."""
    ok = pc.fill_null(pc.match_substring_regex(values, _number_regex(decimal, thousands)), False)
    text = _normalise(pc.if_else(ok, values, pa.scalar(None, pa.string())), decimal, thousands)
    return ok, text, pc.cast(text, pa.float64())


def parse_floats(
    values: pa.Array, *, decimal: str = ".", thousands: str | None = None
) -> tuple[pa.Array, pa.Array]:
    """Strings to float64; returns (values, not-a-number mask)."""
    ok, _, floats = _numbers(values, decimal, thousands)
    bad = pc.and_(values.is_valid(), pc.invert(ok))
    return floats, bad


def parse_ints(
    values: pa.Array, *, decimal: str = ".", thousands: str | None = None
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Strings to int64; returns (values, not-a-number mask, not-whole mask).

    ``12``, ``12.0`` and ``1.2e3`` are whole; ``12.5`` is a number but not
    whole; so is a whole number too large to store exactly.
    """
    ok, text, floats = _numbers(values, decimal, thousands)
    int_shaped = pc.fill_null(pc.match_substring_regex(text, _WHOLE), False)
    digits = pc.if_else(int_shaped, text, pa.scalar(None, pa.string()))
    exact = pc.cast(pc.replace_substring_regex(digits, r"^\+|\.0*$", ""), pa.int64())
    whole_float = pc.and_(pc.equal(pc.floor(floats), floats), pc.less(pc.abs(floats), _MAX_EXACT))
    from_float = pc.cast(
        pc.if_else(pc.fill_null(whole_float, False), floats, pa.scalar(None, pa.float64())),
        pa.int64(),
    )
    result = pc.coalesce(exact, from_float)
    not_number = pc.and_(values.is_valid(), pc.invert(ok))
    not_whole = pc.and_(ok, result.is_null())
    return result, not_number, not_whole


def parse_booleans(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """true/false, yes/no, 1/0, t/f, y/n in any case; returns (values, unreadable mask)."""
    low = pc.utf8_lower(values)
    is_true = pc.is_in(low, value_set=pa.array(TRUE_WORDS))
    is_false = pc.is_in(low, value_set=pa.array(FALSE_WORDS))
    known = pc.or_(is_true, is_false)
    result = pc.if_else(known, is_true, pa.scalar(None, pa.bool_()))
    bad = pc.and_(values.is_valid(), pc.invert(known))
    return result, bad
