"""One input guard for every metric: the columns a feature needs, checked once.

Every public metric calls `require_columns` once per input table at its entry,
so a missing column fails before any query runs, with one error that names
what is missing, what the table has, and what to import.
"""

from __future__ import annotations

from collections.abc import Iterable

from ibis.expr import types as ir

from coparent.errors import MissingColumnsError

__all__ = ["require_columns"]


def require_columns(
    table: ir.Table, columns: Iterable[str], *, feature: str, table_name: str
) -> None:
    """Raise `MissingColumnsError` unless ``table`` has every column in ``columns``.

    Examples
    --------
    >>> import ibis
    >>> leads = ibis.memtable({"lead_id": ["L1"], "channel": ["webinar"]})
    >>> require_columns(leads, {"lead_id"}, feature="speed to lead", table_name="leads")
    >>> require_columns(leads, {"lead_id", "mql_at"}, feature="speed to lead", table_name="leads")
    Traceback (most recent call last):
    ...
    coparent.errors.MissingColumnsError: speed to lead needs column(s) mql_at in 'leads'; available: channel, lead_id
    """  # noqa: E501 - a doctest's expected output is one line
    available = list(table.columns)
    missing = sorted(set(columns) - set(available))
    if missing:
        raise MissingColumnsError(
            missing=missing, available=available, feature=feature, table=table_name
        )
