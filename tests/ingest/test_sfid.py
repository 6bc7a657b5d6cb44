"""Salesforce ids: the 15 -> 18 character conversion, on published examples and as properties."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.ingest.sfid import id18_suffix, looks_like_id, to_id18

ALNUM = string.ascii_letters + string.digits
ids15 = st.text(alphabet=ALNUM, min_size=15, max_size=15)


@pytest.mark.parametrize(
    ("id15", "id18"),
    [
        # Worked examples published with the algorithm (CRM-EXPORTS.md S27 and similar pages).
        ("0019000000B98de", "0019000000B98deAAB"),
        ("a0D30000001n7Pi", "a0D30000001n7PiEAI"),
        # All digits or lowercase: no bit set in any chunk.
        ("001000000000000", "001000000000000AAA"),
        # Every letter uppercase: all five bits set in each chunk -> 31 -> "5".
        ("ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNO555"),
    ],
)
def test_known_ids_convert_to_their_published_18_character_form(id15: str, id18: str) -> None:
    assert to_id18(id15) == id18
    assert to_id18(id18) == id18


def test_ids_that_differ_only_in_case_get_different_suffixes() -> None:
    # The reason the 18-character form exists: spreadsheets ignore case.
    a, b = to_id18("001A0000006Vm9r"), to_id18("001A0000006VM9r")
    assert a is not None
    assert b is not None
    assert a.lower() != b.lower()


@pytest.mark.parametrize(
    "bad", ["", "0019000000B98d", "0019000000B98de1", "0019000000B98de-AB", "0019000000B98deAAC"]
)
def test_text_that_is_not_an_id_or_has_a_wrong_checksum_gives_none(bad: str) -> None:
    assert to_id18(bad) is None


def test_an_18_character_suffix_is_compared_ignoring_case() -> None:
    assert to_id18("0019000000B98deaab") == "0019000000B98deAAB"


@given(ids15)
def test_conversion_keeps_the_id_appends_three_checksum_characters_and_is_idempotent(
    id15: str,
) -> None:
    id18 = to_id18(id15)
    assert id18 is not None
    assert len(id18) == 18
    assert id18.startswith(id15)
    assert set(id18[15:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")
    assert to_id18(id18) == id18
    assert id18_suffix(id15) == id18[15:]


@given(ids15, st.data())
def test_changing_the_case_of_a_letter_changes_the_case_safe_id(
    id15: str, data: st.DataObject
) -> None:
    letters = [i for i, c in enumerate(id15) if c.isalpha()]
    if not letters:
        return
    i = data.draw(st.sampled_from(letters))
    other = id15[:i] + id15[i].swapcase() + id15[i + 1 :]
    a, b = to_id18(id15), to_id18(other)
    assert a is not None
    assert b is not None
    assert a.lower() != b.lower()
    # and the old suffix no longer validates the changed id: the record cannot be guessed
    assert to_id18(other + a[15:]) is None


def test_names_do_not_look_like_ids_but_ids_do() -> None:
    assert looks_like_id("0055g00000XyZ1a")
    assert not looks_like_id("Jane Doe")
    assert not looks_like_id("ChristophersonX")  # 15 letters, no digit: a name
