"""Write warehouse tables out as CSV, Parquet or Excel, safe to open in a spreadsheet.

Imports store formula-like text (``=cmd|...``, ``+``, ``-``, ``@`` first) as
plain text and never evaluate it; exports must not turn it back into a live
formula. Text cells starting with one of those characters (or a tab or
carriage return) are written with a leading apostrophe, the OWASP advice for
CSV injection, in CSV and Excel. Parquet keeps values exactly.

Examples
--------
>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-5"), neutralise("Acme")
('\\'=HYPERLINK("http://x")', "'-5", 'Acme')
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["ExportFormat", "export_table", "neutralise", "neutralise_table"]

ExportFormat = Literal["csv", "parquet", "xlsx"]
_RISKY = r"^[=+\-@\t\r]"


def neutralise(text: str) -> str:
    """One cell: prefix an apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def neutralise_table(table: pa.Table) -> pa.Table:
    """Every text column of ``table`` with risky cells neutralised (vectorised)."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.match_substring_regex(column, _RISKY)
            columns.append(pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column))
        else:
            columns.append(column)
    return pa.table(columns, schema=table.schema)


def export_table(table: pa.Table, path: Path, *, fmt: ExportFormat | None = None) -> Path:
    """Write ``table`` to ``path`` in ``fmt`` (default: from the file suffix)."""
    fmt = fmt or _format_of(path)
    if fmt == "parquet":
        pq.write_table(table, path)
    elif fmt == "csv":
        pacsv.write_csv(neutralise_table(table), path)
    else:
        _write_xlsx(neutralise_table(table), path)
    return path


def _format_of(path: Path) -> ExportFormat:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "parquet", "xlsx"):
        return suffix  # type: ignore[return-value]
    raise ValueError(f"cannot tell the export format of {path.name}; use .csv, .parquet or .xlsx")


def _write_xlsx(table: pa.Table, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="data")
    sheet.append(table.column_names)
    columns = [_cells(c) for c in table.columns]
    for row in zip(*columns, strict=True):
        sheet.append(list(row))
    book.save(path)


def _cells(column: pa.ChunkedArray) -> list[object]:
    # Timestamps and dates go out as ISO text so the sheet shows exactly what
    # the warehouse holds (Excel's own date cells lose the seconds' fractions).
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        return [
            None if v is None else v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
            for v in column.to_pylist()
        ]
    return list(column.to_pylist())
