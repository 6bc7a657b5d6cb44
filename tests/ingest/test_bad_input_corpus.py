"""The bad-input corpus: each broken file is reported with its exact code, row and column.

Error cases must leave the warehouse exactly as it was (every table, every
row); warning cases load and say why. Fixture files live in tests/data/bad/
as text; cases that need bytes a text fixture cannot hold (Latin-1, UTF-16,
NUL, a 40,000-character field) are generated here.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ibis.backends import BaseBackend

from coparent.errors import ImportRejected
from coparent.ingest.issues import Issue, IssueCode
from coparent.services.imports import ImportResult, import_file
from coparent.settings import Settings

from .conftest import BAD, snapshot

GOOD = (BAD / "good_opportunities.csv").read_text(encoding="utf-8")
HEADER = GOOD.splitlines()[0]
TWIN_ROW = len(GOOD.splitlines()) + 1  # a row added after GOOD's rows


def _bom(tmp: Path) -> Path:
    path = tmp / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + GOOD.encode("utf-8"))
    return path


def _latin1(tmp: Path) -> Path:
    path = tmp / "latin1.csv"
    text = (
        f"{HEADER},loss_reason\no1,acme,GTX Pro,u1,2024-01-05,2024-02-01,Lost,lost,0,trop élevé\n"
    )
    path.write_bytes(text.encode("cp1252"))
    return path


def _utf16(tmp: Path) -> Path:
    path = tmp / "utf16.csv"
    path.write_bytes(GOOD.encode("utf-16"))  # Python writes the BOM
    return path


def _huge_field(tmp: Path) -> Path:
    path = tmp / "huge.csv"
    path.write_text(
        f"{HEADER},loss_reason\no1,acme,GTX Pro,u1,2024-01-05,2024-02-01,Lost,"
        f"lost,0,{'x' * 40_000}\n",
        encoding="utf-8",
    )
    return path


def _nul(tmp: Path) -> Path:
    path = tmp / "nul.csv"
    path.write_bytes(
        f"{HEADER},loss_reason\no1,acme,GTX Pro,u1,2024-01-05,2024-02-01,Lost,"
        f"lost,0,a\x00b\n".encode()
    )
    return path


def _dev_zero(tmp: Path) -> Path:
    return Path("/dev/zero")  # endless: never read


def _fifo(tmp: Path) -> Path:
    path = tmp / "pipe.csv"
    os.mkfifo(path)  # nobody writes: reading would block forever
    return path


def _long_line(tmp: Path) -> Path:
    path = tmp / "one_line.csv"
    path.write_bytes(f"{HEADER}\n".encode() + b"o1," + b"x" * (1 << 21) + b"\n")
    return path


def _zero_width_id(tmp: Path) -> Path:
    path = tmp / "zero_width.csv"
    rows = GOOD.splitlines()
    twin = rows[1].replace("o1,", "o1\u200b,", 1)
    path.write_text("\n".join([*rows, twin]) + "\n", encoding="utf-8")
    return path


def _cyrillic_id(tmp: Path) -> Path:
    path = tmp / "cyrillic.csv"
    rows = GOOD.splitlines()
    twin = rows[1].replace("o1,", "\u043e1,", 1)  # CYRILLIC SMALL LETTER O, then 1
    path.write_text("\n".join([*rows, twin]) + "\n", encoding="utf-8")
    return path


def _bidi_name(tmp: Path) -> Path:
    path = tmp / "bidi.csv"
    path.write_text(
        "person_id,name,team,active\nu9,Ann \u202eredoc\u202c Lee,sales,true\n",
        encoding="utf-8",
    )
    return path


def _mixed_encodings(tmp: Path) -> Path:
    path = tmp / "mixed.csv"
    head = f"{HEADER},loss_reason\n".encode()
    utf8 = "o1,acme,GTX Pro,u1,2024-01-05,2024-02-01,Lost,lost,0,Zoë said no\n".encode()
    latin = "o2,acme,GTX Pro,u1,2024-01-05,2024-02-01,Lost,lost,0,Zoë said no\n".encode("latin-1")
    path.write_bytes(head + utf8 + latin)
    return path


def _utf16_no_bom(tmp: Path) -> Path:
    path = tmp / "utf16le.csv"
    path.write_bytes(GOOD.encode("utf-16-le"))
    return path


@dataclass(frozen=True)
class Case:
    name: str
    source: str | Callable[[Path], Path]
    code: IssueCode | None
    row: int | None = None
    column: str | None = None
    table: str = "opportunities"
    mapping: str | None = None
    delimiter: str | None = None
    mode: str = "replace"
    loads: bool = False
    message: str = ""


E = IssueCode
CASES = [
    Case("missing required column", "missing_required_column.csv", E.E102, 1, "status"),
    Case(
        "day-first date in an ISO column",
        "bad_date.csv",
        E.E204,
        3,
        "created_at",
        message="'31/02/2024' is not a valid date",
    ),
    Case("impossible ISO date", "impossible_iso_date.csv", E.E204, 2, "closed_at"),
    Case(
        "amount that is not a number",
        "amount_not_a_number.csv",
        E.E202,
        3,
        "amount",
        message="'12k' is not a number",
    ),
    Case("negative amount", "negative_amount.csv", E.E207, 2, "amount"),
    Case(
        "unknown status value",
        "unknown_status.csv",
        E.E206,
        2,
        "status",
        message="'Closed Won' is not a known status",
    ),
    Case(
        "duplicate id",
        "duplicate_id.csv",
        E.E208,
        4,
        "opportunity_id",
        message="first seen on row 2",
    ),
    Case("empty file", "empty.csv", E.E101),
    Case("header only", "header_only.csv", E.E106, 1),
    Case(
        "semicolons read with a comma delimiter",
        "semicolon_separated.csv",
        E.E107,
        1,
        delimiter=",",
        message="semicolon (';')",
    ),
    Case(
        "tabs read with a comma delimiter",
        "tab_separated.tsv",
        E.E107,
        1,
        delimiter=",",
        message="tab ('\\t')",
    ),
    Case("ragged row", "ragged_row.csv", E.E103, 3),
    Case("ragged row after a value spanning lines", "ragged_after_multiline_value.csv", E.E103, 4),
    Case(
        "reference to an unknown account",
        "unknown_account.csv",
        E.E301,
        2,
        "account_id",
        message="opportunity for an unknown account 'initech'",
    ),
    Case("unterminated quote", "unterminated_quote.csv", E.E108, 3),
    Case("duplicate header", "duplicate_header.csv", E.E105, 1, "amount"),
    Case("required value missing", "required_value_missing.csv", E.E201, 2, "status"),
    Case("unknown boolean", "unknown_boolean.csv", E.E205, 3, "active", table="people"),
    Case("unknown team", "unknown_team.csv", E.E206, 2, "team", table="people"),
    Case(
        "employees not a whole number",
        "non_integer_employees.csv",
        E.E203,
        3,
        "employees",
        table="accounts",
    ),
    Case(
        "duplicate composite key",
        "duplicate_composite_key.csv",
        E.E208,
        4,
        "opportunity_id+stage+entered_at",
        table="stage_changes",
        message="first seen on row 2",
    ),
    Case("salesforce report footer", "salesforce_footer.csv", E.E103, 4),
    Case("trailing delimiter", "trailing_delimiter.csv", E.E103, 2),
    Case(
        "impossible day-first date with a format",
        "deals_day_first.csv",
        E.E204,
        3,
        "Created",
        mapping="deals.toml",
    ),
    Case(
        "mapped source column missing",
        "mapped_column_missing.csv",
        E.E102,
        1,
        "Stage",
        mapping="deals.toml",
    ),
    Case("old Excel workbook", "old_excel.xls", E.E104),
    Case("JSON export", "export.json", E.E104),
    Case("file not found", "no_such_file.csv", E.E100),
    Case("xlsx that is not a workbook", "not_really.xlsx", E.E108),
    Case("parquet that is not parquet", "broken.parquet", E.E108),
    Case(
        "appending an id already loaded",
        "already_in_warehouse.csv",
        E.E208,
        2,
        "opportunity_id",
        mode="append",
        message="already in the warehouse",
    ),
    Case(
        "blank rows keep later row numbers",
        "blank_rows_keep_numbers.csv",
        E.E201,
        7,
        "name",
        table="people",
    ),
    Case(
        "ragged whitespace row without header",
        "headerless_ragged.txt",
        E.E103,
        2,
        table="orders",
        mapping="headerless_orders.toml",
    ),
    Case("huge field", _huge_field, E.E209, 2, "loss_reason"),
    Case("NUL byte", _nul, E.E210, 2, "loss_reason", message="'a\\x00b'"),
    Case("a device, not a file", _dev_zero, E.E100, message="not a regular file"),
    Case("a named pipe", _fifo, E.E100, message="not a regular file"),
    Case("a line without end", _long_line, E.E110, 2, message="more than the 1,024 KB"),
    Case("UTF-8 and Latin-1 rows in one file", _mixed_encodings, E.E108, 3, message="mixes"),
    # These load, with a warning or none.
    Case("UTF-16 without a BOM", _utf16_no_bom, None, loads=True),
    Case(
        "an id with a zero-width space",
        _zero_width_id,
        E.W207,
        TWIN_ROW,
        "opportunity_id",
        loads=True,
        message="'o1<U+200B>' holds invisible",
    ),
    Case(
        "an id in Cyrillic letters among Latin ids",
        _cyrillic_id,
        E.W208,
        TWIN_ROW,
        "opportunity_id",
        loads=True,
        message="Greek or Cyrillic letters",
    ),
    Case(
        "a name that turns text backwards",
        _bidi_name,
        E.W207,
        2,
        "name",
        table="people",
        loads=True,
        message="'Ann <U+202E>redoc<U+202C> Lee'",
    ),
    Case("UTF-8 BOM", _bom, None, loads=True),
    Case("UTF-16 with BOM", _utf16, None, loads=True),
    Case("sniffed semicolons", "semicolon_separated.csv", None, loads=True),
    Case("Latin-1 text", _latin1, E.W101, loads=True, message="read as Windows-1252"),
    Case("formula-like text", "formula_text.csv", E.W202, 2, "loss_reason", loads=True),
    Case(
        "closed before created",
        "closed_before_created.csv",
        E.W203,
        2,
        "closed_at",
        loads=True,
        message="is before created_at",
    ),
]


def _path(case: Case, tmp_path: Path) -> Path:
    return BAD / case.source if isinstance(case.source, str) else case.source(tmp_path)


def _first(issues: list[Issue], code: IssueCode) -> Issue:
    found = [i for i in issues if i.code is code]
    assert found, f"no {code.value} in:\n" + "\n".join(i.format() for i in issues)
    return found[0]


def test_the_corpus_has_at_least_thirty_cases_with_distinct_names() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_input_is_located_and_an_error_changes_nothing(
    case: Case, con: BaseBackend, tmp_path: Path
) -> None:
    path = _path(case, tmp_path)
    before = snapshot(con)
    mapping = BAD / case.mapping if case.mapping else None
    kwargs = {
        "table": case.table,
        "path": path,
        "mapping": mapping,
        "mode": case.mode,
        "settings": Settings(),
        "delimiter": case.delimiter,
    }
    if not case.loads:
        with pytest.raises(ImportRejected) as info:
            import_file(con, **kwargs)  # type: ignore[arg-type]
        assert case.code is not None
        issue = _first(info.value.issues, case.code)
        assert (issue.row, issue.column) == (case.row, case.column), issue.format()
        assert case.message in issue.message
        after = snapshot(con)
        assert after.keys() == before.keys()
        for name, table in before.items():
            assert after[name].equals(table), f"{name} changed"
        return
    result = import_file(con, **kwargs)  # type: ignore[arg-type]
    assert result.rows > 0
    assert all(i.level == "warning" for i in result.issues)
    if case.code is not None:
        issue = _first(list(result.issues), case.code)
        assert (issue.row, issue.column) == (case.row, case.column), issue.format()
        assert case.message in issue.message
    loaded = con.table(case.table).to_pyarrow()
    assert loaded.num_rows == result.rows
    for name, table in before.items():
        if name != case.table:
            assert snapshot(con)[name].equals(table)


def test_a_missing_required_column_is_reported_alone(con: BaseBackend) -> None:
    with pytest.raises(ImportRejected) as info:
        import_file(con, table="opportunities", path=BAD / "missing_required_column.csv")
    assert {i.code for i in info.value.issues} == {IssueCode.E102}


def test_formula_text_is_stored_verbatim_and_plain_negative_numbers_are_not_flagged(
    con: BaseBackend,
) -> None:
    result = import_file(con, table="opportunities", path=BAD / "formula_text.csv")
    flagged = [i for i in result.issues if i.code is IssueCode.W202]
    assert [i.row for i in flagged] == [2]
    reasons = con.table("opportunities").order_by("opportunity_id").to_pyarrow()
    assert reasons["loss_reason"].to_pylist() == ['=HYPERLINK("http://x.example","click")', "-5"]


def test_latin1_text_is_decoded_not_mangled(con: BaseBackend, tmp_path: Path) -> None:
    import_file(con, table="opportunities", path=_latin1(tmp_path))
    assert con.table("opportunities").to_pyarrow()["loss_reason"].to_pylist() == ["trop élevé"]


def test_a_trailing_delimiter_gets_its_own_hint(con: BaseBackend) -> None:
    with pytest.raises(ImportRejected) as info:
        import_file(con, table="opportunities", path=BAD / "trailing_delimiter.csv")
    assert "extra delimiter" in _first(info.value.issues, IssueCode.E103).hint


def test_an_unterminated_quote_still_checks_the_rows_before_it(con: BaseBackend) -> None:
    with pytest.raises(ImportRejected) as info:
        import_file(con, table="opportunities", path=BAD / "unterminated_quote.csv")
    assert [i.code for i in info.value.issues if i.level == "error"] == [IssueCode.E108]


_BYTES = st.lists(
    st.sampled_from([*b'a1,;\t|" \r\n\x00=-:.', 0xE9, 0xFF, 0xFE, 0xEF, 0xBB, 0xBF]), max_size=80
).map(bytes)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=_BYTES,
    table=st.sampled_from(["people", "orders"]),
    delimiter=st.sampled_from([None, ",", ";", "whitespace"]),
)
def test_arbitrary_bytes_are_loaded_or_rejected_but_never_crash_the_import(
    data: bytes, table: str, delimiter: str | None, empty_con: BaseBackend, tmp_path: Path
) -> None:
    path = tmp_path / "fuzz.csv"
    header = b"person_id,name,team,active\n" if table == "people" else b""
    path.write_bytes(header + data)
    outcome: ImportResult | ImportRejected
    try:
        outcome = import_file(empty_con, table=table, path=path, delimiter=delimiter, check=True)
    except ImportRejected as exc:
        outcome = exc
    if isinstance(outcome, ImportRejected):
        assert outcome.issues
        assert all(i.format().count("\n") <= 1 for i in outcome.issues)
    else:
        assert outcome.rows > 0
