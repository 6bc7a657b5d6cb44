"""The frozen win-back list: a ranked list with its holdout, as the JSON document it is stored as.

`freeze` turns ranked accounts into the document that ``coparent winback
create`` writes to ``<workspace>/winback/<id>.json`` and the web app reads
(format below and in docs/starter-projects.md); `problem` says what is wrong
with a document read back, if anything. The holdout is drawn by
`coparent.models.holdout.assign_holdout`, reproducible from the stored seed.

Format (version 1)::

    {"format": "coparent.winback-list", "version": 1,
     "id": "wb-2026-09-30-1", "created_at": "2026-10-02T09:30:00Z",
     "as_of": "2026-09-30", "method": "bgnbd" | "rfm", "horizon_days": 365.0,
     "seed": 42, "holdout_share": 0.1, "holdout_design": "...",
     "members": [{"rank", "account_id", "account_name", "value_at_stake", "p_alive",
                  "owner_id", "owner_name", "reason", "group": "contacted" | "holdout"}]}

Examples
--------
>>> from datetime import datetime
>>> ranked = [{"rank": i + 1, "account_id": f"A{i}", "account_name": None,
...            "value_at_stake": 10.0 - i, "p_alive": 0.1, "owner_id": None,
...            "owner_name": None, "reason": "..."} for i in range(10)]
>>> doc = freeze(ranked, list_id="wb-2026-09-30-1", as_of="2026-09-30", method="bgnbd",
...              horizon_days=365.0, seed=7, holdout_share=0.2,
...              created_at=datetime(2026, 10, 2, 9, 30))
>>> [m["account_id"] for m in doc["members"] if m["group"] == "holdout"]
['A4', 'A8']
>>> problem(doc) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from coparent.models.holdout import assign_holdout

__all__ = ["HOLDOUT_DESIGN", "LIST_FORMAT", "LIST_VERSION", "MEMBER_FIELDS", "freeze", "problem"]

LIST_FORMAT = "coparent.winback-list"
LIST_VERSION = 1
HOLDOUT_DESIGN = "one account held out per block of consecutive ranks (numpy default_rng(seed))"
MEMBER_FIELDS = (
    "rank",
    "account_id",
    "account_name",
    "value_at_stake",
    "p_alive",
    "owner_id",
    "owner_name",
    "reason",
)
"""Fields copied from each ranked account; ``group`` is added."""

_REQUIRED = ("id", "created_at", "as_of", "method", "seed", "holdout_share", "members")


def freeze(
    accounts: Sequence[Mapping[str, Any]],
    *,
    list_id: str,
    as_of: str,
    method: str,
    horizon_days: float,
    seed: int,
    holdout_share: float,
    created_at: datetime,
) -> dict[str, Any]:
    """The list document for ``accounts`` in rank order, with the seeded holdout marked."""
    held = assign_holdout(len(accounts), share=holdout_share, seed=seed)
    members = [
        {**{k: a[k] for k in MEMBER_FIELDS}, "group": "holdout" if h else "contacted"}
        for a, h in zip(accounts, held.tolist(), strict=True)
    ]
    stamp = created_at.replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    return {
        "format": LIST_FORMAT,
        "version": LIST_VERSION,
        "id": list_id,
        "created_at": stamp,
        "as_of": as_of,
        "method": method,
        "horizon_days": horizon_days,
        "seed": seed,
        "holdout_share": holdout_share,
        "holdout_design": HOLDOUT_DESIGN,
        "members": members,
    }


def problem(document: Any) -> str | None:
    """What makes ``document`` unusable as a win-back list, or None."""
    if not isinstance(document, dict) or document.get("format") != LIST_FORMAT:
        return "is not a coparent win-back list"
    if document.get("version") != LIST_VERSION:
        return (
            f"has version {document.get('version')!r}; this coparent reads version {LIST_VERSION}"
        )
    missing = [k for k in _REQUIRED if k not in document]
    if missing:
        return "lacks " + ", ".join(missing)
    members = document["members"]
    if not isinstance(members, list) or not all(
        isinstance(m, dict) and "account_id" in m and m.get("group") in ("contacted", "holdout")
        for m in members
    ):
        return "has members without an account_id or a contacted/holdout group"
    return None
