from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


def in_ci(environ: dict[str, str] | None = None) -> bool:
    """``CI=true`` (set by .ci/run and by CI services): golden tests may not skip there."""
    env = os.environ if environ is None else environ
    return env.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_shared(path: Path, what: str = "public dataset") -> Path:
    """``path`` in ../shared/data; skip without it, except under CI, where it is a failure.

    A golden test that skips silently proves nothing: in CI a missing dataset
    fails the suite, so the numbers checked against papers and peers are checked.
    """
    if path.exists():
        return path
    message = f"the {what} is not at {path} (see ../shared/data/README.md)"
    if in_ci():
        pytest.fail(f"{message}; under CI=true golden tests never skip", pytrace=False)
    pytest.skip(message)


def needs_shared(path: Path, what: str = "public dataset") -> pytest.MarkDecorator:
    """A skip mark for a test needing ``path``, off under CI (the test then fails on the file)."""
    return pytest.mark.skipif(
        not path.exists() and not in_ci(),
        reason=f"the {what} is not at {path} (see ../shared/data/README.md)",
    )


@pytest.fixture
def shared_data() -> Path:
    """The public datasets in ../shared/data (never copied into the repository)."""
    return require_shared(SHARED_DATA, "folder of public datasets")


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No COPARENT_* from the caller's environment; HOME and XDG_DATA_HOME in tmp."""
    for key in list(os.environ):
        if key.startswith("COPARENT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path


@pytest.fixture(scope="session")
def spark_con():  # type: ignore[no-untyped-def]
    """One local Spark session for the whole run (the JVM takes seconds to start)."""
    from coparent import warehouse

    try:
        import pyspark  # noqa: F401
    except ModuleNotFoundError:  # pragma: no cover - the dev group installs it
        pytest.fail("pyspark is not installed: uv sync installs it with the dev group")
    con = warehouse.connect("pyspark://local[2]")
    yield con
    con.disconnect()


@pytest.fixture(scope="session", autouse=True)
def _demo_users_in_process_are_listed_not_made() -> object:
    """In-process ``coparent demo`` runs list the demo users instead of making them.

    Django is configured once per process, here for the test settings, so an
    in-process run cannot open a demo workspace's app database. The real
    creation runs in subprocesses (tests/commands/test_users.py,
    tests/services/test_webapp.py), which this does not touch.
    """
    from coparent.services import webapp

    def listed(ws: object, **_: object) -> list[dict[str, str]]:
        from coparent.app.teams.services import DEMO_PASSWORD, DEMO_USERS

        return [
            {"username": u, "role": str(r), "team": str(t), "password": DEMO_PASSWORD}
            for u, r, t, _want in DEMO_USERS
        ]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(webapp, "demo_users_create", listed)
        yield None
