"""Fixtures for the attribution tests: the peer's example data, the peer itself, golden files."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from coparent.models.attribution import UniquePaths, read_path_file
from coparent.settings import Settings
from tests.conftest import REPO, require_shared

GOLDEN = REPO / "tests" / "data" / "golden" / "attribution"


@pytest.fixture(scope="session")
def data_csv() -> Path:
    """ChannelAttribution's example paths (../shared/data), never copied into the repository."""
    path = REPO.parent / "shared" / "data" / "channel-attribution-paths" / "Data.csv"
    return require_shared(path, "ChannelAttribution example paths").resolve()


@pytest.fixture(scope="session")
def data_frame(data_csv: Path) -> pd.DataFrame:
    return pd.read_csv(data_csv, sep=";")


@pytest.fixture(scope="session")
def data_paths(data_csv: Path) -> UniquePaths:
    return read_path_file(data_csv, settings=Settings()).paths


@pytest.fixture(scope="session")
def peer() -> ModuleType:
    """ChannelAttribution (test-only peer), imported with its stdout banner swallowed."""
    with contextlib.redirect_stdout(io.StringIO()):
        import ChannelAttribution
    return ChannelAttribution


def quietly(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Call a ChannelAttribution function; it prints progress and banners to stdout."""
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def flat(credits: dict[str, tuple[float, float]]) -> dict[tuple[str, str], float]:
    """``{label: (conversions, value)}`` as a flat dict, which ``pytest.approx`` can compare."""
    return {
        (label, part): number
        for label, pair in credits.items()
        for part, number in zip(("conversions", "value"), pair, strict=True)
    }
