"""Located import problems: stable codes, one linter-style line each, capped but counted.

An `Issue` says what is wrong, where (file, spreadsheet row, source column)
and how to fix it. Codes are stable (``ingest.E204``) so people can grep for
them and the docs can explain each one: E1xx structure, E2xx values, E3xx
references, W... warnings (the row is loaded, but you should know).

`IssueLog` collects every problem of an import. It keeps at most
``max_examples`` located examples per code, plus one summary issue per code
whose ``count`` holds the rest, so a file with 5,000 bad dates prints 20
lines yet `ImportRejected` reports 5,000 errors.

>>> issue = new_issue(IssueCode.E204, file="deals.csv", row=14, column="Close Date",
...                   value="31/02/2024", message="'31/02/2024' is not a valid date",
...                   hint="set closed_at.format in your mapping")
>>> print(issue.format())
deals.csv:14:Close Date: error ingest.E204: '31/02/2024' is not a valid date
    hint: set closed_at.format in your mapping
>>> parse_issue_line(issue.format().splitlines()[0])
('deals.csv', 14, 'Close Date', 'error', 'ingest.E204', "'31/02/2024' is not a valid date")
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "Issue",
    "IssueCode",
    "IssueLog",
    "Level",
    "new_issue",
    "parse_issue_line",
    "show_value",
]

Level = Literal["error", "warning"]


class IssueCode(Enum):
    """Every problem an import can report; the value is the stable code, ``title`` a few words."""

    title: str

    def __new__(cls, value: str, title: str) -> IssueCode:
        member = object.__new__(cls)
        member._value_ = value
        member.title = title
        return member

    E100 = ("ingest.E100", "file not found or unreadable")
    E101 = ("ingest.E101", "empty file")
    E102 = ("ingest.E102", "missing column")
    E103 = ("ingest.E103", "wrong number of fields in a row")
    E104 = ("ingest.E104", "unsupported file type")
    E105 = ("ingest.E105", "duplicate header")
    E106 = ("ingest.E106", "header but no data rows")
    E107 = ("ingest.E107", "wrong delimiter")
    E108 = ("ingest.E108", "malformed file")
    E109 = ("ingest.E109", "no preset recognises the export")
    E110 = ("ingest.E110", "file too large or a line too long")
    E201 = ("ingest.E201", "required value missing")
    E202 = ("ingest.E202", "not a number")
    E203 = ("ingest.E203", "not a whole number")
    E204 = ("ingest.E204", "not a valid date or time")
    E205 = ("ingest.E205", "not a true/false value")
    E206 = ("ingest.E206", "unknown value")
    E207 = ("ingest.E207", "value below the minimum (negative amount)")
    E208 = ("ingest.E208", "duplicate id")
    E209 = ("ingest.E209", "text too long")
    E210 = ("ingest.E210", "NUL character in a value")
    E211 = ("ingest.E211", "not a valid Salesforce id")
    E301 = ("ingest.E301", "unknown reference")
    W101 = ("ingest.W101", "not UTF-8: read as Windows-1252 / Latin-1")
    W102 = ("ingest.W102", "rows skipped by the preset")
    W103 = ("ingest.W103", "day/month order not decided by the data")
    W104 = ("ingest.W104", "repeated header: one column chosen")
    W105 = ("ingest.W105", "rows dropped by the mapping's filter")
    W201 = ("ingest.W201", "expected value missing")
    W202 = ("ingest.W202", "formula-like text stored as text")
    W203 = ("ingest.W203", "timestamps out of order")
    W204 = ("ingest.W204", "empty value filled by the preset")
    W205 = ("ingest.W205", "several ids in one cell: one kept")
    W206 = ("ingest.W206", "reference to another kind of record not loaded")
    W207 = ("ingest.W207", "invisible or direction-changing characters")
    W208 = ("ingest.W208", "look-alike letters from another alphabet in an id")
    W301 = ("ingest.W301", "references not checked")
    W302 = ("ingest.W302", "lookup key not found")
    W303 = ("ingest.W303", "lead-deal link to a record not loaded")

    @property
    def level(self) -> Level:
        return "warning" if self.value.split(".")[1].startswith("W") else "error"


@dataclass(frozen=True)
class Issue:
    """One problem, located as a spreadsheet user would look for it.

    ``row`` counts like a spreadsheet (header = 1, first data row = 2; a
    headerless file starts at 1); ``column`` is the column name as written in
    the file (the canonical name when the column is missing or derived).
    ``count`` is how many problems this issue stands for: 1 for an example,
    more for a per-column warning or the "... and N more" summary of a code.
    """

    code: IssueCode
    level: Level
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    hint: str = ""
    count: int = 1

    def __post_init__(self) -> None:
        if self.level != self.code.level:
            raise ValueError(f"{self.code.value} is a {self.code.level}, not a {self.level}")
        if self.count < 1:
            raise ValueError("count must be at least 1")

    @property
    def location(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column is not None:
            parts.append(_one_line(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """``FILE:ROW:COLUMN: error ingest.E204: message`` plus an indented hint line."""
        line = f"{self.location}: {self.level} {self.code.value}: {_one_line(self.message)}"
        if self.hint:
            line += f"\n    hint: {_one_line(self.hint)}"
        return line


def new_issue(
    code: IssueCode,
    *,
    file: str,
    message: str,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
    hint: str = "",
    count: int = 1,
) -> Issue:
    """An `Issue` whose level follows from its code."""
    return Issue(code, code.level, file, row, column, value, message, hint, count)


_LINE = re.compile(
    r"^(?P<loc>.*?): (?P<level>error|warning) (?P<code>ingest\.[EW]\d{3}): (?P<message>.*)$"
)


def parse_issue_line(line: str) -> tuple[str, int | None, str | None, str, str, str]:
    """Split a formatted issue line back into (file, row, column, level, code, message).

    For editors and CI annotations. The file name must not contain ``:``;
    a column named only with digits is read as a row when the row is absent.
    """
    match = _LINE.match(line)
    if match is None:
        raise ValueError(f"not an issue line: {line!r}")
    file, _, rest = match["loc"].partition(":")
    row: int | None = None
    column: str | None = None
    if rest:
        head, sep, tail = rest.partition(":")
        if head.isdigit() and head.isascii():
            row = int(head)
            column = tail if sep else None
        else:
            column = rest
    return file, row, column, match["level"], match["code"], match["message"]


# Everything str.splitlines() breaks on, so one issue is always one line.
_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


def _one_line(text: str) -> str:
    return text.translate(_BREAKS)


def show_value(value: object, limit: int = 60) -> str:
    """A value as it appears in a message: quoted, escaped, shortened when long."""
    text = str(value)
    if len(text) > limit:
        return repr(text[:limit]) + f"... ({len(text):,} characters)"
    return repr(text)


@dataclass
class _Bucket:
    examples: list[tuple[int, int, Issue]]
    """A max-heap (negated keys) of the first examples by row."""
    total: int = 0


class IssueLog:
    """Collects every issue of one import; keeps examples per code up to a cap, counts the rest.

    Columns are checked one at a time, so each keeps its first ``max_examples``
    rows; `issues` then picks the first rows per code across columns and adds
    one summary issue per code for the rest.
    """

    def __init__(self, *, file: str, max_examples: int) -> None:
        self.file = file
        self.max_examples = max(1, max_examples)
        self._buckets: dict[IssueCode, _Bucket] = defaultdict(lambda: _Bucket([]))
        self._columns: dict[IssueCode, dict[str, int]] = defaultdict(dict)
        self._seq = 0

    def add(
        self,
        code: IssueCode,
        *,
        message: str,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        hint: str = "",
        count: int = 1,
        file: str | None = None,
    ) -> None:
        """Log one issue; ``file`` names another file than the log's (a lookup file)."""
        issue = new_issue(
            code,
            file=file or self.file,
            row=row,
            column=column,
            value=value,
            message=message,
            hint=hint,
            count=count,
        )
        self.add_issue(issue)

    def add_issue(self, issue: Issue) -> None:
        """Log an issue built elsewhere (another file's log, merged into this one)."""
        code, row, column, count = issue.code, issue.row, issue.column, issue.count
        bucket = self._buckets[code]
        bucket.total += count
        self._seq += 1
        entry = (-(row if row is not None else 0), -self._seq, issue)
        if len(bucket.examples) < self.max_examples:
            heapq.heappush(bucket.examples, entry)
        else:
            heapq.heappushpop(bucket.examples, entry)
        if column is not None:
            per_column = self._columns[code]
            per_column[column] = per_column.get(column, 0) + count

    def add_rows(
        self,
        code: IssueCode,
        *,
        mask: pa.Array | pa.ChunkedArray,
        rows: pa.Array,
        column: str | None,
        values: pa.Array | pa.ChunkedArray | None,
        message: Callable[[int, str | None], str],
        hint: str = "",
        file: str | None = None,
    ) -> int:
        """Log one issue per true row of ``mask``, building only the examples that may be shown.

        ``message(index, value)`` gets the row's position and its text.
        Returns how many rows were flagged.
        """
        flagged = int(pc.sum(mask).as_py() or 0)
        if flagged == 0:
            return 0
        positions = pc.indices_nonzero(mask)[: self.max_examples].to_pylist()
        shown = rows.take(positions).to_pylist()
        texts: list[str | None] = (
            [None] * len(positions)
            if values is None
            else [None if v is None else str(v) for v in values.take(positions).to_pylist()]
        )
        for index, row, text in zip(positions, shown, texts, strict=True):
            self.add(
                code,
                message=message(index, text),
                row=row,
                column=column,
                value=None if text is None else text[:200],
                hint=hint,
                file=file,
            )
        rest = flagged - len(positions)
        if rest:
            bucket = self._buckets[code]
            bucket.total += rest
            if column is not None:
                self._columns[code][column] += rest
        return flagged

    def count(self, code: IssueCode) -> int:
        return self._buckets[code].total if code in self._buckets else 0

    @property
    def error_count(self) -> int:
        return sum(b.total for c, b in self._buckets.items() if c.level == "error")

    def has(self, codes: Sequence[IssueCode]) -> bool:
        return any(self.count(c) for c in codes)

    def issues(self) -> list[Issue]:
        """Errors before warnings, by code, then by row; one summary per code past the cap."""
        out: list[Issue] = []
        for code in sorted(self._buckets, key=lambda c: (c.level != "error", c.value)):
            bucket = self._buckets[code]
            examples = [i for _, _, i in sorted(bucket.examples, key=lambda e: (-e[0], -e[1]))]
            shown = examples[: self.max_examples]
            out.extend(shown)
            rest = bucket.total - sum(i.count for i in shown)
            if rest > 0:
                out.append(self._summary(code, rest, bucket.total))
        return out

    def _summary(self, code: IssueCode, rest: int, total: int) -> Issue:
        columns = self._columns.get(code, {})
        where = ""
        column = None
        if len(columns) == 1:
            column = next(iter(columns))
        elif columns:
            where = ": " + ", ".join(f"{c} {n:,}" for c, n in columns.items())
        return new_issue(
            code,
            file=self.file,
            column=column,
            count=rest,
            message=f"... and {rest:,} more ({code.title}; {total:,} in all{where})",
            hint=f"only the first {self.max_examples} are listed (setting import_max_examples)",
        )
