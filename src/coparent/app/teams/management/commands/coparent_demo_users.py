"""``coparent_demo_users``: the six demo users, only in a demo workspace.

A workspace is a demo workspace when ``coparent demo`` built it (its
``demo-truths.json`` exists). Prints the users as JSON. Then runs the wins
engine once, so the demo's Wins page and scorecard open with wins.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coparent.app.common.facts import core_settings, warehouse, workspace
from coparent.app.teams.services import DEMO_PASSWORD, demo_users_create
from coparent.app.wins.services import wins_refresh
from coparent.errors import CoparentError
from coparent.services.demo import TRUTHS_FILE
from coparent.services.web_facts import people_list


def _company_name(people: list[dict[str, Any]]) -> str:
    for p in people:
        email = str(p.get("email") or "")
        if "@" in email:
            return email.split("@", 1)[1].split(".", 1)[0].capitalize()
    return "Demo company"


class Command(BaseCommand):
    help = "Create the demo users (password coparent-demo) in a demo workspace."

    def handle(self, *args: Any, **options: Any) -> None:
        ws = workspace()
        truths = ws.path / TRUTHS_FILE
        if not truths.exists():
            raise CommandError(
                f"{ws.path} is not a demo workspace (no {TRUTHS_FILE}); demo users are "
                "created only where coparent demo built the company"
            )
        single_team = bool(json.loads(truths.read_text(encoding="utf-8")).get("single_team"))
        settings = core_settings(ws)
        with warehouse(ws, settings) as con:
            people = people_list(con)
        users = demo_users_create(
            people=people, single_team=single_team, company_name=_company_name(people)
        )
        for u in users:
            u["password"] = DEMO_PASSWORD
        _find_wins(self.stderr)
        self.stdout.write(json.dumps(users))


def _find_wins(err: Any) -> None:
    """Run the wins engine once, so the demo opens with its wins; a problem is only reported."""
    try:
        wins_refresh(force=True)
    except CoparentError as exc:
        err.write(f"wins were not looked for: {exc.message}\n")
