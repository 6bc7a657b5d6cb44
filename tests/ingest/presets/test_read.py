"""Exports as they come out of the CRM: encodings, delimiters, title and footer rows, Excel."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from coparent.ingest.issues import IssueCode, IssueLog
from coparent.ingest.presets import builtin_presets, read_export
from coparent.settings import Settings

from .conftest import CRM

PRESETS = list(builtin_presets().values())
COMPANIES = CRM / "hubspot" / "companies.csv"


def _read(path: Path) -> tuple[list[str], dict[str, list[object]], list[int], IssueLog]:
    log = IssueLog(file=path.name, max_examples=20)
    export = read_export(path, file=path.name, presets=PRESETS, settings=Settings(), log=log)
    assert export is not None, [i.format() for i in log.issues()]
    src = export.table
    columns = {n: src.columns[n].to_pylist() for n in src.names}
    return export.headers, columns, src.rows.to_pylist(), log


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [
        ("utf-8", ",", b"\xef\xbb\xbf"),  # CSV UTF-8 from Excel
        ("utf-16-le", "\t", b"\xff\xfe"),  # Excel "Unicode text"
        ("utf-16-le", "\t", b""),  # the same without its byte-order mark
        ("utf-16-be", "\t", b"\xfe\xff"),
        ("cp1252", ";", b""),  # a locale re-save
    ],
)
def test_a_re_encoded_export_reads_the_same_as_the_original(
    tmp_path: Path, encoding: str, delimiter: str, bom: bytes
) -> None:
    headers, columns, rows, _ = _read(COMPANIES)
    text = COMPANIES.read_text(encoding="utf-8").replace('","', f'"{delimiter}"')
    path = tmp_path / "companies.csv"
    path.write_bytes(bom + text.encode(encoding))
    again = _read(path)
    assert again[:3] == (headers, columns, rows)


def test_no_value_cells_are_empty() -> None:
    _, columns, _, _ = _read(COMPANIES)
    assert columns["Number of Employees"] == ["120", None, "45"]
    assert columns["Industry"][2] is None


def test_an_excel_sep_line_names_the_delimiter_and_is_not_a_row() -> None:
    headers, columns, rows, log = _read(CRM / "quirks" / "hubspot-deals-dayfirst.csv")
    assert headers[:3] == ["Record ID", "Deal Name", "Deal Stage"]
    assert rows == [3, 4]  # the sep= line is row 1 and the header row 2, as in a spreadsheet
    assert columns["Amount"] == ["1.234,50", "900"]
    assert not log.issues()


def test_salesforce_footer_lines_are_stripped_and_counted() -> None:
    _, columns, rows, log = _read(CRM / "salesforce-report" / "opportunities.csv")
    assert rows == [2, 3, 4]
    assert columns["Stage"] == ["Closed Won", "Negotiation/Review", "Closed Lost"]
    (issue,) = log.issues()
    assert issue.code is IssueCode.W102
    assert issue.count == 3
    assert issue.row == 6
    assert "footer" in issue.message


REPORT_TITLE = [
    '"Opportunities by Stage"',
    '"Filtered By:  Close Date equals THIS FISCAL YEAR"',
    "",
]


def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(
    tmp_path: Path,
) -> None:
    report = (CRM / "salesforce-report" / "opportunities.csv").read_text(encoding="utf-8")
    path = tmp_path / "formatted.csv"
    path.write_text("\n".join(REPORT_TITLE) + "\n" + report, encoding="utf-8")
    headers, columns, rows, log = _read(path)
    assert headers[0] == "Opportunity Owner"
    assert rows == [5, 6, 7]
    assert columns["Opportunity ID"][0] == "0065g00000OpA01"
    codes = [(i.code, i.row, i.count) for i in log.issues()]
    assert codes == [(IssueCode.W102, 1, 5)]  # 2 title lines + 3 footer lines


def test_an_excel_report_with_title_and_footer_rows_reads_like_the_csv(tmp_path: Path) -> None:
    _, columns, _, _ = _read(CRM / "salesforce-report" / "opportunities.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Opportunities by Stage"])
    sheet.append([])
    sheet.append(list(columns))
    for i in range(3):
        sheet.append([columns[c][i] for c in columns])
    sheet.append([])
    sheet.append(["Grand Totals (3 records)"])
    path = tmp_path / "report.xlsx"
    book.save(path)
    headers, again, rows, log = _read(path)
    assert headers == list(columns)
    assert again == columns
    assert rows == [4, 5, 6]
    assert [(i.code, i.count) for i in log.issues()] == [(IssueCode.W102, 2)]
