"""Delimited and whitespace-separated text, read by Arrow with every row's spreadsheet number.

The fast path is one multithreaded ``pyarrow.csv`` read with every column as
text. Problems send it down slower paths that locate them: a row with the
wrong number of fields is re-read single-threaded (Arrow only numbers invalid
rows then), a field longer than a read block retries with bigger blocks, and
bytes that are not UTF-8 are decoded as Windows-1252 (or Latin-1) first.
Row numbers are records, not lines: a quoted value spanning three lines is
one row, as in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from coparent.ingest.issues import IssueCode, IssueLog, show_value

__all__ = ["RawText", "decode_to_utf8", "read_delimited", "read_whitespace", "sniff_delimiter"]

_CANDIDATES = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", "whitespace": "whitespace"}
_FIRST_BLOCK = 1 << 24  # 16 MiB: big blocks read faster in parallel; a huge row retries
_MAX_BLOCK = 2**31 - 1


@dataclass
class RawText:
    """Columns of text in file order, each record's spreadsheet row, and the header row."""

    names: list[str]
    columns: list[pa.Array]
    rows: np.ndarray
    header_row: int | None


def bool_mask(mask: pa.Array) -> np.ndarray:
    """A boolean Arrow array as numpy (nulls false) without pyarrow importing pandas."""
    return np.asarray(pc.cast(pc.fill_null(mask, False), pa.int8()).to_numpy()).astype(bool)


def delimiter_name(delimiter: str) -> str:
    return f"{_NAMES.get(delimiter, repr(delimiter))} ({delimiter!r})"


def sniff_delimiter(head: str) -> str:
    """The candidate delimiter seen most often in the first line, outside quotes (ties: comma)."""
    counts = dict.fromkeys(_CANDIDATES, 0)
    quoted = False
    for ch in head:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            if ch in "\r\n":
                break
            if ch in counts:
                counts[ch] += 1
    best = max(_CANDIDATES, key=lambda d: (counts[d], -_CANDIDATES.index(d)))
    return best if counts[best] else ","


def decode_to_utf8(data: bytes, *, encoding: str | None, log: IssueLog) -> bytes | None:
    """Valid UTF-8 bytes without a BOM, or None when the named encoding does not fit (E108).

    Validating up front (about 0.07 s per 100 MB) means Arrow only ever sees
    UTF-8, so every later step, including the ragged-row handler, can rely on it.
    """
    if encoding is None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return _transcode(data, "utf-16", log=log)
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return _transcode(data, utf16, log=log)
        data = data.removeprefix(b"\xef\xbb\xbf")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if _mixed_encodings(data, exc, log=log):
                return None
            return fallback_decode(data, log=log)
        return data
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        return _transcode(data.removeprefix(b"\xef\xbb\xbf"), "utf-8", log=log)
    return _transcode(data, encoding, log=log)


def _utf16_without_bom(data: bytes) -> str | None:
    """utf-16-le or utf-16-be when the bytes look like UTF-16 text without a BOM.

    Text in Latin letters written as UTF-16 has a zero byte in every other
    position (Excel's "Unicode text" on some systems omits the BOM).
    """
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    if sample[1::2].count(0) > 0.4 * half and sample[0::2].count(0) < 0.1 * half:
        return "utf-16-le"
    if sample[0::2].count(0) > 0.4 * half and sample[1::2].count(0) < 0.1 * half:
        return "utf-16-be"
    return None


# A well-formed UTF-8 sequence of two to four bytes: text written as UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _mixed_encodings(data: bytes, exc: UnicodeDecodeError, *, log: IssueLog) -> bool:
    """Rows in UTF-8 and rows in another encoding in one file: E108 naming a line of each.

    Reading such a file as Windows-1252 would store every UTF-8 row as mojibake
    ("ZoÃ«" for "Zoë"), so it is refused instead.
    """
    found = _UTF8_MULTIBYTE.search(data)
    if found is None:
        return False
    utf8_line = data.count(b"\n", 0, found.start()) + 1
    other_line = data.count(b"\n", 0, exc.start) + 1
    if utf8_line == other_line:
        return False  # one line of mojibake-looking Windows-1252 text: not a second encoding
    sample = data[found.start() : found.end()].decode("utf-8")
    log.add(
        IssueCode.E108,
        row=other_line,
        message=f"the file mixes encodings: line {utf8_line} is UTF-8 ({sample!r}), "
        f"line {other_line} is not (byte {data[exc.start : exc.start + 1]!r})",
        hint="the file was pieced together from exports with different encodings; save all of "
        "it as UTF-8 (in Excel: CSV UTF-8) and import it again",
    )
    return True


def _transcode(data: bytes, encoding: str, *, log: IssueLog) -> bytes | None:
    try:
        return data.decode(encoding).removeprefix("\ufeff").encode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        log.add(
            IssueCode.E108,
            message=f"not valid {encoding} (line {line}: {exc.reason})",
            hint="set the right encoding in the mapping's [TABLE.source] section",
        )
        return None


def fallback_decode(data: bytes, *, log: IssueLog) -> bytes:
    """Bytes that are not UTF-8: read as Windows-1252, else Latin-1, with a warning (W101)."""
    try:
        data.decode("utf-8")
        return data  # pragma: no cover - only called for bytes that are not UTF-8
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1]
    try:
        text, used = data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        text, used = data.decode("latin-1"), "Latin-1"
    log.add(
        IssueCode.W101,
        value=None,
        message=f"the file is not UTF-8 (first at line {line}: byte {bad!r}); read as {used}",
        hint="save it as UTF-8 (in Excel: CSV UTF-8), or set encoding in the mapping's "
        "[TABLE.source] if it is another encoding",
    )
    return text.encode("utf-8")


def _first_record(data: bytes, delimiter: str) -> list[str]:
    window = data[: 1 << 20].decode("utf-8", errors="replace")
    for record in csv.reader(io.StringIO(window, newline=""), delimiter=delimiter):
        return record
    return []


@dataclass
class _Bad:
    number: int | None
    expected: int
    actual: int
    text: str


def _arrow_read(
    data: bytes,
    *,
    delimiter: str,
    names: list[str],
    null_values: list[str],
    block_size: int,
    threads: bool,
) -> tuple[pa.Table, list[_Bad]]:
    bad: list[_Bad] = []

    def on_invalid(row: pcsv.InvalidRow) -> str:
        bad.append(_Bad(row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    keys = [f"f{i}" for i in range(len(names))]
    table = pcsv.read_csv(
        pa.BufferReader(data),
        read_options=pcsv.ReadOptions(
            column_names=keys, block_size=block_size, use_threads=threads
        ),
        parse_options=pcsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(keys, pa.string()),
            null_values=null_values,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    return table, bad


def read_delimited(
    data: bytes,
    *,
    delimiter: str,
    header: bool,
    names: tuple[str, ...] | None,
    null_values: list[str],
    log: IssueLog,
    first_row: int = 1,
) -> RawText | None:
    """Read delimited UTF-8 ``data``; None when the file cannot be read at all (logged).

    ``first_row`` is the number of the data's first record (after skipped title lines).
    """
    first = _first_record(data, delimiter)  # Python's csv agrees with Arrow on the header
    width = list(names) if names else (first or [""])
    block = _FIRST_BLOCK
    table: pa.Table | None = None
    while table is None:
        try:
            table, bad = _arrow_read(
                data,
                delimiter=delimiter,
                names=width,
                null_values=null_values,
                block_size=block,
                threads=True,
            )
        except pa.ArrowInvalid as exc:
            text = str(exc)
            if "straddling" in text and block < min(len(data) + 1, _MAX_BLOCK):
                block = min(max(block * 4, len(data) + 1), _MAX_BLOCK)  # a huge field
            else:
                log.add(
                    IssueCode.E108,
                    message=f"cannot read the file: {text}",
                    hint="check that it is a delimited text file; open it in a "
                    "spreadsheet and save it again as CSV",
                )
                return None
    if bad and any(b.number is None for b in bad):
        table, bad = _arrow_read(
            data,
            delimiter=delimiter,
            names=width,
            null_values=null_values,
            block_size=block,
            threads=False,
        )
    offset = first_row - 1
    for b in bad:
        if b.number is not None:
            b.number += offset
    total = table.num_rows + len(bad)
    numbers = np.arange(first_row, total + first_row, dtype=np.int64)
    if bad:
        numbers = np.setdiff1d(numbers, np.array([b.number for b in bad], dtype=np.int64))
    columns = [c.combine_chunks() for c in table.columns]
    columns, numbers, bad = _unterminated_quote(data, columns, numbers, bad, total + offset, log)
    header_row: int | None = None
    if header and names is None:
        if len(numbers) == 0 or numbers[0] != first_row:
            log.add(
                IssueCode.E108,
                row=first_row,
                message="the header row cannot be read",
                hint="the first line must hold the column names",
            )
            return None
        col_names = [name.strip() for name in first][: len(columns)]
        columns = [c.slice(1) for c in columns]
        numbers = numbers[1:]
        header_row = first_row
    else:
        col_names = list(names) if names else [f"column_{i + 1}" for i in range(len(width))]
    _report_ragged(bad, delimiter=delimiter, header=header_row is not None, log=log)
    return RawText(col_names, columns, numbers, header_row)


def _unterminated_quote(
    data: bytes,
    columns: list[pa.Array],
    numbers: np.ndarray,
    bad: list[_Bad],
    total: int,
    log: IssueLog,
) -> tuple[list[pa.Array], np.ndarray, list[_Bad]]:
    """An odd number of quotes whose last record swallowed line breaks: an unclosed quote.

    Arrow (like Excel) reads an unclosed quote to the end of the file, so the
    last record holds every following line. That record is reported and
    dropped; earlier rows are still checked.
    """
    if data.count(b'"') % 2 == 0 or total == 0:
        return columns, numbers, bad
    if bad and bad[-1].number == total and "\n" in bad[-1].text:
        bad = bad[:-1]
    elif (
        len(numbers)
        and numbers[-1] == total
        and any("\n" in (c[-1].as_py() or "") for c in columns)
    ):
        columns = [c.slice(0, len(c) - 1) for c in columns]
        numbers = numbers[:-1]
    else:
        return columns, numbers, bad
    log.add(
        IssueCode.E108,
        row=total,
        value=None,
        message="a quote opened in this row is never closed, so the rest of the file "
        "reads as one value",
        hint='close the quote; a quote inside a quoted value is written twice ("")',
    )
    return columns, numbers, bad


def _report_ragged(bad: list[_Bad], *, delimiter: str, header: bool, log: IssueLog) -> None:
    against = "the header has" if header else "the mapping names"
    for b in bad:
        if b.actual == 1 and not b.text.strip():
            continue  # pragma: no cover - Arrow reads blank lines as rows of empty fields
        trailing = b.actual == b.expected + 1 and b.text.rstrip("\r\n").endswith(delimiter)
        hint = (
            "the line ends with an extra delimiter; remove it"
            if trailing
            else "quote values that contain the delimiter; remove report footers or notes "
            "below the data"
        )
        log.add(
            IssueCode.E103,
            row=b.number,
            value=b.text[:200],
            message=f"this row has {_fields(b.actual)} but {against} {b.expected}: "
            f"{show_value(b.text)}",
            hint=hint,
        )


def _fields(n: int) -> str:
    return "1 field" if n == 1 else f"{n} fields"


def suspect_delimiter(names: list[str], delimiter: str) -> str | None:
    """The delimiter a one-column header seems to use instead of ``delimiter``, if any."""
    if len(names) != 1:
        return None
    head = names[0]
    counts = {d: head.count(d) for d in (*_CANDIDATES, "whitespace") if d != delimiter}
    counts["whitespace"] = len(head.split()) - 1 if delimiter != "whitespace" else 0
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None


def read_whitespace(
    data: bytes,
    *,
    header: bool,
    names: tuple[str, ...] | None,
    log: IssueLog,
    first_row: int = 1,
) -> RawText | None:
    """Fields separated by runs of spaces or tabs (fixed-width logs); no quoting."""
    lines = pa.array(data.decode("utf-8", errors="strict").split("\n"))
    trimmed = pc.utf8_trim_whitespace(lines)
    blank = pc.equal(trimmed, "")
    parts = pc.split_pattern_regex(trimmed, r"\s+")
    numbers = np.arange(first_row, len(lines) + first_row, dtype=np.int64)
    keep = bool_mask(pc.invert(blank))
    header_row: int | None = None
    if header:
        if not keep.any():
            return RawText([], [], np.array([], dtype=np.int64), None)
        first = int(np.argmax(keep))
        col_names = [str(x) for x in parts[first].as_py()]
        keep[first] = False
        header_row = first + first_row
    elif names:
        col_names = list(names)
    else:
        first = int(np.argmax(keep)) if keep.any() else 0
        col_names = [f"column_{i + 1}" for i in range(len(parts[first].as_py() or []))]
    width = len(col_names)
    counts = np.asarray(pc.list_value_length(parts).to_numpy(zero_copy_only=False))
    ragged = keep & (counts != width)
    against = "the header has" if header else "the mapping names"
    text = pc.utf8_rtrim(lines, characters="\r")
    log.add_rows(
        IssueCode.E103,
        mask=pa.array(ragged),
        rows=pa.array(numbers),
        column=None,
        values=text,
        message=lambda i, v: f"this row has {_fields(int(counts[i]))} but {against} {width}: "
        f"{show_value(v)}",
        hint="whitespace-separated files cannot hold spaces inside a value",
    )
    keep &= ~ragged
    parts = parts.filter(pa.array(keep))
    columns = (
        [pc.list_element(parts, i) for i in range(width)]
        if len(parts)
        else [pa.array([], pa.string()) for _ in range(width)]
    )
    return RawText(col_names, columns, numbers[keep], header_row)
