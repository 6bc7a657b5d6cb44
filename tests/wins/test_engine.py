"""The engine: rules on and off, the lookback, early days, one win per key in any input order."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.errors import SettingsError
from coparent.settings import load_settings
from coparent.wins import (
    RULE_NAMES,
    RULES,
    AppData,
    FactRows,
    FeedbackAnswer,
    WinsConfig,
    detect_wins,
    wins_config,
)
from tests.conftest import REPO
from tests.wins._rows import deal, rows


def _app(setup: date | None = None) -> AppData:
    brief = FeedbackAnswer(
        "5",
        "campaign_brief",
        "Webinar on KPI trees",
        "sales",
        datetime(2026, 7, 2, 9),
        datetime(2026, 7, 2, 15),
        "Ana Rep",
        "Bo Marketer",
        "marketing",
    )
    return AppData(setup_on=setup, answers=(brief,))


DEALS = [
    deal("O1", datetime(2026, 7, 1), 100),
    deal("O2", datetime(2026, 7, 8), 300, campaign="C1", campaign_owner="P1"),
]


def test_every_rule_is_on_by_default_and_settings_turn_rules_off_by_name() -> None:
    assert wins_config(load_settings()).enabled == frozenset(RULE_NAMES)
    config = wins_config(load_settings(overrides={"wins_rules_off": '["deal_won"]'}))
    assert not config.on("deal_won")
    kinds = {w.kind for w in detect_wins(rows(won_deals=DEALS), _app(), config)}
    assert "deal_won" not in kinds
    assert "biggest_deal" in kinds  # O2 beat O1, and Q3 is over on 1 Oct
    with pytest.raises(SettingsError, match="unknown rule"):
        wins_config(load_settings(overrides={"wins_rules_off": '["deals"]'}))


def test_every_rule_has_a_paragraph_in_docs_wins() -> None:
    text = (REPO / "docs" / "wins.md").read_text()
    missing = [r.name for r in RULES if f"`{r.name}`" not in text]
    assert not missing, f"rules without a paragraph in docs/wins.md: {missing}"


def test_early_days_mode_adds_firsts_only_when_on_and_only_after_setup() -> None:
    facts = rows(won_deals=DEALS)
    on = {w.kind for w in detect_wins(facts, _app(date(2026, 7, 1)), WinsConfig())}
    assert {"first_joint_win", "first_answered_brief"} <= on
    off = {
        w.kind for w in detect_wins(facts, _app(date(2026, 7, 1)), WinsConfig(early_days_weeks=0))
    }
    assert not off & {"first_joint_win", "first_answered_brief", "first_accepted_mql"}
    assert "fast_answer" in off  # the brief's 6-hour answer still counts, as a fast answer
    none = {w.kind for w in detect_wins(facts, _app(None), WinsConfig())}
    assert not none & {"first_joint_win", "first_answered_brief"}


def test_wins_dated_before_the_lookback_are_left_out() -> None:
    facts = rows(won_deals=DEALS, since=date(2026, 7, 5))
    keys = {w.key for w in detect_wins(facts, AppData(), WinsConfig())}
    assert "deal_won:O2" in keys
    assert "deal_won:O1" not in keys


def test_wins_come_newest_first_with_one_win_per_key() -> None:
    found = detect_wins(rows(won_deals=DEALS + DEALS[:1]), _app(date(2026, 7, 1)), WinsConfig())
    keys = [w.key for w in found]
    assert len(keys) == len(set(keys))
    assert [w.date for w in found] == sorted((w.date for w in found), reverse=True)


amounts = st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=14)


@given(amounts=amounts, seed=st.integers(0, 2**16), campaign_mask=st.integers(0, 2**14))
def test_the_same_facts_in_any_order_give_the_same_wins(
    amounts: list[int], seed: int, campaign_mask: int
) -> None:
    start = datetime(2026, 5, 1)
    deals = [
        deal(
            f"O{i}",
            start + timedelta(days=5 * i),
            float(a * 100),
            campaign="C1" if campaign_mask >> i & 1 else None,
            campaign_owner="P1" if campaign_mask >> i & 1 else None,
        )
        for i, a in enumerate(amounts)
    ]
    months: dict[date, float] = {}
    for d in deals:
        m = d["closed_at"].date().replace(day=1)
        months[m] = months.get(m, 0.0) + d["amount"]
    monthly = [{"month": m, "revenue": r, "deals": 1} for m, r in months.items()]
    shuffled = deals[:]
    random.Random(seed).shuffle(shuffled)
    base = rows(won_deals=deals, monthly_revenue=monthly, since=date(2026, 1, 1))
    again = FactRows(
        until=base.until,
        since=base.since,
        won_deals=tuple(shuffled),
        monthly_revenue=tuple(reversed(monthly)),
    )
    config = WinsConfig(record_month_min_months=1)
    app = AppData(setup_on=date(2026, 5, 1))
    first = detect_wins(base, app, config)
    assert first == detect_wins(again, app, config)
    assert first == detect_wins(base, app, config)  # and twice in a row
