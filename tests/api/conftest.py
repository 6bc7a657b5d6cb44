from __future__ import annotations

from tests.web.conftest import (  # noqa: F401 - fixtures shared with the web tests
    demo_workspace,
    empty_workspace,
    login,
    people,
    workspace,
)
