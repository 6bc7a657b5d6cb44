"""Pairing writes: start the next round (stored with its agenda; round 1 when none is).

The next round is computed by `coparent.services.pairing.pairing_round` over
the people active *now*, with every stored round as history, so repeats are
avoided even when people joined or left (docs/pairing.md gives the rule).
Two people starting a round at once: the second is refused, not duplicated.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coparent.app.common.facts import core_settings, warehouse, workspace
from coparent.app.pairs.models import Pair, PairRound
from coparent.app.pairs.selectors import pair_history, pair_round_latest
from coparent.app.teams.access import Actor
from coparent.app.teams.models import Company
from coparent.services.pairing import pairing_round
from coparent.settings import Settings
from coparent.workspace import Workspace

__all__ = ["pair_round_compute", "pair_round_create"]


def _single_team() -> bool | None:
    """True when the company says one team; else None: the people table decides."""
    company = Company.objects.order_by("pk").first()
    return True if company is not None and company.single_team else None


def pair_round_compute(
    *,
    number: int,
    history: list[list[list[str]]] | None = None,
    ws: Workspace | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Round ``number`` computed from the warehouse (not stored): the rotation, or with
    ``history`` the next round after it."""
    ws = ws or workspace()
    settings = settings or core_settings(ws)
    with warehouse(ws, settings) as con:
        return pairing_round(con, number=number, single_team=_single_team(), history=history)


def pair_round_create(
    *,
    actor: Actor | None = None,
    ws: Workspace | None = None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> PairRound:
    """Store the next round (latest + 1, or 1) with its agenda; repeats avoided with history."""
    latest = pair_round_latest()
    number = latest.number + 1 if latest is not None else 1
    plan = pair_round_compute(number=number, history=pair_history(), ws=ws, settings=settings)
    try:
        with transaction.atomic():
            round_ = PairRound.objects.create(
                number=number,
                created_at=now or timezone.now(),
                created_by=actor.user if actor is not None and actor.authenticated else None,
                single_team=plan["single_team"],
                as_of=date.fromisoformat(plan["as_of"]) if plan["as_of"] else None,
                notes=plan["notes"],
            )
            Pair.objects.bulk_create(
                Pair(round=round_, position=i, members=p["members"], agenda=p["agenda"])
                for i, p in enumerate(plan["pairs"])
            )
    except IntegrityError:
        raise ValidationError(
            f"round {number} was just started by someone else: reload to see it"
        ) from None
    return round_
