"""Vectorised parsing of dates and timestamps, strict about impossible dates.

Each parser returns the parsed array and a mask of the values that could not
be read, so the caller can report them (``ingest.E204``) by row.

ISO 8601 is the default: ``2024-03-05``, ``2024-03-05 14:22``,
``2024-03-05T14:22:11.123``, with an optional ``Z`` or ``+02:00`` offset.
Arrow's cast is strict (it refuses 31 February), so the common case is one
regex match and one cast per column. Custom formats use ``strptime``, which
on its own would roll 31/02/2024 over to 2 March; a round trip through
``strftime`` on the values that land on day 1-3 of a month catches that.

Timestamps come back as UTC without a time zone (the schema's convention);
values without an offset are read in ``timezone`` first.

>>> import pyarrow as pa
>>> values, bad = parse_timestamps(pa.array(["2024-03-05 14:22", "31/02/2024", None]),
...                                formats=(), timezone="Europe/Paris")
>>> values.to_pylist()[0], bad.to_pylist()
(datetime.datetime(2024, 3, 5, 13, 22), [False, True, False])
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["format_hint", "parse_dates", "parse_timestamps", "to_utc"]

_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
_NAIVE = rf"^{_DATE}(?:[T ]{_TIME})?$"
_AWARE = rf"^{_DATE}[T ]{_TIME}(?:[Zz]|[+-]\d{{2}}(?::?\d{{2}})?)$"
_MIDNIGHT_DATE = rf"^{_DATE}(?:[T ]00:00(?::00(?:\.0{{1,9}})?)?)?$"
_OFFSET = r"\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"

_US = pa.timestamp("us")
_UTC = pa.timestamp("us", tz="UTC")
_FIRST_TS = pa.scalar(dt.datetime(1, 1, 1), _US)
_FIRST_DATE = pa.scalar(dt.date(1, 1, 1), pa.date32())


def format_hint(formats: tuple[str, ...]) -> str:
    if formats:
        return "expected " + " or ".join(formats) + " (the column's format in the mapping)"
    return (
        "expected ISO 8601, e.g. 2024-03-05 or 2024-03-05 14:22:11 (+02:00 or Z optional);"
        ' for another layout set the column\'s format in a mapping, e.g. format = "%d/%m/%Y"'
    )


def _in_range(parsed: pa.Array, first: pa.Scalar, typ: pa.DataType) -> pa.Array:
    """Year 0 exists in Arrow but not in Python or most databases: treat it as unreadable."""
    early = pc.fill_null(pc.less(parsed, first), False)
    if pc.any(early).as_py():
        return pc.if_else(early, pa.scalar(None, typ), parsed)
    return parsed


def _null_mask(values: pa.Array) -> pa.Array:
    return pc.fill_null(values, False)


def _empty_ts(n: int) -> pa.Array:
    return pa.nulls(n, _US)


def parse_timestamps(
    values: pa.Array, *, formats: tuple[str, ...], timezone: str
) -> tuple[pa.Array, pa.Array]:
    """Parse strings to naive-UTC ``timestamp[us]``; returns (values, unreadable mask)."""
    if formats:
        parsed = _parse_formats(values, formats, timezone=timezone)
    else:
        parsed = _parse_iso(values, timezone=timezone)
    parsed = _in_range(parsed, _FIRST_TS, _US)
    bad = pc.and_(values.is_valid(), parsed.is_null())
    return parsed, bad


def parse_dates(values: pa.Array, *, formats: tuple[str, ...]) -> tuple[pa.Array, pa.Array]:
    """Parse strings to ``date32``: ISO dates (a midnight time is tolerated) or ``formats``."""
    if formats:
        ts = _parse_formats(values, formats, timezone="UTC")
        parsed = pc.cast(ts, pa.date32(), safe=False)
    else:
        shaped = _null_mask(pc.match_substring_regex(values, _MIDNIGHT_DATE))
        dates = pc.utf8_slice_codeunits(
            pc.if_else(shaped, values, pa.scalar(None, pa.string())), 0, 10
        )
        parsed = _strict_cast(dates, pa.date32())
    parsed = _in_range(parsed, _FIRST_DATE, pa.date32())
    bad = pc.and_(values.is_valid(), parsed.is_null())
    return parsed, bad


def _parse_iso(values: pa.Array, *, timezone: str) -> pa.Array:
    n = len(values)
    if values.null_count == n:
        return _empty_ts(n)
    naive_ok = _null_mask(pc.match_substring_regex(values, _NAIVE))
    valid = n - values.null_count
    naive_n = int(pc.sum(naive_ok).as_py() or 0)
    text = _truncate_fraction(values)
    naive = _strict_cast(pc.if_else(naive_ok, text, pa.scalar(None, pa.string())), _US)
    naive = to_utc(naive, timezone)
    if naive_n == valid:
        return naive
    aware_ok = _null_mask(pc.match_substring_regex(values, _AWARE))
    if not pc.any(aware_ok).as_py():
        return naive
    aware_text = pc.replace_substring_regex(text, "z$", "Z")
    aware = _strict_cast(pc.if_else(aware_ok, aware_text, pa.scalar(None, pa.string())), _UTC)
    return pc.coalesce(naive, pc.cast(aware, _US))


def _truncate_fraction(values: pa.Array) -> pa.Array:
    # Arrow keeps microseconds; seven or more fraction digits (.NET, nanosecond logs) are cut.
    if pc.any(pc.match_substring_regex(values, r"\.\d{7}")).as_py():
        return pc.replace_substring_regex(values, r"(\.\d{6})\d+", r"\1")
    return values


def _strict_cast(values: pa.Array, to: pa.DataType) -> pa.Array:
    """Cast ISO-shaped strings; when some are impossible (31 Feb, 25:00), null just those."""
    try:
        return pc.cast(values, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    ok = _calendar_ok(values)
    return _bisect_cast(pc.if_else(ok, values, pa.scalar(None, pa.string())), to)


def _bisect_cast(values: pa.Array, to: pa.DataType) -> pa.Array:
    # Whatever the field checks missed (an offset of +25:00) is found by halving.
    try:
        return pc.cast(values, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if len(values) == 1:
            return pa.nulls(1, to)
    half = len(values) // 2
    return pa.concat_arrays(
        [_bisect_cast(values.slice(0, half), to), _bisect_cast(values.slice(half), to)]
    )


def _calendar_ok(values: pa.Array) -> pa.Array:
    """Which ISO-shaped strings name a real date and time (checked field by field)."""
    parts = pc.extract_regex(
        pc.fill_null(values, "0000-00-00"),
        r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<H>\d{2}):(?P<M>\d{2})"
        r"(?::(?P<S>\d{2}))?)?",
    )

    def field(name: str) -> np.ndarray:
        col = pc.fill_null(pc.struct_field(parts, name), "0")
        col = pc.if_else(pc.equal(col, ""), "0", col)
        return np.asarray(pc.cast(col, pa.int64()).to_numpy(zero_copy_only=False))

    y, m, d = field("y"), field("m"), field("d")
    hh, mm, ss = field("H"), field("M"), field("S")
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    month_days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    last = month_days[np.clip(m, 1, 12) - 1] + ((m == 2) & leap)
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (d <= last) & (hh <= 23) & (mm <= 59) & (ss <= 59)
    return pc.and_(pa.array(ok), values.is_valid())


def to_utc(naive: pa.Array, timezone: str) -> pa.Array:
    """Naive local times in ``timezone`` as naive UTC (DST gaps move forward, repeats: first)."""
    if timezone == "UTC" or naive.null_count == len(naive):
        return naive
    local = pc.assume_timezone(naive, timezone, ambiguous="earliest", nonexistent="latest")
    return pc.cast(local, _US)


def _parse_formats(values: pa.Array, formats: tuple[str, ...], *, timezone: str) -> pa.Array:
    result = _empty_ts(len(values))
    for fmt in formats:
        todo = pc.and_(values.is_valid(), result.is_null())
        if not pc.any(todo).as_py():
            break
        subset = pc.if_else(todo, values, pa.scalar(None, pa.string()))
        result = pc.coalesce(result, _parse_one_format(subset, fmt, timezone=timezone))
    return result


def _parse_one_format(values: pa.Array, fmt: str, *, timezone: str) -> pa.Array:
    offset_us: pa.Array | None = None
    if fmt.rstrip().endswith("%z"):
        # Offsets are taken off the text and applied afterwards, so that the
        # round trip below compares local wall-clock text with local text.
        fmt = fmt.rstrip()[:-2].rstrip()
        offset_us = _offsets(values)
        values = pc.replace_substring_regex(values, _OFFSET, "")
        values = pc.if_else(offset_us.is_null(), pa.scalar(None, pa.string()), values)
    parsed = pc.strptime(values, format=fmt, unit="us", error_is_null=True)
    if parsed.type.tz is not None:  # a %z inside the format: already UTC
        return pc.cast(parsed, _US)
    parsed = _reject_rollover(values, parsed, fmt)
    if offset_us is not None:
        shifted = pc.subtract(pc.cast(parsed, pa.int64()), offset_us)
        return pc.cast(shifted, _US)
    return to_utc(parsed, timezone)


def _reject_rollover(values: pa.Array, parsed: pa.Array, fmt: str) -> pa.Array:
    """Null the values strptime rolled over (31/02 -> 2 March; second 60 -> next minute)."""
    suspects = pc.less_equal(pc.day(parsed), 3)
    if "%S" in fmt or "%T" in fmt:
        suspects = pc.or_(suspects, pc.less_equal(pc.second(parsed), 1))
    suspects = _null_mask(suspects)
    if not pc.any(suspects).as_py():
        return parsed
    idx = pc.indices_nonzero(suspects)
    # strptime reads whole seconds; at microsecond resolution strftime would write
    # %S as "00.000000", and no value would survive the comparison.
    whole_seconds = pc.cast(parsed.take(idx), pa.timestamp("s"), safe=False)
    back = pc.strftime(whole_seconds, format=fmt, locale="C")
    same = pc.equal(_normalise(back), _normalise(values.take(idx)))
    wrong = idx.filter(pc.invert(pc.fill_null(same, False)))
    if len(wrong) == 0:
        return parsed
    mask = np.zeros(len(parsed), dtype=bool)
    mask[np.asarray(wrong.to_numpy())] = True
    return pc.if_else(pa.array(mask), pa.scalar(None, _US), parsed)


def _normalise(text: pa.Array) -> pa.Array:
    # strftime pads (05/03/2024, 02:22 PM); input may not (5/3/2024, 2:22 pm).
    unpadded = pc.replace_substring_regex(text, r"(^|\D)0+(\d)", r"\1\2")
    return pc.utf8_lower(pc.replace_substring_regex(unpadded, r"\s+", " "))


def _offsets(values: pa.Array) -> pa.Array:
    """Microseconds east of UTC for a trailing ``Z``, ``+02``, ``+0200`` or ``+02:00``."""
    parts = pc.extract_regex(values, r"(?P<z>[Zz])$|(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})?$")
    is_z = pc.not_equal(pc.struct_field(parts, "z"), "")
    sign = pc.if_else(pc.equal(pc.struct_field(parts, "sign"), "-"), -1, 1)
    hours = pc.cast(
        pc.if_else(pc.equal(pc.struct_field(parts, "h"), ""), "0", pc.struct_field(parts, "h")),
        pa.int64(),
    )
    mins_text = pc.struct_field(parts, "m")
    mins = pc.cast(pc.if_else(pc.equal(mins_text, ""), "0", mins_text), pa.int64())
    offset = pc.multiply(sign, pc.multiply(pc.add(pc.multiply(hours, 60), mins), 60_000_000))
    return pc.if_else(is_z, pa.scalar(0, pa.int64()), offset)
