"""Excel workbooks and Arrow/Parquet tables as source columns with spreadsheet row numbers.

Excel keeps the sheet's own row numbers (the header is the first non-empty
row). Cells become text the way a CSV export would write them, so one set of
parsers serves every format; formulas are never evaluated (the value Excel
cached is read, if any). Parquet and in-memory Arrow keep their types; their
rows are numbered as if exported with a header (record index + 2).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa

from coparent.ingest._text import RawText
from coparent.ingest.issues import IssueCode, IssueLog, show_value

__all__ = ["cell_text", "read_excel", "read_parquet"]


def cell_text(value: Any) -> str | None:
    """A cell as text: dates in ISO 8601, booleans as true/false, whole floats without .0."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def read_excel(
    path: Path | IO[bytes],
    *,
    sheet: str | None,
    header: bool = True,
    names: tuple[str, ...] | None = None,
    skip_rows: int = 0,
    log: IssueLog,
) -> RawText | None:
    """The first sheet (or ``sheet``) of an .xlsx workbook.

    With ``header`` the first non-empty row names the columns; without, every
    row is data and the columns take ``names`` (or column_1, column_2, ...).
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        log.add(
            IssueCode.E108,
            message=f"cannot read the workbook: {exc}",
            hint="open it in Excel and save it again as .xlsx, or export the sheet as CSV",
        )
        return None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            log.add(
                IssueCode.E108,
                message=f"the workbook has no sheet {sheet!r}",
                hint="its sheets: " + ", ".join(repr(s) for s in book.sheetnames),
            )
            return None
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        given = None
        if not header:
            given = list(names or [f"column_{i + 1}" for i in range(ws.max_column or 0)])
        rows = ws.iter_rows(values_only=True, min_row=skip_rows + 1)
        return _sheet_rows(rows, names=given, log=log, first_row=skip_rows + 1)
    finally:
        book.close()


def _sheet_rows(
    rows: Any, *, names: list[str] | None, log: IssueLog, first_row: int = 1
) -> RawText:
    header_row: int | None = None
    cells: list[list[str | None]] = [[] for _ in names or []]
    numbers: list[int] = []
    for number, raw in enumerate(rows, start=first_row):
        values = [cell_text(v) for v in raw]
        if names is None:
            if any(v is not None and v.strip() for v in values):
                while values and values[-1] is None:
                    values.pop()
                names = [(v or "").strip() for v in values]
                header_row = number
                cells = [[] for _ in names]
            continue
        width = len(names)
        extra = [v for v in values[width:] if v is not None and v.strip()]
        if extra:
            log.add(
                IssueCode.E103,
                row=number,
                value=None,
                message=f"this row has values beyond the {width} named columns: "
                f"{show_value(extra[0])}",
                hint="give every column a header, or delete the stray cells",
            )
            continue
        values = values[:width] + [None] * (width - len(values))
        for col, v in zip(cells, values, strict=True):
            col.append(v)
        numbers.append(number)
    if names is None:
        return RawText([], [], np.array([], dtype=np.int64), None)
    columns = [pa.array(c, pa.string()) for c in cells]
    return RawText(names, columns, np.array(numbers, dtype=np.int64), header_row)


def read_parquet(path: Path | pa.BufferReader, *, log: IssueLog) -> pa.Table | None:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        log.add(
            IssueCode.E108,
            message=f"cannot read the Parquet file: {exc}",
            hint="check that the file is complete (not truncated while copying)",
        )
        return None


def arrow_columns(table: pa.Table) -> RawText:
    """An Arrow table's columns, strings as plain text and other types kept, rows from 2."""
    columns: list[pa.Array] = []
    for col in table.columns:
        arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
            arr = arr.cast(pa.string())
        elif not _plain(arr.type):
            arr = _as_python_text(arr)
        columns.append(arr)
    rows = np.arange(2, table.num_rows + 2, dtype=np.int64)
    return RawText([str(n) for n in table.column_names], columns, rows, 1)


def _plain(typ: pa.DataType) -> bool:
    t = pa.types
    return bool(
        t.is_string(typ)
        or t.is_integer(typ)
        or t.is_floating(typ)
        or t.is_decimal(typ)
        or t.is_boolean(typ)
        or t.is_timestamp(typ)
        or t.is_date(typ)
        or t.is_null(typ)
    )


def _as_python_text(arr: pa.Array) -> pa.Array:
    """Lists, structs, binary and other rare types as text, so checks can report them."""

    def text(v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, bytes):
            return v.decode("utf-8", errors="replace")
        return str(v)

    return pa.array([text(v) for v in arr.to_pylist()], pa.string())
