from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone

import pytest

from coparent.models.winback_list import LIST_FORMAT, MEMBER_FIELDS, freeze, problem


def _ranked(n: int) -> list[dict[str, object]]:
    return [
        {
            "rank": i + 1,
            "account_id": f"A{i}",
            "account_name": f"Account {i}",
            "value_at_stake": 100.0 - i,
            "p_alive": 0.05,
            "owner_id": "P1",
            "owner_name": "Ann",
            "reason": "bought ...",
            "orders": 9,  # not stored
        }
        for i in range(n)
    ]


def _freeze(n: int = 30, seed: int = 11, created: datetime | None = None) -> dict[str, object]:
    return freeze(
        _ranked(n),
        list_id="wb-2026-09-30-1",
        as_of="2026-09-30",
        method="bgnbd",
        horizon_days=365.0,
        seed=seed,
        holdout_share=0.1,
        created_at=created or datetime(2026, 10, 2, 9, 30, 5, 123, tzinfo=UTC),
    )


def test_a_frozen_list_keeps_rank_order_and_marks_the_seeded_holdout() -> None:
    doc = _freeze()
    members = doc["members"]
    assert isinstance(members, list)
    assert [m["rank"] for m in members] == list(range(1, 31))
    assert set(members[0]) == {*MEMBER_FIELDS, "group"}
    assert sum(m["group"] == "holdout" for m in members) == 3
    assert doc["created_at"] == "2026-10-02T09:30:05Z"
    assert doc["format"] == LIST_FORMAT
    assert doc["seed"] == 11
    same = _freeze()
    assert [m["group"] for m in same["members"]] == [m["group"] for m in members]


def test_created_at_is_stored_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    doc = _freeze(created=datetime(2026, 10, 2, 11, 30, tzinfo=paris).astimezone(UTC))
    assert doc["created_at"] == "2026-10-02T09:30:00Z"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other"), "is not a coparent win-back list"),
        (lambda d: d.update(version=2), "has version 2"),
        (lambda d: d.pop("seed"), "lacks seed"),
        (lambda d: d["members"][0].update(group="maybe"), "contacted/holdout group"),
    ],
)
def test_a_damaged_document_says_what_is_wrong(change, message: str) -> None:
    doc = copy.deepcopy(_freeze())
    assert problem(doc) is None
    change(doc)
    assert message in (problem(doc) or "")
    assert problem(["not", "a", "dict"]) == "is not a coparent win-back list"
