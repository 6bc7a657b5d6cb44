from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from ibis.backends import BaseBackend
from statsmodels.stats.proportion import proportions_ztest

from coparent import warehouse
from coparent.demo import DemoCompany, generate
from coparent.errors import MissingDataError, UnusableDataError
from coparent.services.imports import import_file
from coparent.services.offers import OfferInputError, offer_analyze, offer_economics, offer_plan

AB_MAPPING = """
# ab_data.csv (Udacity landing-page test) onto the canonical experiments table.
[experiments.columns]
experiment_id = { value = "landing-page-2017" }
subject_id = "user_id"
variant = "group"
assigned_at = "timestamp"
converted = "converted"
"""


def clean_ab_data(source: Path, target: Path) -> tuple[int, int]:
    """The standard cleaning of ab_data.csv, documented in docs/starter-projects.md.

    1. Drop rows whose group and landing page disagree (treatment shown the old page or
       control shown the new one): 3,893 rows whose exposure is unknown.
    2. Then keep each user's first row in file order (one user_id appears twice).
    Returns (rows dropped in step 1, rows dropped in step 2).
    """
    frame = pd.read_csv(source, dtype={"user_id": str})
    aligned = (frame.group == "treatment") == (frame.landing_page == "new_page")
    kept = frame[aligned]
    unique = kept.drop_duplicates("user_id", keep="first")
    unique.to_csv(target, index=False)
    return int((~aligned).sum()), len(kept) - len(unique)


def test_ab_data_landing_page_after_the_standard_cleaning_matches_statsmodels(
    shared_data: Path, tmp_path: Path
) -> None:
    cleaned = tmp_path / "ab_data_clean.csv"
    dropped = clean_ab_data(shared_data / "ab-test-landing-page" / "ab_data.csv", cleaned)
    assert dropped == (3893, 1)  # SOURCE.md: 3,893 mismatched rows; one duplicated user left
    mapping = tmp_path / "ab-data.toml"
    mapping.write_text(AB_MAPPING, encoding="utf-8")
    con = warehouse.connect("duckdb://")
    result = import_file(con, table="experiments", path=cleaned, mapping=mapping)
    assert result.rows == 290_584

    report = offer_analyze(con, control="control")
    rows = {v["variant"]: v for v in report["variants"]}
    assert (rows["control"]["n"], rows["control"]["conversions"]) == (145_274, 17_489)
    assert (rows["treatment"]["n"], rows["treatment"]["conversions"]) == (145_310, 17_264)
    assert round(rows["control"]["rate"], 4) == 0.1204
    assert round(rows["treatment"]["rate"], 4) == 0.1188
    z, p = proportions_ztest([17_264, 17_489], [145_310, 145_274])  # treatment - control
    assert report["z"] == pytest.approx(z, rel=1e-9)
    assert report["p_value"] == pytest.approx(p, rel=1e-9)
    assert round(report["z"], 2) == -1.31
    assert round(report["p_value"], 2) == 0.19
    assert report["srm_p_value"] > 0.001
    assert report["verdict"] == "stop"  # the interval rules out a 5% lift: keep the old page
    assert report["winner"] == "control"


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[DemoCompany, BaseBackend]]:
    company = generate("small", seed=0)
    con = warehouse.connect("duckdb://")
    for name, table in company.tables.items():
        warehouse.write_table(con, name, table)
    yield company, con
    con.disconnect()


def test_the_demo_winning_offer_is_found_with_the_planted_lift_inside_its_interval(
    demo: tuple[DemoCompany, BaseBackend],
) -> None:
    company, con = demo
    truth = company.truth("offer_lift").facts
    report = offer_analyze(con)
    assert report["experiment_id"] == truth["experiment_id"]
    assert report["control"] == truth["control"]  # found by the alphabetical rule
    assert report["verdict"] == "ship"
    assert report["winner"] == truth["treatment"]
    lift = report["lift"]
    assert lift["ci_low"] <= truth["true_absolute_lift"] <= lift["ci_high"]
    assert report["prob_best"][truth["treatment"]] > 0.99
    assert set(report) >= {"variants", "z", "p_value", "prob_best", "srm_p_value", "verdict"}
    for variant in report["variants"]:
        assert set(variant) >= {"variant", "n", "conversions", "rate", "ci_low", "ci_high"}
        planted = truth["true_conversion_rate"][variant["variant"]]
        assert variant["ci_low"] <= planted <= variant["ci_high"]
    revenue = report["revenue"]
    planted_rps = truth["true_revenue_per_subject"]
    assert revenue["difference"] > 0
    assert revenue["ci_low"] <= planted_rps[truth["treatment"]] - planted_rps[truth["control"]]


def _experiments(rows: dict[str, list[object]], con: BaseBackend | None = None) -> BaseBackend:
    con = con or warehouse.connect("duckdb://")
    warehouse.write_table(con, "experiments", pa.table(rows))
    return con


def _rows(
    variants: list[str], converted: list[object], experiment: str = "e1"
) -> dict[str, list[object]]:
    n = len(variants)
    return {
        "experiment_id": [experiment] * n,
        "subject_id": [f"s{i}" for i in range(n)],
        "variant": variants,
        "assigned_at": pd.date_range("2026-01-01", periods=n, freq="h").to_list(),
        "converted": converted,
    }


def test_an_experiment_with_one_variant_says_there_is_nothing_to_compare() -> None:
    con = _experiments(_rows(["a"] * 10, [True, False] * 5))
    with pytest.raises(UnusableDataError, match="one variant") as info:
        offer_analyze(con)
    assert "two or more variants" in info.value.hint


def test_an_empty_experiments_table_has_no_subjects() -> None:
    con = _experiments(
        {
            k: pa.array([], type=t)
            for k, t in (
                ("experiment_id", pa.string()),
                ("subject_id", pa.string()),
                ("variant", pa.string()),
                ("assigned_at", pa.timestamp("us")),
                ("converted", pa.bool_()),
            )
        }
    )
    with pytest.raises(UnusableDataError, match="no subjects") as info:
        offer_analyze(con)
    assert "coparent import experiments" in info.value.hint


def test_an_unknown_experiment_lists_the_known_ones() -> None:
    con = _experiments(_rows(["a", "b"] * 5, [True, False] * 5))
    with pytest.raises(UnusableDataError, match="no experiment 'nope'") as info:
        offer_analyze(con, experiment_id="nope")
    assert info.value.hint == "experiments: e1"


def test_converted_values_that_are_not_boolean_like_are_named() -> None:
    con = _experiments(_rows(["a", "b"] * 4, ["yes", "no", "maybe", "1", "0", "true", "2", "N"]))
    with pytest.raises(UnusableDataError, match="2 subject") as info:
        offer_analyze(con)
    assert "'maybe'" in str(info.value)
    assert "'2'" in str(info.value)
    assert "true/false" in info.value.hint


def test_converted_as_text_or_numbers_is_read_like_booleans() -> None:
    text = offer_analyze(
        _experiments(_rows(["a", "b"] * 4, ["Yes", "no", "1", "0", "true", "N", "y", "f"]))
    )
    numbers = offer_analyze(_experiments(_rows(["a", "b"] * 4, [1, 0, 1, 0, 1, 0, 1, 0])))
    assert [v["conversions"] for v in text["variants"]] == [4, 0]
    assert [v["conversions"] for v in numbers["variants"]] == [4, 0]


def test_a_missing_experiments_table_says_what_to_import() -> None:
    with pytest.raises(MissingDataError, match="experiments"):
        offer_analyze(warehouse.connect("duckdb://"))


def test_a_lopsided_split_warns_loudly_and_stops() -> None:
    variants = ["control"] * 1000 + ["new"] * 1300
    report = offer_analyze(_experiments(_rows(variants, [i % 9 == 0 for i in range(2300)])))
    assert report["sample_ratio_mismatch"]
    assert report["verdict"] == "stop"
    assert report["notes"][0].startswith("WARNING: sample ratio mismatch")
    assert report["srm_level"] == "alarm"
    assert report["srm_message"] == report["notes"][0]


def test_a_split_with_p_below_001_is_watched_in_words_without_stopping() -> None:
    # 1000 against 1125 subjects: chi-square p = 0.0067, the "0.0086 without a word".
    variants = ["control"] * 1000 + ["new"] * 1125
    report = offer_analyze(_experiments(_rows(variants, [i % 9 == 0 for i in range(2125)])))
    assert 0.001 < report["srm_p_value"] < 0.01
    assert report["srm_level"] == "watch"
    assert not report["sample_ratio_mismatch"]
    assert report["notes"][0].startswith("WATCH: the split between variants looks off (p = 0.0067")
    assert "check the assignment" in report["notes"][0]
    assert "sample ratio" not in report["verdict_reason"]


def test_without_an_id_the_latest_experiment_is_analysed_and_the_others_named() -> None:
    con = _experiments(_rows(["a", "b"] * 5, [True, False] * 5, experiment="old"))
    newer = _rows(["a", "b"] * 5, [True, True] * 5, experiment="new")
    newer["subject_id"] = [f"n{i}" for i in range(10)]
    newer["assigned_at"] = pd.date_range("2026-06-01", periods=10, freq="h").to_list()
    con.insert("experiments", pa.table(newer))
    report = offer_analyze(con)
    assert report["experiment_id"] == "new"
    assert "old" in report["notes"][0]
    assert "--experiment" in report["notes"][0]


def test_economics_and_plan_word_their_input_errors() -> None:
    with pytest.raises(OfferInputError, match="discount") as info:
        offer_economics(price=100.0, discount=20.0, margin=0.6)
    assert "--discount 0.2" in info.value.hint
    with pytest.raises(OfferInputError, match="rate"):
        offer_plan(baseline=10.0, mde=0.02)
    assert offer_plan(baseline=0.1, mde=0.02)["n_per_variant"] == 3841
    assert offer_plan(baseline=0.1, mde=0.02, variants=3)["n_per_variant"] > 3841
    never = offer_economics(price=100.0, discount=0.7, margin=0.6)
    assert never["break_even_lift"] is None
    assert "no conversion lift pays" in never["verdict"]
