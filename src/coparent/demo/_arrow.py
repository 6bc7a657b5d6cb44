"""Turning numpy columns into Arrow columns of the canonical types, without Python loops.

Strings are built by Arrow kernels (ids) or by taking from a small vocabulary
(names, reasons), so ten million touch ids cost a few hundred milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from coparent.demo._calendar import Bools, Calendar, Floats, Ints
from coparent.schema import TABLES


def ids(prefix: str, n: int, *, width: int = 6) -> pa.Array:
    """``prefix`` + a zero-padded 1-based row number, e.g. ``L000042``."""
    numbers = pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string())
    padded = pc.utf8_lpad(numbers, width=width, padding="0")
    return pc.binary_join_element_wise(prefix, padded, "")


def id_width(n: int) -> int:
    """Digits for ``n`` ids, never fewer than six, so small and large demos look alike."""
    return max(6, len(str(n)))


def take(
    values: pa.Array | Sequence[str], index: npt.NDArray[np.integer], present: Bools | None = None
) -> pa.Array:
    """``values[index]``; null where ``present`` is False (or where ``index`` < 0)."""
    source = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    mask = index < 0 if present is None else ~present | (index < 0)
    safe = np.where(mask, 0, index).astype(np.int64)
    return source.take(pa.array(safe, mask=mask))


def timestamps(cal: Calendar, t: Floats, present: Bools | None = None) -> pa.Array:
    """Times in days since start as ``timestamp[us]``; NaN and times after ``end`` are null."""
    us, ok = cal.to_us(t)
    if present is not None:
        ok = ok & present
    return pa.array(us, type=pa.timestamp("us"), mask=~ok)


def dates(cal: Calendar, day: Ints, present: Bools | None = None) -> pa.Array:
    epoch_days = cal.to_epoch_days(day)
    mask = None if present is None else ~present
    return pa.array(epoch_days, type=pa.date32(), mask=mask)


def floats(values: Floats, present: Bools | None = None) -> pa.Array:
    mask = None if present is None else ~present
    return pa.array(np.where(np.isfinite(values), values, 0.0), type=pa.float64(), mask=mask)


def table(name: str, columns: Mapping[str, pa.Array]) -> pa.Table:
    """Assemble canonical table ``name``; a missing or extra column is a programming error."""
    schema = TABLES[name].arrow_schema()
    if set(columns) != set(schema.names):
        raise AssertionError(f"{name}: columns {sorted(columns)} != {sorted(schema.names)}")
    arrays = [columns[f.name].cast(f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)
