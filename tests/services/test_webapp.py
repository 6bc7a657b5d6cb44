"""What the CLI calls to run the web app: prepare, demo users, serve (each in a fresh process).

Django is configured once per process, so each case runs in a subprocess with
the production settings module, as ``coparent serve`` does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests._processes import clean_env
from tests.web.conftest import build_demo


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("webapp-demo"))


def test_prepare_migrates_the_app_database_and_demo_users_are_created(demo_ws: Path) -> None:
    result = _python(
        "import json; from pathlib import Path; from coparent.workspace import Workspace;"
        "from coparent.services.webapp import demo_users_create;"
        f"print(json.dumps(demo_users_create(Workspace(Path({str(demo_ws)!r})))))"
    )
    assert result.returncode == 0, result.stderr
    users = json.loads(result.stdout)
    assert [u["username"] for u in users] == [
        "ceo",
        "sales-lead",
        "marketing-lead",
        "rep",
        "marketer",
        "guest",
    ]
    assert {u["password"] for u in users} == {"coparent-demo"}
    assert (demo_ws / "app.sqlite3").exists()
    assert (demo_ws / "secret_key").stat().st_mode & 0o777 == 0o600


def test_demo_users_are_refused_outside_a_demo_workspace(tmp_path: Path) -> None:
    from coparent.workspace import Workspace

    Workspace(tmp_path).init()
    result = _python(
        "from pathlib import Path; from coparent.workspace import Workspace;"
        "from coparent.errors import WorkspaceError;"
        "from coparent.services.webapp import demo_users_create\n"
        "try:\n"
        f"    demo_users_create(Workspace(Path({str(tmp_path)!r})))\n"
        "except WorkspaceError as exc:\n"
        "    print('refused:', exc)\n"
    )
    assert result.returncode == 0, result.stderr
    assert "refused:" in result.stdout
    assert "not a demo workspace" in result.stdout
