"""The linters are part of the test suite, so the README's one test command runs them too."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BIN = Path(sys.executable).parent


def _run(*cmd: str) -> None:
    exe = BIN / cmd[0]
    if not exe.exists() and shutil.which(cmd[0]) is None:  # pragma: no cover
        pytest.fail(f"{cmd[0]} is not installed in the test environment")
    result = subprocess.run(
        [str(exe) if exe.exists() else cmd[0], *cmd[1:]],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lints_clean() -> None:
    _run("ruff", "check", ".")


def test_ruff_format_is_applied() -> None:
    _run("ruff", "format", "--check", ".")


def test_mypy_strict_on_src() -> None:
    _run("mypy")


def test_import_linter_contracts_hold() -> None:
    _run("lint-imports")
