"""The pairs page's context: the round shown, the signed-in person's own group first."""

from __future__ import annotations

from typing import Any

from coparent.app.pairs.selectors import (
    pair_round_get,
    pair_round_latest,
    pair_round_numbers,
    pair_round_payload,
)
from coparent.app.teams.access import Actor

__all__ = ["pairs_page"]


def pairs_page(*, actor: Actor, number: int | None = None) -> dict[str, Any]:
    """Round ``number`` (default: the latest stored), with ``mine`` marking the actor's group."""
    round_ = pair_round_get(number=number) if number is not None else pair_round_latest()
    payload = pair_round_payload(round_) if round_ is not None else None
    mine = None
    if payload is not None:
        for pair in payload["pairs"]:
            pair["mine"] = bool(actor.person_id) and any(
                m["person_id"] == actor.person_id for m in pair["members"]
            )
            pair["sides"] = {
                side: [m for m in pair["members"] if m.get("side") == side]
                for side in ("marketing", "sales")
            }
            if pair["mine"]:
                mine = pair
    numbers = pair_round_numbers()
    return {
        "round": payload,
        "mine": mine,
        "numbers": numbers,
        "latest": numbers[0] if numbers else None,
        "linked": bool(actor.person_id),
        "may_start": actor.may("assign"),
    }
