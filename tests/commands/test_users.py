"""``coparent user`` and ``coparent manage``: the first owner of a real company, from nothing.

Each step runs as its own process, as a user types it: Django is configured
once per process, for one workspace.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests._processes import run_coparent as coparent

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("users") / "ws"
    assert coparent("init", "-w", str(path)).returncode == 0
    made = coparent(
        "user", "create", "ceo", "--role", "owner", "--password-stdin", "-w", str(path),
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "Created ceo: owner." in made.stdout
    return str(path)


def test_the_first_owner_is_listed_and_can_sign_in_through_django(ws: str) -> None:
    users = json.loads(coparent("user", "list", "--json", "-w", ws).stdout)
    assert [(u["username"], u["role"], u["team"]) for u in users] == [("ceo", "owner", "")]
    code = (
        "from django.contrib.auth import authenticate;"
        f"print(authenticate(username='ceo', password={PASSWORD!r}) is not None)"
    )
    check = coparent("manage", "-w", ws, "shell", "-c", code)
    assert check.returncode == 0, check.stderr
    assert check.stdout.split()[-1] == "True"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["create", "bob", "--role", "member", "--team", "sales"], "short\n", "too short"),
        (["create", "bob", "--role", "champion"], PASSWORD + "\n", "champions Sales or Marketing"),
        (["create", "ceo", "--role", "viewer"], PASSWORD + "\n", "exists already"),
        (["create", "bob", "--role", "owner", "--team", "sales"], PASSWORD + "\n", "no team"),
        (["create", "bob", "--role", "viewer"], "\n", "no password on standard input"),
        (["set-password", "nobody"], PASSWORD + "\n", "no user named 'nobody'"),
    ],
)
def test_what_cannot_be_done_is_one_line_exit_1_and_changes_nothing(
    ws: str, args: list[str], stdin: str, message: str
) -> None:
    result = coparent("user", *args, "--password-stdin", "-w", ws, stdin=stdin)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    users = json.loads(coparent("user", "list", "--json", "-w", ws).stdout)
    assert [u["username"] for u in users] == ["ceo"]


def test_a_new_password_replaces_the_old_one(tmp_path: Path) -> None:
    path = str(tmp_path / "ws")
    coparent("init", "-w", path)
    coparent("user", "create", "ana", "--role", "champion", "--team", "marketing",
             "--password-stdin", "-w", path, stdin=PASSWORD + "\n")  # fmt: skip
    changed = coparent(
        "user", "set-password", "ana", "--password-stdin", "-w", path, stdin="a newer passphrase\n"
    )
    assert changed.returncode == 0, changed.stderr
    code = (
        "from django.contrib.auth import authenticate as a;"
        f"print(a(username='ana', password={PASSWORD!r}),"
        " a(username='ana', password='a newer passphrase'))"
    )
    check = coparent("manage", "-w", path, "shell", "-c", code)
    assert check.stdout.split()[-2:] == ["None", "ana"]


def test_user_needs_an_existing_workspace(tmp_path: Path) -> None:
    result = coparent("user", "list", "-w", str(tmp_path / "none"))
    assert result.returncode == 1
    assert "no workspace at" in result.stderr


def test_demo_without_serving_creates_the_demo_users_too(tmp_path: Path) -> None:
    path = str(tmp_path / "demo")
    result = coparent("demo", "-w", path, "--scale", "leads=300,accounts=100", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert f"coparent serve --workspace {path}" in result.stdout
    users = json.loads(coparent("user", "list", "--json", "-w", path).stdout)
    assert {u["username"] for u in users} == {
        "ceo",
        "sales-lead",
        "marketing-lead",
        "rep",
        "marketer",
        "guest",
    }


def test_tokens_are_made_listed_without_their_secret_and_revoked(ws: str) -> None:
    made = coparent("user", "token", "create", "ceo", "--name", "BI", "--json", "-w", ws)
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)
    assert token["token"].startswith("cpt_")
    listed = coparent("user", "token", "list", "ceo", "--json", "-w", ws)
    rows = json.loads(listed.stdout)
    assert [(r["id"], r["name"], r["revoked_at"]) for r in rows] == [(token["id"], "BI", None)]
    assert token["token"] not in listed.stdout
    revoked = coparent("user", "token", "revoke", str(token["id"]), "-w", ws)
    assert revoked.returncode == 0, revoked.stderr
    rows = json.loads(coparent("user", "token", "list", "--json", "-w", ws).stdout)
    assert rows[0]["revoked_at"] is not None
    missing = coparent("user", "token", "revoke", "999", "-w", ws)
    assert missing.returncode == 1
    assert "no API token 999" in missing.stderr
