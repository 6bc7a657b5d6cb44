from __future__ import annotations

from tests.web.conftest import (  # noqa: F401 - the shared demo workspace, users and clients
    demo_workspace,
    empty_workspace,
    login,
    people,
    single_team,
    workspace,
    writable_workspace,
)
