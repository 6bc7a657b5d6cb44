"""Fixtures for the web tests: a demo workspace built once, users in every role, clients.

The demo is the ``small`` company built through the import path into a
temporary workspace (a few seconds, once per run). Tests that write to the
warehouse take `writable_workspace`, a copy of it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from coparent.services.demo import demo_build
from coparent.services.winback import winback_list_create
from coparent.workspace import Workspace

ROLES: dict[str, tuple[str, str]] = {
    "owner": ("owner", ""),
    "champion_sales": ("champion", "sales"),
    "champion_marketing": ("champion", "marketing"),
    "member_sales": ("member", "sales"),
    "member_marketing": ("member", "marketing"),
    "viewer": ("viewer", ""),
}
PASSWORD = "a-long-test-password"


WINBACK_LIST = "wb-2026-09-30-1"


def build_demo(path: Path, *, single_team: bool = False, winback: bool = True) -> Path:
    """The small demo company, and (``winback``) a frozen win-back list with a 10% holdout."""
    ws = Workspace(path)
    ws.init()
    demo_build(ws, settings=ws.settings(), scale="small", seed=0, single_team=single_team)
    if winback:
        con = ws.connect(ws.settings())
        try:
            winback_list_create(con, workspace=ws, top=40, holdout_share=0.1, seed=7)
        finally:
            con.disconnect()
    return path


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per run even when several test folders import this fixture."""
    path = tmp_path_factory.getbasetemp() / "coparent-demo-ws"
    if not (path / "demo-truths.json").exists():
        build_demo(path)
    return path


@pytest.fixture
def workspace(settings: Any, demo_workspace: Path) -> Path:
    """Point the app at the shared demo workspace (read-only use)."""
    settings.COPARENT_WORKSPACE = str(demo_workspace)
    return demo_workspace


@pytest.fixture
def writable_workspace(settings: Any, demo_workspace: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace, for tests that import into the warehouse."""
    path = tmp_path / "ws"
    shutil.copytree(demo_workspace, path, ignore=shutil.ignore_patterns("demo-export"))
    settings.COPARENT_WORKSPACE = str(path)
    return path


@pytest.fixture
def empty_workspace(settings: Any, tmp_path: Path) -> Path:
    """A workspace with settings but no data at all."""
    path = tmp_path / "empty"
    Workspace(path).init()
    settings.COPARENT_WORKSPACE = str(path)
    return path


def make_user(username: str, role: str, team: str = "", **extra: Any) -> Any:
    from coparent.app.teams.models import Membership

    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        email=extra.pop("email", f"{username}@example.com"),
        first_name=extra.pop("first_name", username.replace("_", " ").title()),
        **extra,
    )
    Membership.objects.create(user=user, role=role, team=team)
    return user


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    """One user per role (keys of `ROLES`)."""
    return {name: make_user(name, role, team) for name, (role, team) in ROLES.items()}


@pytest.fixture
def login(client: Client, people: dict[str, Any]) -> Callable[[str], Client]:
    def as_role(role: str) -> Client:
        client.logout()
        if role != "anonymous":
            client.force_login(people[role])
        return client

    return as_role


@pytest.fixture
def single_team(db: None) -> Iterator[None]:
    from coparent.app.teams.services import company_update

    company_update(name="One Team Co", single_team=True)
    return
