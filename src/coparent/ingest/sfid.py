"""Salesforce record ids: 15-character (case-sensitive) and 18-character (case-safe) forms.

Reports show 15-character ids, where ``001A0000006Vm9r`` and ``001A0000006VM9r``
are different records; the API and Data Loader give 18 characters, whose last
three encode the case of the first fifteen so that tools which ignore case
still tell them apart. Importers normalise every id to 18 characters, so a
report export and an API export of the same org join.

The suffix: split the 15 characters into three chunks of five; in each chunk
character *i* (0-4) contributes ``2**i`` when it is an uppercase A-Z; the
chunk's number (0-31) indexes ``ABCDEFGHIJKLMNOPQRSTUVWXYZ012345``.

>>> to_id18("0019000000B98de")
'0019000000B98deAAB'
>>> to_id18("a0D30000001n7Pi")
'a0D30000001n7PiEAI'
>>> to_id18("a0D30000001n7PiEAI")
'a0D30000001n7PiEAI'
>>> to_id18("a0D30000001n7pieai") is None   # case lost: the checksum no longer matches
True
"""

from __future__ import annotations

import re

__all__ = ["id18_suffix", "looks_like_id", "to_id18"]

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SHAPE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")


def id18_suffix(id15: str) -> str:
    """The three case-encoding characters of a 15-character id."""
    if len(id15) != 15:
        raise ValueError(f"expected 15 characters, got {len(id15)}: {id15!r}")
    out = []
    for start in (0, 5, 10):
        bits = sum(1 << i for i, ch in enumerate(id15[start : start + 5]) if "A" <= ch <= "Z")
        out.append(_ALPHABET[bits])
    return "".join(out)


def looks_like_id(text: str) -> bool:
    """15 or 18 letters and digits with at least one digit (names rarely have one)."""
    return bool(_SHAPE.match(text)) and any(c.isdigit() for c in text)


def to_id18(text: str) -> str | None:
    """The 18-character form of a 15- or 18-character id; None when it is not a valid id.

    An 18-character id is valid when its suffix matches its first fifteen
    characters (compared ignoring case, as Salesforce itself does); a
    mismatch means the id's case was changed on the way (a spreadsheet that
    upper-cased it), so the record it names can no longer be known.
    """
    if not _SHAPE.match(text):
        return None
    head = text[:15]
    suffix = id18_suffix(head)
    if len(text) == 15:
        return head + suffix
    return head + suffix if text[15:].upper() == suffix else None
