"""The workspace: one folder holding the settings file, the warehouse and the app database
(``app.sqlite3``, unless ``DATABASE_URL`` points at PostgreSQL).

Which folder: ``--workspace DIR``, else ``$COPARENT_HOME``, else
``$XDG_DATA_HOME/coparent`` (``~/.local/share/coparent``). ``coparent demo``
uses the ``demo`` folder inside that default, so a demo never mixes with real
data unless asked to.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.errors import WorkspaceError
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

    def connect(self, settings: Settings) -> BaseBackend:
        if not self.exists():
            raise WorkspaceError(
                f"no workspace at {self.path}",
                hint=f"create one: coparent init --workspace {self.path}",
            )
        return warehouse.connect(self.warehouse_url(settings))

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
