from __future__ import annotations

from tests.web.conftest import (  # noqa: F401 - the shared demo workspace and app users
    demo_workspace,
    people,
    workspace,
    writable_workspace,
)
