"""Golden tests on the public datasets skip locally without them, and fail under CI=true."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import in_ci, needs_shared, require_shared


def test_ci_is_read_from_the_environment() -> None:
    assert in_ci({"CI": "true"})
    assert in_ci({"CI": "1"})
    assert not in_ci({})
    assert not in_ci({"CI": "false"})


def test_a_missing_dataset_skips_locally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is not at"):
        require_shared(tmp_path / "missing.csv")
    assert needs_shared(tmp_path / "missing.csv").args == (True,)


def test_a_missing_dataset_fails_under_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="golden tests never skip"):
        require_shared(tmp_path / "missing.csv")
    assert needs_shared(tmp_path / "missing.csv").args == (False,)


def test_a_present_dataset_is_returned(tmp_path: Path) -> None:
    path = tmp_path / "here.csv"
    path.write_text("a\n")
    assert require_shared(path) == path
