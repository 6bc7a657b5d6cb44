"""The input guard of the models' Ibis entry points: every needed column, checked once."""

from __future__ import annotations

from collections.abc import Iterable

from ibis.expr import types as ir

from coparent.errors import MissingColumnsError

__all__ = ["require_columns"]


def require_columns(
    table: ir.Table, columns: Iterable[str], *, feature: str, table_name: str
) -> None:
    """Raise `MissingColumnsError` (what is missing, what there is) unless all ``columns`` exist."""
    available = list(table.columns)
    missing = sorted(set(columns) - set(available))
    if missing:
        raise MissingColumnsError(
            missing=missing, available=available, feature=feature, table=table_name
        )
