from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.ingest import _text
from coparent.ingest.issues import IssueCode, IssueLog
from coparent.ingest.mapping import SourceOptions
from coparent.ingest.readers import SourceTable, read_arrow, read_source
from coparent.settings import Settings

from .conftest import BAD


def read(path: Path, log: IssueLog | None = None, **options: object) -> SourceTable:
    log = log or IssueLog(file=path.name, max_examples=20)
    src = read_source(
        path,
        file=path.name,
        options=SourceOptions(**options),  # type: ignore[arg-type]
        settings=Settings(),
        log=log,
    )
    assert src is not None, [i.format() for i in log.issues()]
    return src


def columns(src: SourceTable) -> dict[str, list[object]]:
    return {name: src.columns[name].to_pylist() for name in src.names}


def write(tmp_path: Path, text: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ("a|b|c", "|"),
        ("single", ","),
        ('"x;y",b,c', ","),
        ("a;b,c;d", ";"),
        ("a,b;c\nd;e;f;g", ","),
    ],
)
def test_the_delimiter_is_the_one_most_seen_in_the_header_outside_quotes(
    head: str, expected: str
) -> None:
    assert _text.sniff_delimiter(head) == expected


def test_rows_count_records_so_a_value_spanning_lines_is_one_row(tmp_path: Path) -> None:
    src = read(write(tmp_path, 'id,note\r\n1,"two\r\nlines"\r\n2,x\r\n'))
    assert columns(src) == {"id": ["1", "2"], "note": ["two\r\nlines", "x"]}
    assert src.rows.to_pylist() == [2, 3]


def test_blank_rows_are_skipped_but_keep_their_numbers(tmp_path: Path) -> None:
    src = read(write(tmp_path, "id,name\n1,a\n\n,\n2,b\n\n\n"))
    assert src.rows.to_pylist() == [2, 5]


def test_cells_are_stripped_and_null_words_become_null(tmp_path: Path) -> None:
    src = read(write(tmp_path, 'id,x\n 1 ,"  padded  "\n2, NULL \n3,(No value)\n4,#N/A\n5,""\n'))
    assert columns(src)["x"] == ["padded", None, None, None, None]
    assert columns(src)["id"] == ["1", "2", "3", "4", "5"]


def test_a_utf8_bom_is_dropped_from_the_first_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,name\n1,a\n")
    assert read(path).names == ["id", "name"]


def test_utf16_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes("id\tname\n1\tZoë\n".encode("utf-16"))
    assert columns(read(path)) == {"id": ["1"], "name": ["Zoë"]}


def test_bytes_that_are_not_utf8_are_read_as_windows_1252_with_a_warning(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cp.csv"
    path.write_bytes("id,name\n1,Café €5\n".encode("cp1252"))
    log = IssueLog(file="cp.csv", max_examples=20)
    assert columns(read(path, log))["name"] == ["Café €5"]
    (warning,) = log.issues()
    assert warning.code is IssueCode.W101
    assert "line 2" in warning.message


def test_bytes_undefined_in_windows_1252_fall_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "l1.csv"
    path.write_bytes(b"id,name\n1,a\x81b\n")
    log = IssueLog(file="l1.csv", max_examples=20)
    assert columns(read(path, log))["name"] == ["a\x81b"]
    assert "Latin-1" in log.issues()[0].message


def test_a_named_encoding_is_used_and_a_wrong_one_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cp.csv"
    path.write_bytes("id,name\n1,Ł\n".encode("cp1250"))
    assert columns(read(path, encoding="cp1250"))["name"] == ["Ł"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,name\n1,\xff\xfe\xfd\n")
    for named in ("utf-8", "ascii"):
        log = IssueLog(file="bad.csv", max_examples=20)
        options = SourceOptions(encoding=named)
        assert (
            read_source(bad, file="bad.csv", options=options, settings=Settings(), log=log) is None
        )
        (issue,) = log.issues()
        assert issue.code is IssueCode.E108
        assert f"not valid {named} (line 2" in issue.message


def test_whitespace_separated_logs_with_leading_spaces_and_crlf(tmp_path: Path) -> None:
    path = write(
        tmp_path, " id  day\tn \r\n 00001 19970101  1\r\n\r\n 00002 19970112\t5\r\n", "log.txt"
    )
    src = read(path, delimiter="whitespace")
    assert columns(src) == {
        "id": ["00001", "00002"],
        "day": ["19970101", "19970112"],
        "n": ["1", "5"],
    }
    assert src.rows.to_pylist() == [2, 4]


def test_a_headerless_file_takes_names_from_the_mapping_and_starts_at_row_1(
    tmp_path: Path,
) -> None:
    src = read(write(tmp_path, "1,a\n2,b\n"), header=False, names=("id", "name"))
    assert (src.header_row, src.rows.to_pylist()) == (None, [1, 2])
    assert columns(src) == {"id": ["1", "2"], "name": ["a", "b"]}


def test_a_headerless_file_without_names_gets_numbered_columns(tmp_path: Path) -> None:
    src = read(write(tmp_path, "1 a\n2 b\n"), header=False, delimiter="whitespace")
    assert src.names == ["column_1", "column_2"]


def test_repeated_headers_are_kept_apart_and_remembered(tmp_path: Path) -> None:
    src = read(write(tmp_path, "id,x,x,y\n1,a,b,c\n"))
    assert src.names == ["id", "x__1", "x__2", "y"]
    assert src.duplicates == {"x": 2}


def test_ragged_rows_are_numbered_even_when_read_in_parallel_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_text, "_FIRST_BLOCK", 1 << 12)
    lines = ["id,name"] + [f"{i},n{i}" for i in range(5000)]
    for bad in (7, 2500, 4998):
        lines[bad] = lines[bad] + ",extra"
    path = write(tmp_path, "\n".join(lines) + "\n")
    log = IssueLog(file="f.csv", max_examples=20)
    src = read(path, log)
    assert [i.row for i in log.issues()] == [8, 2501, 4999]
    assert src.num_rows == 4997
    assert src.rows[10].as_py() == 13  # rows after the first ragged one keep their numbers


def test_a_field_bigger_than_a_read_block_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_text, "_FIRST_BLOCK", 1 << 10)
    path = write(tmp_path, "id,note\n1," + "x" * 50_000 + "\n2,y\n")
    src = read(path)
    assert [len(v or "") for v in columns(src)["note"]] == [50_000, 1]


def test_an_xlsx_sheet_keeps_its_row_numbers_and_writes_cells_as_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Deals"
    rows = [
        ["id", "when", "n", "flag", "day"],
        ["a", dt.datetime(2024, 1, 5, 10, 30), 12, True, dt.date(2024, 1, 6)],
        [None, None, None, None, None],
        ["b", None, 12.5, False, None],
    ]
    for r, values in enumerate(rows, start=3):  # two empty rows above the header
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    book.create_sheet("Other").append(["id"])
    book["Other"].append(["z"])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    src = read(path)
    assert src.header_row == 3
    assert src.rows.to_pylist() == [4, 6]
    assert columns(src) == {
        "id": ["a", "b"],
        "when": ["2024-01-05 10:30:00", None],
        "n": ["12", "12.5"],
        "flag": ["true", "false"],
        "day": ["2024-01-06 00:00:00", None],
    }
    assert columns(read(path, sheet="Other")) == {"id": ["z"]}


def test_a_missing_sheet_is_reported_with_the_sheets_there_are(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Only"
    path = tmp_path / "b.xlsx"
    book.save(path)
    log = IssueLog(file="b.xlsx", max_examples=20)
    assert (
        read_source(
            path, file="b.xlsx", options=SourceOptions(sheet="Deals"), settings=Settings(), log=log
        )
        is None
    )
    (issue,) = log.issues()
    assert issue.code is IssueCode.E108
    assert "'Only'" in issue.hint


def test_cells_beyond_the_header_in_excel_are_a_ragged_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["id"])
    book.active.append(["a", "stray"])
    path = tmp_path / "b.xlsx"
    book.save(path)
    log = IssueLog(file="b.xlsx", max_examples=20)
    read_source(path, file="b.xlsx", options=SourceOptions(), settings=Settings(), log=log)
    assert [(i.code, i.row) for i in log.issues()] == [(IssueCode.E103, 2)]


def test_parquet_keeps_its_types_and_numbers_rows_from_2(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": [" a ", "b"],
            "n": [1, 2],
            "at": pa.array([dt.datetime(2024, 1, 1)] * 2, pa.timestamp("ms", "UTC")),
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    src = read(path)
    assert src.rows.to_pylist() == [2, 3]
    assert columns(src)["id"] == ["a", "b"]
    assert src.columns["n"].type == pa.int64()
    assert pa.types.is_timestamp(src.columns["at"].type)


def test_an_arrow_table_reads_like_parquet() -> None:
    log = IssueLog(file="memory", max_examples=20)
    table = pa.table(
        {"id": pa.array(["x", "y"]), "kind": pa.array([" a ", "NULL"]).dictionary_encode()}
    )
    src = read_arrow(table, file="memory", settings=Settings(), log=log)
    assert src is not None
    assert src.columns["kind"].to_pylist() == ["a", None]


def test_a_file_of_only_whitespace_is_empty(tmp_path: Path) -> None:
    log = IssueLog(file="f.csv", max_examples=20)
    assert (
        read_source(
            write(tmp_path, "  \n\n"),
            file="f.csv",
            options=SourceOptions(),
            settings=Settings(),
            log=log,
        )
        is None
    )
    assert log.issues()[0].code is IssueCode.E101


def test_a_spreadsheet_saved_under_a_csv_name_is_recognised(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    path = tmp_path / "export.csv"
    book.save(path)
    log = IssueLog(file="export.csv", max_examples=20)
    assert (
        read_source(path, file="export.csv", options=SourceOptions(), settings=Settings(), log=log)
        is None
    )
    (issue,) = log.issues()
    assert issue.code is IssueCode.E104
    assert ".xlsx" in issue.hint


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    log = IssueLog(file="x", max_examples=20)
    assert (
        read_source(tmp_path, file="x", options=SourceOptions(), settings=Settings(), log=log)
        is None
    )
    assert log.issues()[0].code is IssueCode.E100


def test_the_bad_corpus_fixtures_are_text() -> None:
    for path in BAD.iterdir():
        path.read_bytes().decode("utf-8")


_CELL = (
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters=',;\t|"\n'),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(lambda s: s not in ("", *Settings().import_null_values))
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    line_end=st.sampled_from(["\n", "\r\n"]),
    rows=st.integers(1, 4).flatmap(
        lambda width: st.lists(
            st.lists(_CELL, min_size=width, max_size=width), min_size=2, max_size=8
        )
    ),
)
def test_csv_written_with_any_quoting_and_delimiter_reads_back_the_same(
    tmp_path: Path, delimiter: str, quoting: int, line_end: str, rows: list[list[str]]
) -> None:
    header = [f"c{i}" for i in range(len(rows[0]))]
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=line_end).writerows(
        [header, *rows]
    )
    path = tmp_path / "round.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    src = read(path, delimiter=delimiter)
    assert src.names == header
    assert [
        list(r) for r in zip(*(src.columns[h].to_pylist() for h in header), strict=True)
    ] == rows
    assert src.rows.to_pylist() == list(range(2, len(rows) + 2))


def test_an_xlsx_sheet_without_a_header_takes_the_mapping_names(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["a", 1])
    book.active.append(["b", 2])
    path = tmp_path / "nohead.xlsx"
    book.save(path)
    src = read(path, header=False, names=("id", "n"))
    assert (src.header_row, src.rows.to_pylist()) == (None, [1, 2])
    assert columns(src) == {"id": ["a", "b"], "n": ["1", "2"]}
    assert read(path, header=False).names == ["column_1", "column_2"]


# --- compressed files, archives and title rows -------------------------------------------


def fails(path: Path, **options: object) -> list[tuple[IssueCode, int | None, str]]:
    log = IssueLog(file=path.name, max_examples=20)
    src = read_source(
        path,
        file=path.name,
        options=SourceOptions(**options),  # type: ignore[arg-type]
        settings=Settings(),
        log=log,
    )
    assert src is None
    return [(i.code, i.row, i.message) for i in log.issues()]


CSV = "id,amount\na,1\nb,\nc,3\n"


def test_a_gz_file_is_read_as_the_file_it_compresses(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(CSV.encode()))
    src = read(path)
    assert columns(src) == {"id": ["a", "b", "c"], "amount": ["1", None, "3"]}
    assert src.rows.to_pylist() == [2, 3, 4]


def test_a_zip_with_one_file_is_read_as_that_file(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("orders.csv", CSV)
        z.writestr("__MACOSX/._orders.csv", b"\x00\x05")
    assert columns(read(path))["id"] == ["a", "b", "c"]


def test_a_zip_member_is_chosen_by_name_even_a_parquet_or_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    sink = io.BytesIO()
    pq.write_table(pa.table({"id": ["p"], "n": [1.5]}), sink)
    book = openpyxl.Workbook()
    book.active.append(["id", "n"])  # type: ignore[union-attr]
    book.active.append(["x", 2])  # type: ignore[union-attr]
    xlsx = io.BytesIO()
    book.save(xlsx)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.csv", CSV)
        z.writestr("data/b.parquet", sink.getvalue())
        z.writestr("c.xlsx", xlsx.getvalue())
    assert columns(read(path, member="a.csv"))["id"] == ["a", "b", "c"]
    assert columns(read(path, member="data/b.parquet")) == {"id": ["p"], "n": [1.5]}
    assert columns(read(path, member="c.xlsx")) == {"id": ["x"], "n": ["2"]}


def test_an_archive_of_several_files_needs_a_member_and_a_wrong_one_is_reported(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.csv", CSV)
        z.writestr("b.csv", CSV)
    ((code, row, message),) = fails(path)
    assert (code, row) == (IssueCode.E104, None)
    assert "holds 2 files" in message
    ((code, _, message),) = fails(path, member="c.csv")
    assert (code, message) == (IssueCode.E100, "the archive has no file 'c.csv'")
    ((code, _, message),) = fails(write(tmp_path, CSV), member="a.csv")
    assert code is IssueCode.E104
    assert "not a .zip archive" in message


def test_a_damaged_gz_or_zip_is_malformed(tmp_path: Path) -> None:
    gz = tmp_path / "x.csv.gz"
    gz.write_bytes(gzip.compress(CSV.encode())[:-12])
    assert [c for c, _, _ in fails(gz)] == [IssueCode.E108]
    bad_zip = tmp_path / "x.zip"
    bad_zip.write_bytes(b"PK\x03\x04 not really")
    assert [c for c, _, _ in fails(bad_zip)] == [IssueCode.E108]


def test_title_rows_are_skipped_and_still_counted_in_row_numbers(tmp_path: Path) -> None:
    text = "Opportunities report\nRun 2024-03-01, by Ann\nid,amount\na,1\nb,2,extra\n\nc,3\n"
    log = IssueLog(file="r.csv", max_examples=20)
    src = read(write(tmp_path, text, "r.csv"), log, skip_rows=2)
    assert src.header_row == 3
    assert columns(src)["id"] == ["a", "c"]
    assert src.rows.to_pylist() == [4, 7]
    assert [(i.code, i.row) for i in log.issues()] == [(IssueCode.E103, 5)]


def test_title_rows_are_skipped_in_whitespace_logs_and_workbooks(tmp_path: Path) -> None:
    src = read(
        write(tmp_path, "CDNOW log\n id  amount\n  a   1\n", "log.txt"),
        skip_rows=1,
        delimiter="whitespace",
    )
    assert (src.header_row, src.rows.to_pylist(), columns(src)["id"]) == (2, [3], ["a"])
    book = openpyxl.Workbook()
    for row in (["Report", "title"], ["id", "n"], ["x", 1]):
        book.active.append(row)  # type: ignore[union-attr]
    book.save(tmp_path / "r.xlsx")
    src = read(tmp_path / "r.xlsx", skip_rows=1)
    assert (src.header_row, src.rows.to_pylist()) == (2, [3])
    assert columns(src) == {"id": ["x"], "n": ["1"]}


def test_skipping_every_line_leaves_an_empty_file(tmp_path: Path) -> None:
    assert [c for c, _, _ in fails(write(tmp_path, "a\nb\n"), skip_rows=5)] == [IssueCode.E101]


def test_the_mappings_null_values_replace_the_setting_but_an_empty_cell_stays_empty(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "id,v\na,N/A\nb,-\nc,\n")
    assert columns(read(path))["v"] == [None, "-", None]
    assert columns(read(path, null_values=("-",)))["v"] == ["N/A", None, None]
    assert columns(read(path, null_values=()))["v"] == ["N/A", "-", None]


def _refused(path: Path, settings: Settings, **options: object) -> list[str]:
    log = IssueLog(file=path.name, max_examples=20)
    src = read_source(
        path,
        file=path.name,
        options=SourceOptions(**options),  # type: ignore[arg-type]
        settings=settings,
        log=log,
    )
    assert src is None
    return [f"{i.code.value} {i.message}" for i in log.issues()]


ONE_MB = Settings(import_max_file_mb=1)


def test_a_file_larger_than_the_bound_is_not_read(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n" + "1,2\n" * 300_000)
    (problem,) = _refused(path, ONE_MB)
    assert problem.startswith("ingest.E110 the file is 1.1 MB, more than the 1 MB")


def test_a_gzip_that_unpacks_beyond_the_bound_is_stopped_while_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * (1 << 20)))  # 4 MB in ~10 KB
    assert path.stat().st_size < 100_000
    (problem,) = _refused(path, ONE_MB)
    assert "unpacks to more than the 1 MB" in problem


def test_a_zip_member_is_bounded_whatever_its_header_says(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("deals.csv", b"a,b\n" + b"1,2\n" * (1 << 20))
    (problem,) = _refused(path, ONE_MB)
    assert "unpacks to more than the 1 MB" in problem


def test_within_the_bounds_compressed_files_still_read(tmp_path: Path) -> None:
    path = tmp_path / "small.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    assert columns(read(path)) == {"a": ["1"], "b": ["2"]}


@given(lines=st.lists(st.integers(0, 3000), min_size=1, max_size=6))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_first_line_over_the_limit_is_the_one_reported(lines: list[int]) -> None:
    from coparent.ingest.readers import _long_line

    data = b"\n".join(b"x" * n for n in lines)
    over = [i for i, n in enumerate(lines) if n > 1024]
    found = _long_line(data, max_bytes=1024)
    assert found == ((over[0] + 1, lines[over[0]]) if over else None)


def test_utf16_without_a_bom_is_recognised_in_either_byte_order(tmp_path: Path) -> None:
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes("name,city\nZoë,Zürich\n".encode(encoding))
        assert columns(read(path)) == {"name": ["Zoë"], "city": ["Zürich"]}
