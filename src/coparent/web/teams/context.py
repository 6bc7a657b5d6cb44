"""Template context for every page: who is signed in, the company, and how to name the sides."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

__all__ = ["team_context"]


def team_context(request: HttpRequest) -> dict[str, Any]:
    from coparent.app.teams.access import actor_for

    actor = actor_for(request)
    return {"actor": actor, "company": actor.company, "side_labels": actor.side_labels}
