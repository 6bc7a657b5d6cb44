"""Reads of the stored pairing rounds: the latest, one by number, the history, the digest's view.

`digest_pairs` and `digest_round` are the weekly digest's contract: the
round that was current on a given day (the latest created on or before it),
never creating one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from coparent.app.pairs.models import PairRound

__all__ = [
    "digest_pairs",
    "digest_round",
    "pair_history",
    "pair_round_get",
    "pair_round_latest",
    "pair_round_numbers",
    "pair_round_payload",
]


def pair_round_latest() -> PairRound | None:
    return PairRound.objects.order_by("-number").first()


def pair_round_get(*, number: int) -> PairRound | None:
    return PairRound.objects.filter(number=number).first()


def pair_round_numbers() -> list[int]:
    """Stored round numbers, newest first."""
    return list(PairRound.objects.order_by("-number").values_list("number", flat=True))


def pair_history(*, before: int | None = None) -> list[list[list[str]]]:
    """Stored rounds (before round ``before``), oldest first, each a list of groups of ids."""
    rounds = PairRound.objects.order_by("number").prefetch_related("pairs")
    if before is not None:
        rounds = rounds.filter(number__lt=before)
    return [[[str(m["person_id"]) for m in pair.members] for pair in r.pairs.all()] for r in rounds]


def _pairs(round_: PairRound) -> list[dict[str, Any]]:
    return [
        {"members": [dict(m) for m in pair.members], "agenda": list(pair.agenda)}
        for pair in round_.pairs.all()
    ]


def pair_round_payload(round_: PairRound) -> dict[str, Any]:
    """A stored round in the shape `coparent.services.pairing.pairing_round` returns, plus
    ``stored`` and ``created_at``."""
    return {
        "round": round_.number,
        "stored": True,
        "created_at": round_.created_at.isoformat(),
        "single_team": round_.single_team,
        "as_of": round_.as_of.isoformat() if round_.as_of else None,
        "notes": list(round_.notes),
        "pairs": _pairs(round_),
    }


def _current_on(on: dt.date) -> PairRound | None:
    return PairRound.objects.filter(created_at__date__lte=on).order_by("-number").first()


def digest_pairs(*, on: dt.date) -> list[dict[str, Any]]:
    """Pairs of the latest round created on or before ``on`` (none created here).

    Each item: ``{"members": [{"person_id", "name", "team", ...}], "agenda": [str]}``;
    an empty list when there is no such round.
    """
    round_ = _current_on(on)
    if round_ is None:
        return []
    return _pairs(round_)


def digest_round(*, on: dt.date) -> int | None:
    """The number of the round `digest_pairs` returns for ``on``; None when there is none."""
    round_ = _current_on(on)
    return round_.number if round_ is not None else None
