"""Path files: ChannelAttribution's layout read as is, every bad input located like an import's."""

from __future__ import annotations

from pathlib import Path

import pytest

from coparent.models.attribution import PathFileCode, PathFileRejected, read_path_file, split_paths
from coparent.settings import Settings

HEADER = "path;total_conversions;total_conversion_value;total_null\n"


def _write(tmp_path: Path, text: str, name: str = "paths.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rejected(path: Path, **options: object) -> list[tuple[str, int | None, str | None]]:
    with pytest.raises(PathFileRejected) as caught:
        read_path_file(path, settings=Settings(), **options)  # type: ignore[arg-type]
    return [(i.code.value, i.row, i.column) for i in caught.value.issues]


def test_channelattribution_data_csv_reads_with_its_documented_totals(data_csv: Path) -> None:
    read = read_path_file(data_csv, settings=Settings())
    paths = read.paths
    assert (read.rows, paths.n_paths, len(paths.labels)) == (10_000, 10_000, 12)
    assert paths.total_conversions == 19_785
    assert paths.total_value == pytest.approx(74_802.972, abs=5e-4)  # SOURCE.md's rounding
    assert paths.total_nulls == 68_602
    assert paths.paths()[0] == ("eta", "iota", "alpha", "eta")
    assert read.warnings == []


def test_every_bad_row_is_located_by_spreadsheet_row_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER
        + "a > b;1;10;2\n"  # row 2: fine
        + ";1;2;3\n"  # row 3: empty path
        + "a >  > b;x;-1;2\n"  # row 4: empty name, not a count, negative value
        + "c;0;5;0\n"  # row 5: value without conversions
        + "d;-2;1.5;1.5\n"  # row 6: negative count, fractional nulls
        + "> e;1;;1\n",  # row 7: leading separator, empty value
    )
    issues = _rejected(path)
    assert sorted(issues) == sorted(
        [
            ("attribution.E201", 3, "path"),
            ("attribution.E202", 4, "path"),
            ("attribution.E203", 4, "total_conversions"),
            ("attribution.E204", 4, "total_conversion_value"),
            ("attribution.E206", 5, "total_conversion_value"),
            ("attribution.E204", 6, "total_conversions"),
            ("attribution.E203", 6, "total_null"),
            ("attribution.E202", 7, "path"),
            ("attribution.E205", 7, "total_conversion_value"),
        ]
    )


def test_a_rejected_file_prints_linter_style_lines_with_hints(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "a > b;-1;0;2\n", name="deals.csv")
    with pytest.raises(PathFileRejected) as caught:
        read_path_file(path, settings=Settings())
    text = str(caught.value)
    assert text.startswith("deals.csv: 1 error(s), no attribution was run\n")
    assert (
        "deals.csv:2:total_conversions: error attribution.E204: total_conversions '-1' is "
        "negative\n    hint: counts and values cannot be below 0; fix the export"
    ) in text
    assert caught.value.code == "attribution.path_file_rejected"


def test_a_separator_missing_from_every_path_names_the_one_found(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "search | email;1;10;2\nsearch;1;3;4\n")
    with pytest.raises(PathFileRejected) as caught:
        read_path_file(path, settings=Settings())
    (issue,) = caught.value.issues
    assert (issue.code.value, issue.row, issue.column) == ("attribution.E102", 2, "path")
    assert "--sep '|'" in issue.hint
    read = read_path_file(path, settings=Settings(), sep="|")
    assert read.paths.paths() == [("search", "email"), ("search",)]


def test_single_channel_paths_need_no_separator(tmp_path: Path) -> None:
    read = read_path_file(
        _write(tmp_path, HEADER + "search;1;10;2\nemail;0;0;4\n"), settings=Settings()
    )
    assert read.paths.paths() == [("search",), ("email",)]


def test_missing_columns_are_reported_alone_with_what_the_file_has(tmp_path: Path) -> None:
    path = _write(tmp_path, "path;conversions;total_null\nx > y;oops;2\n")
    assert _rejected(path) == [
        ("attribution.E101", 1, "total_conversions"),
        ("attribution.E101", 1, "total_conversion_value"),
    ]


def test_a_comma_separated_file_read_with_semicolons_names_the_delimiter(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER.replace(";", ",") + "a > b,1,10,2\n")
    assert _rejected(path) == [("ingest.E107", 1, None)]
    read = read_path_file(path, settings=Settings(), delimiter=",")
    assert read.paths.total_value == 10.0


def test_structural_problems_use_the_import_codes(tmp_path: Path) -> None:
    assert _rejected(tmp_path / "nowhere.csv") == [("ingest.E100", None, None)]
    assert _rejected(_write(tmp_path, "")) == [("ingest.E101", None, None)]
    assert _rejected(_write(tmp_path, HEADER)) == [("ingest.E106", 1, None)]


def test_a_path_no_journey_took_is_a_warning_and_counts_for_nothing(tmp_path: Path) -> None:
    read = read_path_file(_write(tmp_path, HEADER + "a;1;5;0\nb;0;0;0\n"), settings=Settings())
    assert [(w.code.value, w.row, w.level) for w in read.warnings] == [
        ("attribution.W201", 3, "warning")
    ]
    assert read.paths.total_conversions == 1


def test_many_bad_rows_list_the_first_examples_and_count_all(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "".join(f"c{i};-1;0;1\n" for i in range(50)))
    with pytest.raises(PathFileRejected) as caught:
        read_path_file(path, settings=Settings(import_max_examples=3))
    issues = caught.value.issues
    assert sum(i.count for i in issues) == 50
    assert [i.row for i in issues[:3]] == [2, 3, 4]


def test_every_code_is_documented_in_docs_attribution() -> None:
    from tests.conftest import REPO

    text = (REPO / "docs" / "attribution.md").read_text()
    missing = [c.value for c in PathFileCode if f"### {c.value}" not in text]
    assert not missing


def test_split_paths_trims_names_and_accepts_the_separator_without_spaces() -> None:
    import pyarrow as pa

    assert split_paths(pa.array(["a>b > c", " x "]), sep=" > ").to_pylist() == [
        ["a", "b", "c"],
        ["x"],
    ]
