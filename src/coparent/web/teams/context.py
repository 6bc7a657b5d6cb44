"""Template context for every page: who is signed in, the company, how to name the sides,
and (counted when the nav shows it) how many things wait for the signed-in person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

__all__ = ["team_context"]


def team_context(request: HttpRequest) -> dict[str, Any]:
    from coparent.app.notifications.selectors import waiting_count
    from coparent.app.teams.access import actor_for

    actor = actor_for(request)

    def waiting() -> int:  # counted only when the page shows it (the nav)
        return waiting_count(actor=actor)

    return {
        "actor": actor,
        "company": actor.company,
        "side_labels": actor.side_labels,
        "waiting_count": waiting,
    }
