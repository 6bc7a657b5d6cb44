from __future__ import annotations

import pyarrow as pa

from coparent.ingest.issues import IssueCode, IssueLog
from coparent.ingest.table_checks import check_keys, check_references

from .test_checks import run, where


def test_every_repeat_of_a_key_is_reported_with_the_row_it_was_first_seen_on() -> None:
    data = {"product_id": ["a", "b", "a", "a", "b"], "name": ["n"] * 5}
    _, issues = run("products", data)
    assert where(issues) == [
        ("E208", 4, "product_id"),
        ("E208", 5, "product_id"),
        ("E208", 6, "product_id"),
    ]
    assert [i.message.rsplit(" ", 1)[-1] for i in issues] == ["2", "2", "3"]


def test_composite_keys_compare_parsed_values_not_their_spelling() -> None:
    data = {
        "opportunity_id": ["o1", "o1", "o1"],
        "stage": ["Won", "Won", "Lost"],
        "entered_at": ["2024-02-01 10:00", "2024-02-01T10:00:00.000Z", "2024-02-01 10:00"],
    }
    _, issues = run("stage_changes", data)
    assert where(issues) == [("E208", 3, "opportunity_id+stage+entered_at")]


def test_appending_reports_keys_already_in_the_warehouse() -> None:
    checked, _ = run("products", {"product_id": ["a", "b"], "name": ["n", "n"]})
    log = IssueLog(file="f.csv", max_examples=20)
    check_keys(checked, existing=pa.table({"product_id": ["b", "z"]}), log=log)
    assert where(log.issues()) == [("E208", 3, "product_id")]


def test_timestamps_out_of_order_warn_with_both_values() -> None:
    data = {
        "opportunity_id": ["o1", "o2"],
        "stage": ["s", "s"],
        "status": ["won", "won"],
        "created_at": ["2024-03-01", "2024-01-01"],
        "closed_at": ["2024-02-01", None],
        "account_id": ["a", "a"],
        "amount": ["1", "1"],
    }
    _, issues = run("opportunities", data)
    (w,) = [i for i in issues if i.code is IssueCode.W203]
    assert (w.row, w.column) == (2, "closed_at")
    assert w.message == "closed_at 2024-02-01 00:00:00 is before created_at 2024-03-01 00:00:00"


def test_references_are_checked_against_present_tables_and_warned_about_absent_ones() -> None:
    data = {
        "order_id": ["o1", "o2", "o3"],
        "account_id": ["a", "zz", None],
        "ordered_at": ["2024-01-01"] * 3,
        "amount": ["1"] * 3,
        "product_id": ["p", "p", "q"],
    }
    checked, _ = run("orders", data)
    log = IssueLog(file="f.csv", max_examples=20)

    def lookup(table: str, column: str) -> pa.Array | None:
        assert (table, column) in {("accounts", "account_id"), ("products", "product_id")}
        return pa.array(["a", "b"]) if table == "accounts" else None

    check_references(checked, lookup=lookup, log=log)
    issues = log.issues()
    assert where(issues) == [("E301", 3, "account_id"), ("W301", None, "product_id")]
    assert issues[0].message == "order for an unknown account 'zz'"
    assert issues[1].count == 3
