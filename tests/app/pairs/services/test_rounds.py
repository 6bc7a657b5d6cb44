"""Storing rounds: numbering, history against repeats, the digest's contract, a lost race."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from coparent.app.pairs import services
from coparent.app.pairs.models import PairRound
from coparent.app.pairs.selectors import (
    digest_pairs,
    digest_round,
    pair_history,
    pair_round_payload,
)

pytestmark = pytest.mark.django_db


def _cross(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {(g[0], other) for g in groups for other in g[1:]}


def test_rounds_are_numbered_stored_with_agendas_and_the_second_avoids_the_firsts_pairs(
    workspace: Path,
) -> None:
    first = services.pair_round_create()
    second = services.pair_round_create()
    assert (first.number, second.number) == (1, 2)
    payload = pair_round_payload(first)
    people = [m["person_id"] for p in payload["pairs"] for m in p["members"]]
    assert len(people) == len(set(people)) == 17  # the demo's active people
    assert len(payload["pairs"]) == 6  # one group per marketer
    assert all(p["agenda"] for p in payload["pairs"])
    assert payload["as_of"] == "2026-09-30"
    one, two = pair_history()
    assert not _cross(one) & _cross(two)


def test_the_digest_sees_the_round_current_on_a_day_and_never_creates_one(
    workspace: Path,
) -> None:
    assert digest_pairs(on=date(2026, 10, 5)) == []
    assert digest_round(on=date(2026, 10, 5)) is None
    assert PairRound.objects.count() == 0
    services.pair_round_create(now=datetime(2026, 10, 5, 9, tzinfo=UTC))
    services.pair_round_create(now=datetime(2026, 10, 12, 9, tzinfo=UTC))
    assert digest_round(on=date(2026, 10, 4)) is None
    assert digest_round(on=date(2026, 10, 5)) == 1
    assert digest_round(on=date(2026, 10, 11)) == 1
    assert digest_round(on=date(2026, 10, 30)) == 2
    pairs = digest_pairs(on=date(2026, 10, 11))
    assert pairs == pair_round_payload(PairRound.objects.get(number=1))["pairs"]
    member = pairs[0]["members"][0]
    assert {"person_id", "name", "team"} <= set(member)
    assert all(isinstance(line, str) for p in pairs for line in p["agenda"])


def test_starting_a_round_someone_else_just_started_is_refused_not_duplicated(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.pair_round_create()
    monkeypatch.setattr(services, "pair_round_latest", lambda: None)  # a stale read
    with pytest.raises(ValidationError, match="round 1 was just started"):
        services.pair_round_create()
    assert PairRound.objects.count() == 1
