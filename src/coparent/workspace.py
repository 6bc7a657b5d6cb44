"""The workspace: one folder holding the settings file, the warehouse and the app database
(``app.sqlite3``, unless ``DATABASE_URL`` points at PostgreSQL).

Which folder: ``--workspace DIR``, else ``$COPARENT_HOME``, else
``$XDG_DATA_HOME/coparent`` (``~/.local/share/coparent``). ``coparent demo``
uses the ``demo`` folder inside that default, so a demo never mixes with real
data unless asked to.

`Workspace.open` is the one way to open the warehouse: a context manager that
opens a DuckDB file read-only for reads, waits for a file another process
holds (``warehouse_wait_seconds``), raises `WarehouseBusy` naming the holder,
and closes the connection afterwards.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.errors import WarehouseBusy, WarehouseError, WorkspaceError
from coparent.settings import SETTINGS, Settings, SettingSource, load_settings_sourced

__all__ = [
    "APP_DATABASE_FILE",
    "SETTINGS_FILE",
    "Workspace",
    "default_workspace_path",
    "resolve_workspace_path",
]

SETTINGS_FILE = "settings.toml"
WAREHOUSE_FILE = "warehouse.duckdb"
APP_DATABASE_FILE = "app.sqlite3"  # the app database, unless DATABASE_URL names another


def default_workspace_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "coparent"


def resolve_workspace_path(
    option: str | Path | None, environ: Mapping[str, str] | None = None
) -> Path:
    """The workspace folder: the option, else COPARENT_HOME, else the default."""
    env = os.environ if environ is None else environ
    if option:
        return Path(option).expanduser().resolve()
    if env.get("COPARENT_HOME"):
        return Path(env["COPARENT_HOME"]).expanduser().resolve()
    return default_workspace_path(env)


@dataclass(frozen=True)
class Workspace:
    path: Path

    @property
    def settings_file(self) -> Path:
        return self.path / SETTINGS_FILE

    def exists(self) -> bool:
        return self.settings_file.exists()

    def settings(
        self,
        overrides: Mapping[str, str] | None = None,
        *,
        app: Mapping[str, str] | None = None,
    ) -> Settings:
        """The settings file, the environment, the app's decisions ``app``, then ``overrides``."""
        return self.settings_sourced(overrides, app=app)[0]

    def settings_sourced(
        self,
        overrides: Mapping[str, str] | None = None,
        *,
        app: Mapping[str, str] | None = None,
    ) -> tuple[Settings, dict[str, SettingSource]]:
        """`settings` and where each value came from (`load_settings_sourced`)."""
        return load_settings_sourced(self.settings_file, overrides=overrides, app=app)

    def warehouse_url(self, settings: Settings) -> str:
        return settings.warehouse_url or f"duckdb://{self.path / WAREHOUSE_FILE}"

    @contextmanager
    def open(
        self, settings: Settings, *, write: bool = False, timeout: float | None = None
    ) -> Iterator[BaseBackend]:
        """The warehouse for one piece of work, closed afterwards (also on an exception).

        The one way to open the warehouse: every command, page, import and service
        uses it. A DuckDB file is opened read-only unless ``write`` (imports), so
        readers never block each other; while another process holds the file
        (DuckDB lets one process write, or several read), opening waits up to
        ``timeout`` seconds (default: the ``warehouse_wait_seconds`` setting) and
        then raises `WarehouseBusy`, naming the holder's process id when DuckDB
        tells it. Other URLs (PostgreSQL, Spark, in-memory DuckDB) just connect.
        """
        self._require()
        url = self.warehouse_url(settings)
        wait = settings.warehouse_wait_seconds if timeout is None else timeout
        con = _open_waiting(url, write=write, timeout=wait)
        try:
            yield con
        finally:
            con.disconnect()

    def connect(self, settings: Settings) -> BaseBackend:
        """Deprecated: use `open`, which waits for a busy file and closes what it opens.

        Kept for tests and scripts; nothing in coparent calls it (a test checks).
        """
        self._require()
        return warehouse.connect(self.warehouse_url(settings))

    def _require(self) -> None:
        if not self.exists():
            raise WorkspaceError(
                f"no workspace at {self.path}",
                hint=f"create one: coparent init --workspace {self.path}",
            )

    def init(self) -> bool:
        """Create the folder and a commented settings file; False if it already existed."""
        if self.exists():
            return False
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self.settings_file.write_text(_settings_template(), encoding="utf-8")
        except OSError as exc:
            raise WorkspaceError(
                f"cannot create a workspace at {self.path}: {exc.strerror}",
                hint="choose a folder you can write to with --workspace DIR",
            ) from None
        return True


# DuckDB's messages when another connection holds the file: another process
# ("Could not set lock on file ...: Conflicting lock is held in PROGRAM (PID N)"), or
# this process with the other mode ("... with a different configuration ...").
_LOCKED = ("conflicting lock", "could not set lock", "different configuration")
_HOLDER = re.compile(r"lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def _open_waiting(url: str, *, write: bool, timeout: float) -> BaseBackend:
    """Connect to ``url``, retrying while another connection holds a DuckDB file."""
    file = warehouse.duckdb_file(url)
    if file is None:
        return warehouse.connect(url)
    deadline = time.monotonic() + timeout
    pause = 0.02
    read_only = not write and file.exists()  # a missing file is created, which is a write
    while True:
        try:
            return warehouse.connect(url, read_only=read_only)
        except WarehouseError as exc:
            text = str(exc)
            if not any(words in text.lower() for words in _LOCKED):
                raise
            if read_only and "different configuration" in text.lower():
                # This process already has the file open for writing: read through that.
                read_only = False
                continue
            if time.monotonic() >= deadline:
                raise _busy(text, file=file, write=write, timeout=timeout) from exc
            time.sleep(min(pause, max(deadline - time.monotonic(), 0.0)))
            pause = min(pause * 2, 0.5)


def _busy(text: str, *, file: Path, write: bool, timeout: float) -> WarehouseBusy:
    found = _HOLDER.search(text)
    pid = int(found["pid"]) if found else None
    holder = f"process {pid} ({Path(found['program']).name})" if found else "another program"
    doing = "writing to it" if write else "reading it"
    return WarehouseBusy(
        f"the warehouse {file} is busy: {holder} holds it (waited {timeout:g} s before {doing})",
        hint="try again when it is done (a coparent import may be running), or wait longer: "
        "setting warehouse_wait_seconds (e.g. --setting warehouse_wait_seconds=60)",
        pid=pid,
    )


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _settings_template() -> str:
    lines = [
        "# coparent workspace settings. Uncomment a line to change it.",
        "# Every setting can also come from COPARENT_<NAME> or --setting name=value.",
        "",
    ]
    for s in SETTINGS:
        lines += [f"# {s.help}", f"# {s.name} = {_toml_value(s.default)}", ""]
    return "\n".join(lines)
