"""``coparent user``: the people who sign in, from the command line.

The first owner of a real company is made here (``coparent user create ceo
--role owner``); everyone else can then be invited from Setup. Passwords are
read from a hidden prompt, or from standard input with ``--password-stdin``
(for scripts), never from an option that a process list would show.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from coparent.commands._shared import JsonOpt, WorkspaceOpt, out, print_json
from coparent.errors import WorkspaceError
from coparent.workspace import Workspace, resolve_workspace_path

__all__ = ["app"]

app = typer.Typer(
    help="People who sign in: create the first owner, list users, set a password.",
    no_args_is_help=True,
)


class RoleChoice(str, Enum):
    owner = "owner"
    champion = "champion"
    member = "member"
    viewer = "viewer"


class TeamChoice(str, Enum):
    sales = "sales"
    marketing = "marketing"
    both = "both"


PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from standard input (its first line)."
    ),
]


def _workspace(workspace: Path | None) -> Workspace:
    ws = Workspace(resolve_workspace_path(workspace))
    if not ws.exists():
        raise WorkspaceError(
            f"no workspace at {ws.path}",
            hint=f"create one first: coparent init --workspace {ws.path}",
        )
    return ws


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise WorkspaceError(
                "no password on standard input", hint="echo 'a long passphrase' | coparent ..."
            )
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[RoleChoice, typer.Option("--role", help="What the user may do.")],
    team: Annotated[
        TeamChoice | None,
        typer.Option("--team", help="The team (champions and members; not owners or viewers)."),
    ] = None,
    email: Annotated[str, typer.Option("--email", help="Email for the digest.")] = "",
    password_stdin: PasswordStdinOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Create a user who can sign in at once (the first owner, say)."""
    from coparent.services.webapp import user_command

    ws = _workspace(workspace)
    password = _password(password_stdin)
    made = user_command(
        ws,
        "create",
        username,
        role=role.value,
        team=team.value if team else "",
        email=email,
        password=password,
    )
    team_text = f" ({made['team']})" if made["team"] else ""
    out.print(f"Created {made['username']}: {made['role']}{team_text}.")


@app.command("list")
def list_(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Every user, their role and team."""
    from coparent.services.webapp import user_command

    users = user_command(_workspace(workspace), "list")
    if as_json:
        print_json(users)
        return
    if not users:
        out.print("No users yet: coparent user create NAME --role owner")
        return
    grid = RichTable("username", "role", "team", "email", "active", "last sign-in")
    for u in users:
        grid.add_row(
            u["username"],
            u["role"],
            u["team"] or "-",
            u["email"] or "-",
            "yes" if u["active"] else "no",
            u["last_login"] or "never",
        )
    out.print(grid)


@app.command("set-password")
def set_password(
    username: Annotated[str, typer.Argument(help="The user.")],
    password_stdin: PasswordStdinOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Give a user a new password."""
    from coparent.services.webapp import user_command

    ws = _workspace(workspace)
    user_command(ws, "set-password", username, password=_password(password_stdin))
    out.print(f"The password of {username} is changed.")


token_app = typer.Typer(
    help="Personal API tokens for scripts and BI tools (Authorization: Bearer ...).",
    no_args_is_help=True,
)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="Whose token: it acts with their role.")],
    name: Annotated[str, typer.Option("--name", help="What it is for, e.g. 'Power BI'.")] = "",
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a token; it is printed once, and only its digest is kept."""
    from coparent.services.webapp import user_command

    made = user_command(_workspace(workspace), "token-create", username, name=name)
    if as_json:
        print_json(made)
        return
    out.print(f"Token {made['id']} for {made['username']} ({made['name']}):")
    out.print(made["token"])
    out.print("Copy it now: it is not shown again. Send it as: Authorization: Bearer <token>")


@token_app.command("list")
def token_list(
    username: Annotated[str, typer.Argument(help="Only this user's tokens.")] = "",
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tokens with their user, name, first characters, last use; never the secret."""
    from coparent.services.webapp import user_command

    tokens = user_command(_workspace(workspace), "token-list", username)
    if as_json:
        print_json(tokens)
        return
    grid = RichTable("id", "user", "name", "starts with", "made", "last used", "revoked")
    for t in tokens:
        grid.add_row(
            str(t["id"]),
            t["username"],
            t["name"],
            t["prefix"] + "…",
            t["created_at"][:16],
            (t["last_used_at"] or "never")[:16],
            (t["revoked_at"] or "-")[:16],
        )
    out.print(grid)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (coparent user token list).")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Revoke a token: the API answers 401 to it from now on."""
    from coparent.services.webapp import user_command

    done = user_command(_workspace(workspace), "token-revoke", token_id=str(token_id))
    out.print(f"Token {done['id']} of {done['username']} is revoked.")
