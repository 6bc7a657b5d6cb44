"""The reason taxonomy: the demo's CRM words, common CRM defaults, overrides, normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.demo import _catalog
from coparent.diagnosis.taxonomy import Taxonomy, normalise_reason

LOSS = Taxonomy.for_losses()
REJECTION = Taxonomy.for_rejections()


@pytest.mark.parametrize(
    ("reasons", "category"),
    [
        (_catalog.LOSS_REASONS_PRODUCT, "product"),
        (_catalog.LOSS_REASONS_MARKET, "market"),
        (_catalog.LOSS_REASONS_PROCESS, "process"),
    ],
)
def test_every_demo_loss_reason_lands_in_the_category_it_was_drawn_from(
    reasons: tuple[str, ...], category: str
) -> None:
    assert {r: LOSS.category(r) for r in reasons} == dict.fromkeys(reasons, category)
    assert all(LOSS.known(r) for r in reasons)


def test_the_demo_other_reason_is_unclassified_and_reported_as_unknown() -> None:
    for reason in _catalog.LOSS_REASONS_UNCLASSIFIED:
        assert LOSS.category(reason) == "unclassified"
        assert not LOSS.known(reason)


def test_every_demo_rejection_reason_is_known() -> None:
    assert {r: REJECTION.category(r) for r in _catalog.REJECTION_REASONS} == {
        "No budget": "market",
        "Not a decision maker": "process",
        "Bad contact data": "process",
        "Student / not a company": "process",
        "Existing customer": "process",
        "Competitor": "process",
        "No need": "market",
        "Duplicate": "process",
    }


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("Price", "market"),
        ("Lost to Competitor", "market"),
        ("Budget", "market"),
        ("Timing", "market"),
        ("No decision", "market"),
        ("Missing feature", "product"),
        ("Integration", "product"),
        ("Quality issues", "product"),
        ("Not a good fit", "product"),
        ("No decision maker", "process"),
        ("Unresponsive", "process"),
        ("Went dark", "process"),
        ("Long sales cycle", "process"),
        ("No follow-up", "process"),
        ("Slow response", "process"),
        ("Weak qualification", "process"),
        ("Lost contact", "process"),
    ],
)
def test_common_crm_loss_reasons_follow_the_design_taxonomy(reason: str, category: str) -> None:
    assert LOSS.category(reason) == category


def test_a_competitor_is_a_market_loss_but_a_process_rejection() -> None:
    assert (LOSS.category("Competitor"), REJECTION.category("Competitor")) == ("market", "process")


def test_the_longest_matching_phrase_wins() -> None:
    assert LOSS.category("Customer made no decision") == "market"
    assert LOSS.category("No decision maker reached") == "process"


def test_overrides_from_settings_win_and_match_like_defaults() -> None:
    custom = Taxonomy.for_losses({"Other": "market", "Procurement freeze": "market"})
    assert custom.category("OTHER.") == "market"
    assert custom.known("other")
    assert custom.category("procurement-freeze (Q3)") == "market"
    assert Taxonomy.for_losses({"Price": "process"}).category("price!") == "process"


def test_an_override_to_an_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown category"):
        Taxonomy.for_losses({"Other": "mystery"})


def test_empty_and_missing_reasons_are_unclassified() -> None:
    for reason in (None, "", "  ", "--"):
        assert LOSS.category(reason) == "unclassified"
        assert not LOSS.known(reason)


@given(st.text())
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise_reason(text)
    assert normalise_reason(once) == once


VOCABULARY = (
    _catalog.LOSS_REASONS_PRODUCT + _catalog.LOSS_REASONS_MARKET + _catalog.LOSS_REASONS_PROCESS
)


@given(
    st.sampled_from(VOCABULARY),
    st.lists(st.booleans(), min_size=40, max_size=40),
    st.sampled_from([" ", " - ", "_", ", ", "  /  ", ".", "!"]),
)
def test_category_ignores_case_and_punctuation(
    reason: str, upper: list[bool], separator: str
) -> None:
    cased = "".join(c.upper() if u else c.lower() for c, u in zip(reason, upper, strict=False))
    cased += reason[len(upper) :]
    mangled = separator.join(cased.split()) + separator
    assert LOSS.category(mangled) == LOSS.category(reason)
    assert normalise_reason(mangled) == normalise_reason(reason)
