"""Cell conversions for exports: locale dates, amounts, multi-valued ids, Salesforce ids.

Everything returns text that the ordinary checks then parse (ISO 8601 dates,
plain numbers), so one set of checks reports every bad value. A value that
cannot be converted is left exactly as written, and the checks report it
with its row and column (``ingest.E204``, ``ingest.E202``).

**Dates.** ISO 8601 passes through. ``3/5/2024``, ``3/5/2024, 2:22 PM``,
``05/03/2024 14:22`` and ``05-03-2024`` could be day-first or month-first:
the order is decided once per file from the data (a first number above 12
means day-first, a second one above 12 month-first), or by ``--dayfirst`` /
``--monthfirst``. With no deciding value the default is month-first, with a
warning (``ingest.W103``). Dotted dates (``05.03.2024``) are always
day-first, and ``2024/03/05`` is year-month-day.

>>> import pyarrow as pa
>>> to_iso(pa.array(["3/5/2024, 2:22 PM", "05.03.2024", "2024-03-05"]), dayfirst=False).to_pylist()
['2024-03-05 14:22:00', '2024-03-05', '2024-03-05']
>>> normalise_numbers(pa.array(["$45,000", "USD 1,200.50"]), comma_default=False).to_pylist()
['45000', '1200.50']
>>> normalise_numbers(pa.array(["1.234,50 €", "45.000"]), comma_default=False).to_pylist()
['1234.50', '45000']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from coparent.ingest._dates import parse_timestamps
from coparent.ingest.sfid import looks_like_id, to_id18

__all__ = [
    "DayOrderEvidence",
    "join_time",
    "map_unique",
    "normalise_numbers",
    "pick_ids",
    "salesforce_ids",
    "to_iso",
]

_TIME = (
    r"(?:(?:,\s*|\s+|T)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?"
    r"\s*(?P<p>[AaPp]\.?\s?[Mm]\.?)?)?$"
)
_LOCAL = r"^(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})[./-](?P<y>\d{4})" + _TIME
_YMD = r"^(?P<y>\d{4})/(?P<b>\d{1,2})/(?P<a>\d{1,2})" + _TIME


def map_unique(values: pa.Array, fn: Callable[[str], str | None]) -> pa.Array:
    """Apply ``fn`` to each distinct text once (ids and vocabularies repeat a lot)."""
    if values.null_count == len(values):
        return pa.nulls(len(values), pa.string())
    text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    encoded = pc.dictionary_encode(text)
    mapped = pa.array([fn(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return pc.take(mapped, encoded.indices)


def _int(parts: pa.StructArray, name: str) -> pa.Array:
    col = pc.struct_field(parts, name)
    col = pc.if_else(pc.or_(col.is_null(), pc.equal(col, "")), "0", col)
    return pc.cast(col, pa.int64())


def _pad(values: pa.Array) -> pa.Array:
    return pc.utf8_lpad(pc.cast(values, pa.string()), width=2, padding="0")


@dataclass
class DayOrderEvidence:
    """Counts and first examples of values that decide (or cannot decide) the day/month order."""

    day_first: int = 0
    month_first: int = 0
    ambiguous: int = 0
    day_example: tuple[int, str, str] | None = None
    month_example: tuple[int, str, str] | None = None
    ambiguous_example: tuple[int, str, str] | None = None

    def add(self, values: pa.Array, rows: pa.Array, label: str) -> None:
        """Count the slash- and dash-dates of one column (``label`` names it in messages)."""
        parts = pc.extract_regex(values, _LOCAL)
        if parts.null_count == len(parts):
            return
        a, b = _int(parts, "a"), _int(parts, "b")
        slash = pc.fill_null(pc.not_equal(pc.struct_field(parts, "sep"), "."), False)
        small_a, small_b = pc.less_equal(a, 12), pc.less_equal(b, 12)
        masks = {
            "day": pc.and_(slash, pc.and_(pc.invert(small_a), small_b)),
            "month": pc.and_(slash, pc.and_(small_a, pc.invert(small_b))),
            "ambiguous": pc.and_(slash, pc.and_(pc.and_(small_a, small_b), pc.not_equal(a, b))),
        }
        for name, raw_mask in masks.items():
            mask = pc.fill_null(raw_mask, False)
            n = int(pc.sum(mask).as_py() or 0)
            if not n:
                continue
            first = pc.index(mask, True).as_py()
            example = (int(rows[first].as_py()), label, str(values[first].as_py()))
            if name == "day":
                self.day_first += n
                self.day_example = self.day_example or example
            elif name == "month":
                self.month_first += n
                self.month_example = self.month_example or example
            else:
                self.ambiguous += n
                self.ambiguous_example = self.ambiguous_example or example


def to_iso(values: pa.Array, *, dayfirst: bool) -> pa.Array:
    """Locale dates as ISO 8601 text; anything else (ISO included) unchanged."""
    if values.null_count == len(values):
        return values
    out = values
    for pattern, fixed in ((_LOCAL, None), (_YMD, True)):
        parts = pc.extract_regex(out, pattern)
        matched = parts.is_valid()
        if not pc.any(matched).as_py():
            continue
        a, b = _int(parts, "a"), _int(parts, "b")
        if fixed is None:
            dotted = pc.fill_null(pc.equal(pc.struct_field(parts, "sep"), "."), False)
            day_first = pc.or_(dotted, pa.scalar(dayfirst))
        else:
            day_first = pa.scalar(True)
        day = pc.if_else(day_first, a, b)
        month = pc.if_else(day_first, b, a)
        date = pc.binary_join_element_wise(pc.struct_field(parts, "y"), _pad(month), _pad(day), "-")
        hour = _int(parts, "H")
        marker = pc.utf8_lower(pc.utf8_slice_codeunits(pc.struct_field(parts, "p"), 0, 1))
        hour = pc.if_else(pc.and_(pc.equal(marker, "p"), pc.less(hour, 12)), pc.add(hour, 12), hour)
        hour = pc.if_else(pc.and_(pc.equal(marker, "a"), pc.equal(hour, 12)), 0, hour)
        seconds = pc.struct_field(parts, "S")
        seconds = pc.if_else(pc.equal(seconds, ""), "00", seconds)
        clock = pc.binary_join_element_wise(
            _pad(hour), pc.struct_field(parts, "M"), _pad(pc.cast(seconds, pa.int64())), ":"
        )
        has_time = pc.not_equal(pc.struct_field(parts, "H"), "")
        iso = pc.if_else(has_time, pc.binary_join_element_wise(date, clock, " "), date)
        _, bad = parse_timestamps(iso, formats=(), timezone="UTC")
        good = pc.and_(pc.fill_null(matched, False), pc.invert(pc.fill_null(bad, True)))
        out = pc.if_else(good, iso, out)
    return out


def join_time(dates: pa.Array, times: pa.Array) -> pa.Array:
    """``2024-03-05`` and ``14:00`` as ``2024-03-05 14:00`` (the date alone without a time)."""
    both = pc.and_(dates.is_valid(), times.is_valid())
    return pc.if_else(both, pc.binary_join_element_wise(dates, times, " "), dates)


_SHAPE_DOT = r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$"
_SHAPE_COMMA = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)?(?:,\d+)?$"


def normalise_numbers(values: pa.Array, *, comma_default: bool) -> pa.Array:
    """Amounts as plain numbers: currency signs and codes, spaces and thousands marks removed.

    The decimal mark is decided per column: a comma followed by other than
    three digits (``12,5``) means a decimal comma, likewise for the point;
    when nothing decides (``45,000``), the file's convention does
    (``comma_default``: a ``;``-separated file is a European re-save).
    Values that still do not look like a number are left for the checks.
    """
    if values.null_count == len(values) or not pa.types.is_string(values.type):
        return values
    text = pc.replace_substring_regex(values, "[\\s\u00a0\u202f']", "")
    text = pc.replace_substring_regex(text, "^[A-Za-z]{3}|[A-Za-z]{3}$|[$\u20ac\u00a3\u00a5]", "")
    comma = pc.any(pc.match_substring_regex(text, r",(?:\d{1,2}|\d{4,})$|\.\d{3},\d+$")).as_py()
    point = pc.any(pc.match_substring_regex(text, r"\.(?:\d{1,2}|\d{4,})$|,\d{3}\.\d+$")).as_py()
    decimal_comma = bool(comma and not point) or (not comma and not point and comma_default)
    if decimal_comma:
        ok = pc.match_substring_regex(text, _SHAPE_COMMA)
        plain = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
    else:
        ok = pc.match_substring_regex(text, _SHAPE_DOT)
        plain = pc.replace_substring(text, ",", "")
    ok = pc.and_(pc.fill_null(ok, False), pc.not_equal(text, ""))
    return pc.if_else(ok, plain, values)


def pick_ids(values: pa.Array, *, pick: str) -> tuple[pa.Array, pa.Array]:
    """One id from each ``1;2`` cell (``;`` ``,`` or ``|``), and the mask of cells with several.

    ``first`` takes the first listed; ``lowest`` the smallest number (for
    HubSpot, the oldest record, as ids grow over time).
    """

    def choose(cell: str) -> str | None:
        ids = [p.strip() for p in cell.replace("|", ";").replace(",", ";").split(";")]
        ids = [i for i in ids if i]
        if not ids:
            return None
        if pick == "lowest" and all(i.isdigit() for i in ids):
            return min(ids, key=int)
        return ids[0]

    chosen = map_unique(values, choose)
    several = pc.fill_null(pc.match_substring_regex(values, r"\S\s*[;,|]\s*\S"), False)
    return chosen, several


def salesforce_ids(values: pa.Array, *, strict: bool) -> tuple[pa.Array, pa.Array]:
    """Ids in their 18-character form, and the mask of values that are not valid ids.

    With ``strict`` every value must be an id; otherwise (owner columns,
    which reports fill with names) only id-shaped values are converted.
    """
    if strict:
        converted = map_unique(values, to_id18)
        bad = pc.and_(values.is_valid(), converted.is_null())
        return pc.if_else(bad, values, converted), bad
    converted = map_unique(values, lambda v: to_id18(v) if looks_like_id(v) else v)
    bad = pc.and_(values.is_valid(), converted.is_null())
    return pc.if_else(bad, values, converted), bad
