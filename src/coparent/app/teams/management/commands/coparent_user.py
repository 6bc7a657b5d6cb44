"""``coparent_user``: create a user, list users, set a password (behind ``coparent user``).

The password arrives as an option of `call_command` from the CLI (which read
it from a prompt or standard input), so it never appears in a process list.
Prints JSON, so the CLI decides how to show it.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coparent.app.teams.selectors import api_tokens_list, owner_exists, users_list
from coparent.app.teams.services import (
    api_token_create,
    api_token_revoke,
    user_create,
    user_password_set,
)


def _message(exc: ValidationError) -> str:
    return "; ".join(str(m) for m in exc.messages)


class Command(BaseCommand):
    help = "Create a user, list users, or set a password (JSON out)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=[
                "create",
                "list",
                "set-password",
                "owner-exists",
                "token-create",
                "token-list",
                "token-revoke",
            ],
        )
        parser.add_argument("username", nargs="?", default="")
        parser.add_argument("--role", default="viewer")
        parser.add_argument("--team", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", default=None)
        parser.add_argument("--name", default="")
        parser.add_argument("--token-id", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        action, username = options["action"], options["username"]
        if action == "list":
            self.stdout.write(json.dumps(users_list()))
            return
        if action == "owner-exists":
            self.stdout.write(json.dumps(owner_exists()))
            return
        if action.startswith("token-"):
            self.stdout.write(json.dumps(self._token(action, username, options)))
            return
        if not username or options["password"] is None:
            raise CommandError(f"{action} needs a username and a password")
        try:
            if action == "create":
                m = user_create(
                    username=username,
                    role=options["role"],
                    team=options["team"],
                    email=options["email"],
                    password=options["password"],
                )
                result: dict[str, object] = {"username": username, "role": m.role, "team": m.team}
            else:
                user_password_set(username=username, password=options["password"])
                result = {"username": username}
        except ValidationError as exc:
            raise CommandError(_message(exc)) from None
        self.stdout.write(json.dumps(result))

    def _token(self, action: str, username: str, options: dict[str, Any]) -> object:
        try:
            if action == "token-list":
                return api_tokens_list(username=username or None)
            if action == "token-revoke":
                token = api_token_revoke(token_id=int(options["token_id"]))
                return {"id": token.pk, "username": token.user.get_username()}
            made, raw = api_token_create(username=username, name=options["name"])
            return {"id": made.pk, "username": username, "name": made.name, "token": raw}
        except ValidationError as exc:
            raise CommandError(_message(exc)) from None
