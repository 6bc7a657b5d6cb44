"""Read a source file into text columns that remember each row's spreadsheet number.

Formats: delimited text (``,`` ``;`` tab ``|``, sniffed from the header line
unless given, or ``whitespace`` for fixed-width logs), Parquet and Excel
(.xlsx), each also inside a ``.gz`` file or a ``.zip`` archive (decompressed
in memory: the readers need the whole file anyway, to number its rows).
Title lines above the header (``skip_rows``) are skipped but still counted.
Text is UTF-8 with or without a BOM, UTF-16 with a BOM, or else
Windows-1252/Latin-1 with a warning. Every text cell is stripped of
surrounding whitespace, and cells equal to one of the ``import_null_values``
setting (or empty) become null. Blank rows are skipped but keep their
numbers, so later rows are still located where a spreadsheet shows them.

Readers never raise for bad data: what they cannot read becomes an issue
(E1xx) and `read_source` returns None when nothing can be checked.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from coparent.ingest import _sheets, _text
from coparent.ingest._text import bool_mask
from coparent.ingest.issues import IssueCode, IssueLog
from coparent.ingest.mapping import SourceOptions
from coparent.settings import Settings

__all__ = [
    "TEXT_SUFFIXES",
    "SourceTable",
    "read_arrow",
    "read_source",
    "read_text_data",
    "source_from_raw",
]

TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".psv", ".dat", "")
_MAGIC = {
    b"PK\x03\x04": ".xlsx",
    b"PAR1": ".parquet",
    b"\xd0\xcf\x11\xe0": ".xls",
}


@dataclass
class SourceTable:
    """Source columns by unique name, in file order, with the row number of every record.

    A repeated header is kept under ``NAME__1``, ``NAME__2``..., and
    ``duplicates`` says how often each such name appeared, so a mapping that
    uses the bare name can be told it is ambiguous.
    """

    file: str
    names: list[str]
    columns: dict[str, pa.Array]
    rows: pa.Array
    header_row: int | None
    duplicates: dict[str, int]
    unreadable: dict[str, pa.Array] = field(default_factory=dict)
    """Computed columns: rows whose inputs could not be read (already reported)."""

    @property
    def num_rows(self) -> int:
        return len(self.rows)


def read_source(
    path: Path, *, file: str, options: SourceOptions, settings: Settings, log: IssueLog
) -> SourceTable | None:
    """Read ``path`` as its type says; None when the file cannot be used (issues logged).

    A ``.gz`` file, or a ``.zip`` archive's only (or ``options.member``) file,
    is decompressed in memory and read as its inner name says.
    """
    if not path.exists():
        log.add(
            IssueCode.E100,
            message=f"no such file: {path}",
            hint="check the path; relative paths start from the current folder",
        )
        return None
    if path.is_dir():
        log.add(
            IssueCode.E100,
            message=f"{path} is a folder, not a file",
            hint="give the path of the exported file",
        )
        return None
    if not path.is_file():
        log.add(
            IssueCode.E100,
            message=f"{path} is not a regular file (a device, a pipe or a socket)",
            hint="save the export to a file and import that file",
        )
        return None
    max_bytes = settings.import_max_file_mb << 20
    if path.stat().st_size > max_bytes:
        _too_large(path.stat().st_size, max_bytes, log=log)
        return None
    opened = _open(path, member=options.member, max_bytes=max_bytes, log=log)
    if opened is None:
        return None
    inner, data = opened
    kind = _kind(inner, data[:8] if data is not None else _head(path), log=log)
    if kind is None:
        return None
    null_values = _null_values(options, settings)
    if kind == ".parquet":
        table = _sheets.read_parquet(path if data is None else pa.BufferReader(data), log=log)
        raw = None if table is None else _sheets.arrow_columns(table)
    elif kind == ".xlsx":
        raw = _sheets.read_excel(
            path if data is None else io.BytesIO(data),
            sheet=options.sheet,
            header=options.header,
            names=options.names,
            skip_rows=options.skip_rows,
            log=log,
        )
    else:
        if data is None:
            data = _read_bytes(path, log=log)
        raw = (
            None
            if data is None
            else _parse_text(
                data,
                options=options,
                null_values=null_values,
                max_line_bytes=settings.import_max_line_kb << 10,
                log=log,
            )
        )
    if raw is None:
        return None
    return _finish(raw, file=file, null_values=null_values, log=log)


def _null_values(options: SourceOptions, settings: Settings) -> list[str]:
    """The empty cell is always empty; the mapping's list, else the setting, adds words."""
    words = settings.import_null_values if options.null_values is None else options.null_values
    return sorted({"", *words})


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(8)
    except OSError:
        return b""


def _unreadable(exc: OSError, *, log: IssueLog) -> None:
    log.add(
        IssueCode.E100,
        message=f"cannot read the file: {exc.strerror}",
        hint="check the file's permissions",
    )


def _read_bytes(path: Path, *, log: IssueLog) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        _unreadable(exc, log=log)
        return None


def _too_large(size: int, max_bytes: int, *, log: IssueLog, unpacked: bool = False) -> None:
    what = "unpacks to more than" if unpacked else f"is {size / (1 << 20):,.1f} MB, more than"
    log.add(
        IssueCode.E110,
        message=f"the file {what} the {max_bytes >> 20:,} MB an import reads",
        hint="split the export, or raise the setting import_max_file_mb",
    )


def _gunzip(data: bytes, *, max_bytes: int) -> bytes | None:
    """``data`` decompressed, or None when it would be larger than ``max_bytes``."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, max_bytes + 1)
    if len(out) > max_bytes or inflater.unconsumed_tail:
        return None
    if not inflater.eof:
        raise EOFError("the compressed data end too early")
    return out


def _long_line(data: bytes, *, max_bytes: int) -> tuple[int, int] | None:
    """The first line longer than ``max_bytes``: (its 1-based number, its length), else None."""
    if len(data) <= max_bytes:
        return None
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    bounds = np.concatenate(([-1], ends, [len(data)]))
    lengths = np.diff(bounds) - 1
    over = np.flatnonzero(lengths > max_bytes)
    if over.size == 0:
        return None
    return int(over[0]) + 1, int(lengths[over[0]])


def _open(
    path: Path, *, member: str | None, max_bytes: int, log: IssueLog
) -> tuple[Path, bytes | None] | None:
    """The name to read the file as and its bytes when decompressed (None: read the path)."""
    suffix = path.suffix.lower()
    if member is not None and suffix != ".zip":
        log.add(
            IssueCode.E104,
            message=f"the mapping names the member {member!r}, but the file is not a .zip archive",
            hint="remove member from the mapping's [TABLE.source], or import the .zip file",
        )
        return None
    if suffix == ".gz":
        data = _read_bytes(path, log=log)
        if data is None:
            return None
        try:
            inflated = _gunzip(data, max_bytes=max_bytes)
            if inflated is None:
                _too_large(0, max_bytes, log=log, unpacked=True)
                return None
            return Path(path.stem), inflated
        except (OSError, EOFError, zlib.error) as exc:
            log.add(
                IssueCode.E108,
                message=f"cannot decompress the .gz file: {exc}",
                hint="the file is damaged or not gzip; copy or download it again",
            )
            return None
    if suffix != ".zip":
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            _unreadable(exc, log=log)
            return None
        return path, None
    try:
        with zipfile.ZipFile(path) as archive:
            files = [
                i.filename
                for i in archive.infolist()
                if not i.is_dir() and not i.filename.startswith("__MACOSX/")
            ]
            if member is None and len(files) == 1:
                member = files[0]
            if member is None or member not in files:
                listed = ", ".join(repr(f) for f in files[:10]) or "none"
                log.add(
                    IssueCode.E100 if member is not None else IssueCode.E104,
                    message=(
                        f"the archive has no file {member!r}"
                        if member is not None
                        else f"the archive holds {len(files)} files, so which to read is not clear"
                    ),
                    hint=f'name one with member = "..." in the mapping\'s [TABLE.source]; '
                    f"the archive holds: {listed}",
                )
                return None
            if archive.getinfo(member).file_size > max_bytes:
                _too_large(0, max_bytes, log=log, unpacked=True)
                return None
            with archive.open(member) as inner:
                content = inner.read(max_bytes + 1)  # the header's size may lie
            if len(content) > max_bytes:
                _too_large(0, max_bytes, log=log, unpacked=True)
                return None
            return Path(member), content
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        log.add(
            IssueCode.E108,
            message=f"cannot read the .zip archive: {exc}",
            hint="the file is damaged or not a zip archive; copy or download it again",
        )
        return None


def read_arrow(
    data: pa.Table, *, file: str, settings: Settings, log: IssueLog
) -> SourceTable | None:
    """An in-memory Arrow table as a source (rows numbered as if exported with a header)."""
    null_values = sorted({"", *settings.import_null_values})
    return _finish(_sheets.arrow_columns(data), file=file, null_values=null_values, log=log)


def _kind(path: Path, head: bytes, *, log: IssueLog) -> str | None:
    suffix = path.suffix.lower()
    magic = next((k for m, k in _MAGIC.items() if head.startswith(m)), None)
    if suffix in (".parquet", ".pq"):
        suffix = ".parquet"
    elif suffix == ".xlsm":
        suffix = ".xlsx"
    if suffix == ".xls" or magic == ".xls":
        log.add(
            IssueCode.E104,
            message="old Excel workbooks (.xls) are not supported",
            hint="save it as .xlsx (Excel Workbook) or CSV UTF-8 and import that",
        )
        return None
    if suffix in TEXT_SUFFIXES and magic is not None:
        log.add(
            IssueCode.E104,
            message=f"the file is named {suffix or 'without a suffix'} but holds a {magic} file",
            hint=f"rename it to end in {magic}",
        )
        return None
    if suffix in TEXT_SUFFIXES or suffix in (".parquet", ".xlsx"):
        return suffix
    log.add(
        IssueCode.E104,
        message=f"unsupported file type {suffix!r}",
        hint="import CSV or other delimited text, Parquet (.parquet) or Excel (.xlsx)",
    )
    return None


def read_text_data(
    data: bytes, *, file: str, options: SourceOptions, settings: Settings, log: IssueLog
) -> SourceTable | None:
    """Delimited text already in memory (presets clean an export's quirks first)."""
    null_values = sorted({"", *settings.import_null_values})
    raw = _parse_text(data, options=options, null_values=null_values, log=log)
    return None if raw is None else _finish(raw, file=file, null_values=null_values, log=log)


def source_from_raw(
    raw: _text.RawText, *, file: str, settings: Settings, log: IssueLog
) -> SourceTable | None:
    """Columns read elsewhere (an Excel sheet whose header row a preset found) as a source."""
    null_values = sorted({"", *settings.import_null_values})
    return _finish(raw, file=file, null_values=null_values, log=log)


def _parse_text(
    raw_bytes: bytes,
    *,
    options: SourceOptions,
    null_values: list[str],
    log: IssueLog,
    max_line_bytes: int = 1 << 20,
) -> _text.RawText | None:
    data = _text.decode_to_utf8(raw_bytes, encoding=options.encoding, log=log)
    if data is None:
        return None
    long_line = _long_line(data, max_bytes=max_line_bytes)
    if long_line is not None:
        line, length = long_line
        log.add(
            IssueCode.E110,
            row=line,
            message=f"line {line} is {length:,} bytes long, more than the "
            f"{max_line_bytes >> 10:,} KB a line may have",
            hint="the file has no line breaks here, holds binary data, or a quote is never "
            "closed; export it again (or raise the setting import_max_line_kb)",
        )
        return None
    if options.skip_rows:
        data = _skip_lines(data, options.skip_rows)
    if not data.strip():
        log.add(
            IssueCode.E101,
            message="the file is empty",
            hint="export the data again; the file has no header and no rows",
        )
        return None
    delimiter = options.delimiter or _text.sniff_delimiter(
        data[:65536].decode("utf-8", errors="replace")
    )
    if delimiter == "whitespace":
        return _text.read_whitespace(
            data,
            header=options.header,
            names=options.names,
            log=log,
            first_row=options.skip_rows + 1,
        )
    raw = _text.read_delimited(
        data,
        delimiter=delimiter,
        header=options.header,
        names=options.names,
        null_values=null_values,
        log=log,
        first_row=options.skip_rows + 1,
    )
    if raw is not None and options.header:
        suspect = _text.suspect_delimiter(raw.names, delimiter)
        if suspect is not None:
            given = "given" if options.delimiter else "detected"
            log.add(
                IssueCode.E107,
                row=raw.header_row,
                column=None,
                value=raw.names[0][:200],
                message=f"the header reads as one column with the {given} delimiter "
                f"{_text.delimiter_name(delimiter)}; the file looks "
                f"{_text.delimiter_name(suspect)}-separated",
                hint=f"import with --delimiter {_cli_delimiter(suspect)} (or set delimiter "
                f"in the mapping's [TABLE.source])",
            )
            return None
    return raw


def _skip_lines(data: bytes, count: int) -> bytes:
    """``data`` after its first ``count`` lines (title rows above the header)."""
    start = 0
    for _ in range(count):
        end = data.find(b"\n", start)
        if end < 0:
            return b""
        start = end + 1
    return data[start:]


def _cli_delimiter(delimiter: str) -> str:
    return {"\t": "'\\t'", ";": "';'", "|": "'|'", ",": "','"}.get(delimiter, delimiter)


def _clean(column: pa.Array, null_values: pa.Array) -> pa.Array:
    """Strip surrounding whitespace and turn null-like texts into nulls."""
    if not pa.types.is_string(column.type):
        return column
    trimmed = pc.utf8_trim_whitespace(column)
    nullish = pc.is_in(trimmed, value_set=null_values)
    if pc.any(nullish).as_py():
        trimmed = pc.if_else(nullish, pa.scalar(None, pa.string()), trimmed)
    return trimmed


def _unique_names(names: list[str]) -> tuple[list[str], dict[str, int]]:
    # An empty header cell gets the name a headerless file would give it.
    names = [n or f"column_{i + 1}" for i, n in enumerate(names)]
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    dups = {n: c for n, c in counts.items() if c > 1}
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in dups:
            seen[n] = seen.get(n, 0) + 1
            out.append(f"{n}__{seen[n]}")
        else:
            out.append(n)
    return out, dups


def _finish(
    raw: _text.RawText, *, file: str, null_values: list[str], log: IssueLog
) -> SourceTable | None:
    if not raw.names:
        log.add(
            IssueCode.E101,
            message="the file is empty",
            hint="export the data again; the file has no header and no rows",
        )
        return None
    nulls = pa.array(null_values, pa.string())
    columns = [_clean(c, nulls) for c in raw.columns]
    rows = raw.rows
    if columns and len(rows):
        blank = columns[0].is_null()
        for c in columns[1:]:
            blank = pc.and_(blank, c.is_null())
        if pc.any(blank).as_py():
            keep = pc.invert(blank)
            columns = [c.filter(keep) for c in columns]
            rows = rows[bool_mask(keep)]
    names, dups = _unique_names(raw.names)
    if len(rows) == 0 and not log.has((IssueCode.E103, IssueCode.E108)):
        if raw.header_row is not None:
            log.add(
                IssueCode.E106,
                row=raw.header_row,
                message="the file has a header but no data rows",
                hint="export the data again with its rows; an empty import would replace "
                "the table with nothing",
            )
        else:
            log.add(
                IssueCode.E101, message="the file has no data rows", hint="export the data again"
            )
        return None
    return SourceTable(
        file,
        names,
        dict(zip(names, columns, strict=True)),
        pa.array(rows, pa.int64()),
        raw.header_row,
        dups,
    )
