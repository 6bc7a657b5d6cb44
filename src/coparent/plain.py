"""Plain JSON values: the one conversion every surface uses (reports, CLI ``--json``, API).

Reports leave the warehouse as Arrow rows holding dates, Decimals, numpy
scalars and NaN. `plain` turns any such value into what JSON can carry,
the same way everywhere: dates and times as ISO 8601 text, a non-finite
float as None (JSON has no NaN, and a missing number reads "no data", never
0), Decimal and numpy numbers as Python numbers, containers recursively.
`dumps` is `json.dumps` over `plain`, for the CLI's ``--json`` output.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "plain"]


def plain(value: Any) -> Any:
    """``value`` with every part JSON can't hold converted (see the module docstring)."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [plain(v) for v in items]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return plain(float(value)) if value != value.to_integral_value() else int(value)
    tolist = getattr(value, "tolist", None)  # numpy arrays
    if callable(tolist) and getattr(value, "ndim", False):
        return plain(tolist())
    as_py = getattr(value, "as_py", None)  # pyarrow scalars
    if callable(as_py):
        return plain(as_py())
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return plain(item())
    return str(value)


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """JSON text of ``plain(value)``; refuses NaN, so nothing un-JSON can slip through."""
    return json.dumps(plain(value), indent=indent, allow_nan=False, ensure_ascii=False)
