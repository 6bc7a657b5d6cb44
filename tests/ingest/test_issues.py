from __future__ import annotations

import re

import pyarrow as pa
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from coparent.errors import ImportRejected
from coparent.ingest.issues import IssueCode, IssueLog, new_issue, parse_issue_line


def test_an_issue_formats_as_a_linter_line_with_its_hint_indented_below() -> None:
    issue = new_issue(
        IssueCode.E204,
        file="deals.csv",
        row=14,
        column="Close Date",
        value="31/02/2024",
        message="'31/02/2024' is not a valid date",
        hint="set closed_at.format",
    )
    assert issue.format() == (
        "deals.csv:14:Close Date: error ingest.E204: '31/02/2024' is not a valid date\n"
        "    hint: set closed_at.format"
    )


@pytest.mark.parametrize(
    ("row", "column", "location"),
    [(None, None, "f.csv"), (3, None, "f.csv:3"), (None, "amount", "f.csv:amount")],
)
def test_unknown_row_or_column_parts_are_left_out(
    row: int | None, column: str | None, location: str
) -> None:
    issue = new_issue(IssueCode.W301, file="f.csv", row=row, column=column, message="m")
    assert issue.format() == f"{location}: warning ingest.W301: m"


def test_newlines_in_a_column_or_message_cannot_break_the_one_line_format() -> None:
    issue = new_issue(IssueCode.E201, file="f.csv", row=2, column="Deal\nName", message="a\nb")
    assert issue.format() == "f.csv:2:Deal\\nName: error ingest.E201: a\\nb"


def test_the_level_must_match_the_code() -> None:
    from coparent.ingest.issues import Issue

    with pytest.raises(ValueError, match="is a warning"):
        Issue(IssueCode.W201, "error", "f", None, None, None, "m")


def test_every_code_is_stable_titled_and_levelled_by_its_letter() -> None:
    for code in IssueCode:
        assert re.fullmatch(r"ingest\.[EW][123]\d\d", code.value)
        assert code.title
        assert code.title == code.title.strip()
        assert code.level == ("warning" if code.name.startswith("W") else "error")
    assert len({c.value for c in IssueCode}) == len(IssueCode)


_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_SAFE_FILE = st.text(
    st.characters(blacklist_characters=":" + _BREAKS, blacklist_categories=("Cs",)),
    min_size=1,
    max_size=30,
)
_TEXT = st.text(
    st.characters(blacklist_characters=_BREAKS, blacklist_categories=("Cs",)), max_size=40
)


@given(text=st.text(alphabet=st.sampled_from(_BREAKS + "ab:"), max_size=20))
def test_every_line_break_character_is_escaped_so_an_issue_is_one_line(text: str) -> None:
    issue = new_issue(
        IssueCode.E201, file="f.csv", row=2, column=text, message=text, hint="see " + text
    )
    assert len(issue.format().splitlines()) == 2


@given(
    file=_SAFE_FILE,
    row=st.none() | st.integers(1, 10**7),
    column=st.none() | _TEXT.filter(bool),
    code=st.sampled_from(list(IssueCode)),
    message=_TEXT,
)
def test_formatted_issue_lines_parse_back_to_file_row_column_and_code(
    file: str, row: int | None, column: str | None, code: IssueCode, message: str
) -> None:
    marker = re.compile(r": (error|warning) ingest\.[EW]\d{3}: ")
    assume(not marker.search(f"{file}:{column}:"))
    if row is None and column is not None:
        head = column.split(":", 1)[0]
        assume(not (head.isdigit() and head.isascii()))
    issue = new_issue(code, file=file, row=row, column=column, message=message)
    line = issue.format().splitlines()[0]
    assert parse_issue_line(line) == (file, row, column, code.level, code.value, message)


def test_a_line_that_is_not_an_issue_is_refused() -> None:
    with pytest.raises(ValueError, match="not an issue line"):
        parse_issue_line("hello")


def _log_dates(log: IssueLog, column: str, rows: list[int]) -> None:
    mask = pa.array([True] * len(rows))
    log.add_rows(
        IssueCode.E204,
        mask=mask,
        rows=pa.array(rows),
        column=column,
        values=pa.array([f"bad{r}" for r in rows]),
        message=lambda _i, v: f"{v!r} is not a valid date",
    )


def test_examples_are_capped_per_code_but_every_problem_is_counted() -> None:
    log = IssueLog(file="f.csv", max_examples=5)
    _log_dates(log, "created_at", list(range(2, 32)))
    _log_dates(log, "closed_at", list(range(3, 23)))
    issues = log.issues()
    examples = [i for i in issues if i.count == 1]
    assert [(i.row, i.column) for i in examples] == [
        (2, "created_at"),
        (3, "created_at"),
        (3, "closed_at"),
        (4, "created_at"),
        (4, "closed_at"),
    ]
    (summary,) = [i for i in issues if i.count > 1]
    assert summary.count == 45
    assert "45 more" in summary.message
    assert "50 in all" in summary.message
    assert "created_at 30, closed_at 20" in summary.message
    assert log.error_count == 50
    assert str(ImportRejected(issues, file="f.csv")).startswith(
        "f.csv: 50 error(s), nothing was loaded"
    )


def test_a_summary_for_one_column_names_that_column() -> None:
    log = IssueLog(file="f.csv", max_examples=2)
    _log_dates(log, "created_at", [2, 3, 4])
    summary = log.issues()[-1]
    assert (summary.column, summary.row, summary.count) == ("created_at", None, 1)


def test_errors_come_before_warnings_and_codes_in_order() -> None:
    log = IssueLog(file="f.csv", max_examples=20)
    log.add(IssueCode.W201, message="w", row=2)
    log.add(IssueCode.E301, message="e3", row=9)
    log.add(IssueCode.E204, message="e2", row=30)
    assert [i.code for i in log.issues()] == [IssueCode.E204, IssueCode.E301, IssueCode.W201]


def test_adding_many_more_issues_than_the_cap_keeps_only_the_first_rows() -> None:
    log = IssueLog(file="f.csv", max_examples=3)
    for row in range(1000, 1, -1):
        log.add(IssueCode.E103, message="ragged", row=row)
    assert [i.row for i in log.issues() if i.count == 1] == [2, 3, 4]
    assert log.count(IssueCode.E103) == 999


def test_every_code_has_a_titled_paragraph_in_docs_import_md() -> None:
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    for code in IssueCode:
        heading = f"### {code.value} — {code.title}\n"
        assert heading in docs, heading
        paragraph = docs.split(heading, 1)[1].split("\n### ", 1)[0]
        assert f"{code.value}:" in paragraph, f"{code.value} has no example line"
        assert "Fix:" in paragraph, f"{code.value} says not how to fix it"
