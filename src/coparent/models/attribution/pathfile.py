"""Read an already-aggregated path file, with every problem located like an import's.

The layout is ChannelAttribution's (its example ``Data.csv``): one row per
unique path, ``;``-separated by default::

    path;total_conversions;total_conversion_value;total_null
    eta > iota > alpha > eta;1;0.244;3

``path`` joins channel names with a separator (default ``" > "``; the spaces
around it are optional, and names are trimmed, as ChannelAttribution reads
them). The file is read by the import's reader (`coparent.ingest.readers`), so
encodings, delimiters and spreadsheet row numbers behave as they do for
``coparent import``, and its structural codes (``ingest.E1xx``) apply. The
path-specific checks have their own codes, documented in docs/attribution.md:

``attribution.E101`` missing column · ``attribution.E102`` separator not found ·
``attribution.E201`` empty path · ``attribution.E202`` empty channel name ·
``attribution.E203`` count not a whole number · ``attribution.E204`` negative
count or value · ``attribution.E205`` value not a number · ``attribution.E206``
value without conversions · ``attribution.W201`` path with no journeys.

Rows are kept in file order; a path listed on several rows (ChannelAttribution's
example file repeats 643 of its 10,000) simply counts as their sum, since
every model is linear in the counts.

Every problem of the file is collected before `PathFileRejected` is raised,
so one run lists them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from coparent.errors import PathFileRejected
from coparent.ingest.issues import Issue, IssueCode, IssueLog, Level, show_value
from coparent.ingest.mapping import SourceOptions
from coparent.ingest.readers import SourceTable, read_source
from coparent.models.attribution.paths import DEFAULT_SEPARATOR, UniquePaths, split_paths
from coparent.settings import Settings

__all__ = [
    "COLUMNS",
    "DEFAULT_DELIMITER",
    "DEFAULT_SEPARATOR",
    "PathFile",
    "PathFileCode",
    "read_path_file",
]

DEFAULT_DELIMITER = ";"
COLUMNS = ("path", "total_conversions", "total_conversion_value", "total_null")
_SEPARATORS = (">", "->", "→", "|", ",", ";", "/", "\t")
"""Separators people use in path exports; found instead of the given one, they name the fix."""
_WHOLE = r"^[+-]?\d{1,15}(?:\.0*)?$"
_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"


class PathFileCode(Enum):
    """Problems of a path file; the value is the stable code, ``title`` a few words."""

    title: str

    def __new__(cls, value: str, title: str) -> PathFileCode:
        member = object.__new__(cls)
        member._value_ = value
        member.title = title
        return member

    E101 = ("attribution.E101", "missing column")
    E102 = ("attribution.E102", "separator not found")
    E201 = ("attribution.E201", "empty path")
    E202 = ("attribution.E202", "empty channel name in a path")
    E203 = ("attribution.E203", "count not a whole number")
    E204 = ("attribution.E204", "negative count or value")
    E205 = ("attribution.E205", "value not a number")
    E206 = ("attribution.E206", "value without conversions")
    W201 = ("attribution.W201", "path with no journeys")

    @property
    def level(self) -> Level:
        return "warning" if self.value.split(".")[1].startswith("W") else "error"

    @property
    def as_issue_code(self) -> IssueCode:
        # `Issue` and `IssueLog` only read ``value``, ``title`` and ``level`` of a code,
        # which this enum has; ingest annotates them with its own enum, hence the cast.
        return cast("IssueCode", self)


@dataclass(frozen=True)
class PathFile:
    """A path file read and checked: its unique paths and the warnings it raised."""

    file: str
    paths: UniquePaths
    rows: int
    warnings: list[Issue]


def read_path_file(
    path: Path,
    *,
    settings: Settings,
    sep: str = DEFAULT_SEPARATOR,
    delimiter: str | None = DEFAULT_DELIMITER,
    file: str | None = None,
) -> PathFile:
    """Read and check ``path``; `PathFileRejected` lists every error when there is any."""
    if not sep:
        raise ValueError("the path separator must not be empty")
    name = file or path.name
    log = IssueLog(file=name, max_examples=settings.import_max_examples)
    source = read_source(
        path, file=name, options=SourceOptions(delimiter=delimiter), settings=settings, log=log
    )
    if source is None or log.error_count or not _has_columns(source, log):
        raise PathFileRejected(log.issues(), file=name)
    lists = _paths(source, sep=sep, log=log)
    conversions = _numbers(source, "total_conversions", whole=True, log=log)
    value = _numbers(source, "total_conversion_value", whole=False, log=log)
    nulls = _numbers(source, "total_null", whole=True, log=log)
    orphan = (value > 0) & (conversions == 0)
    _flag(
        log,
        PathFileCode.E206,
        source,
        orphan,
        "total_conversion_value",
        lambda v: f"value {show_value(v)} but no conversions on this path",
        "a path's value is what its conversions brought; put 0, or the conversions",
    )
    if log.error_count:
        raise PathFileRejected(log.issues(), file=name)
    _flag(
        log,
        PathFileCode.W201,
        source,
        conversions + nulls == 0,
        "total_null",
        lambda _: "no journey took this path (0 conversions, 0 nulls); it counts for nothing",
        "check the export: an aggregated path usually has at least one journey",
    )
    paths = UniquePaths.from_label_lists(lists, conversions=conversions, value=value, nulls=nulls)
    return PathFile(name, paths, source.num_rows, log.issues())


def _has_columns(source: SourceTable, log: IssueLog) -> bool:
    missing = [c for c in COLUMNS if c not in source.columns]
    for column in missing:
        repeated = source.duplicates.get(column)
        log.add(
            PathFileCode.E101.as_issue_code,
            row=source.header_row,
            column=column,
            message=(
                f"column {column!r} appears {repeated} times"
                if repeated
                else f"the path file has no column {column!r}"
            ),
            hint="a path file has the columns "
            + ";".join(COLUMNS)
            + f" (this one has: {', '.join(source.names)}); check --delimiter",
        )
    return not missing


def _paths(source: SourceTable, *, sep: str, log: IssueLog) -> pa.ListArray:
    """The paths split into channel names; empty paths and names logged."""
    text = source.columns["path"]
    empty = np.asarray(text.is_null(), dtype=bool)
    _flag(
        log,
        PathFileCode.E201,
        source,
        empty,
        "path",
        lambda _: "the path is empty",
        "every row needs the channels its journeys touched, e.g. 'search > email'",
    )
    token = sep.strip() or sep
    if not np.all(empty) and not pc.any(pc.match_substring(text, token)).as_py():
        for other in _SEPARATORS:
            found = pc.fill_null(pc.match_substring(text, other), False)
            if other != token and pc.any(found).as_py():
                first = int(np.flatnonzero(np.asarray(found))[0])
                log.add(
                    PathFileCode.E102.as_issue_code,
                    row=int(source.rows[first].as_py()),
                    column="path",
                    value=str(text[first].as_py())[:200],
                    message=f"no path contains the separator {sep!r}, but paths contain {other!r}",
                    hint=f"pass --sep {other!r} (the separator between channels in a path)",
                )
                break
    lists = split_paths(text, sep=sep)
    blank = np.asarray(pc.equal(lists.flatten(), ""), dtype=np.int64)
    owner = np.repeat(np.arange(len(lists)), np.diff(np.asarray(lists.offsets)))
    hollow = (np.bincount(owner, weights=blank, minlength=len(lists)) > 0) & ~empty
    _flag(
        log,
        PathFileCode.E202,
        source,
        hollow,
        "path",
        lambda v: f"{show_value(v)} has an empty channel name (a separator at an end, or "
        "two in a row)",
        f"remove the extra separator; channels are separated by {sep!r}",
    )
    return lists


def _numbers(source: SourceTable, column: str, *, whole: bool, log: IssueLog) -> np.ndarray:
    """The column as floats (NaN where bad or negative: those rows are logged)."""
    text = source.columns[column]
    if not pa.types.is_string(text.type):
        text = pc.cast(text, pa.string())
    ok = np.asarray(
        pc.fill_null(pc.match_substring_regex(text, _WHOLE if whole else _NUMBER), False),
        dtype=bool,
    )
    code = PathFileCode.E203 if whole else PathFileCode.E205
    kind = "a whole number" if whole else "a number"
    _flag(
        log,
        code,
        source,
        ~ok,
        column,
        lambda v: f"{column} is {'empty' if v is None else show_value(v)}, not {kind}",
        f"{column} counts journeys: write {kind} like 12"
        if whole
        else f"{column} is the summed value of the path's conversions, like 1250.5",
    )
    values = np.asarray(
        pc.cast(
            pc.if_else(pa.array(ok), text, pa.scalar(None, pa.string())), pa.float64()
        ).fill_null(0.0),
        dtype=np.float64,
    )
    _flag(
        log,
        PathFileCode.E204,
        source,
        values < 0,
        column,
        lambda v: f"{column} {show_value(v)} is negative",
        "counts and values cannot be below 0; fix the export",
    )
    return np.where(ok & (values >= 0), values, np.nan)


def _flag(
    log: IssueLog,
    code: PathFileCode,
    source: SourceTable,
    mask: np.ndarray,
    column: str,
    message: Callable[[str | None], str],
    hint: str,
) -> None:
    """One issue per flagged row (examples capped by the log), located by spreadsheet row."""
    if not mask.any():
        return
    log.add_rows(
        code.as_issue_code,
        mask=pa.array(mask),
        rows=source.rows,
        column=column,
        values=source.columns.get(column),
        message=lambda _, text: message(text),
        hint=hint,
    )
