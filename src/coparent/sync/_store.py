"""What a sync keeps in the workspace: connections (secrets at mode 600) and sync state.

Layout, inside the workspace folder::

    connections/                  mode 700
      hubspot.toml                the base URL (no secret)
      hubspot.secret              the token alone, mode 600
    sync/hubspot/
      state.json                  the committed generation, the cursor per object, the last sync
      gen-<n>/<object>.parquet    the records as last committed (the mirror of the CRM)
      gen-<n>/export/             export-shaped files the import path loads

A sync writes a new generation beside the committed one, loads it in one
warehouse transaction, and only then replaces ``state.json`` (write to a
temporary file, fsync, ``os.replace``): the cursor moves only once the
warehouse has committed. A sync killed at any moment leaves ``state.json``
naming the previous generation; the orphan is removed by the next sync.
"""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coparent.errors import SyncError

__all__ = [
    "Connection",
    "SyncState",
    "clean_generations",
    "connection_load",
    "connection_save",
    "state_load",
    "state_save",
    "sync_folder",
]

_SECRET_MODE = 0o600
_FOLDER_MODE = 0o700


@dataclass(frozen=True)
class Connection:
    """A source's connection: base URL and secret, with where the secret came from."""

    source: str
    base_url: str | None
    secret: str | None = field(repr=False)
    secret_from: str
    """``environment`` (the variable's name), ``workspace`` or ``none``."""


def _connections(ws_path: Path) -> Path:
    return ws_path / "connections"


def connection_save(
    ws_path: Path, *, source: str, secret: str | None, base_url: str | None
) -> Path:
    """Store a source's base URL and (when given) its secret; the secret file is mode 600."""
    folder = _connections(ws_path)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, _FOLDER_MODE)
    info = folder / f"{source}.toml"
    text = f"base_url = {json.dumps(base_url)}\n" if base_url else ""
    _write_atomic(info, text.encode(), mode=0o644)
    if secret is not None:
        _write_atomic(folder / f"{source}.secret", secret.encode(), mode=_SECRET_MODE)
    return folder / f"{source}.secret"


def connection_load(
    ws_path: Path,
    *,
    source: str,
    env_var: str,
    environ: Mapping[str, str] | None = None,
    base_url: str | None = None,
) -> Connection:
    """The connection: ``env_var`` wins over the stored secret; ``base_url`` over the stored one."""
    env = os.environ if environ is None else environ
    folder = _connections(ws_path)
    stored_url: str | None = None
    info = folder / f"{source}.toml"
    if info.exists():
        try:
            raw = tomllib.loads(info.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SyncError(
                f"cannot read {info}: {exc}",
                source=source,
                hint=f"run coparent connect {source} again",
            ) from None
        value = raw.get("base_url")
        stored_url = str(value) if value else None
    url = base_url or stored_url
    if env.get(env_var):
        return Connection(source, url, env[env_var].strip(), f"environment ({env_var})")
    secret_file = folder / f"{source}.secret"
    if secret_file.exists():
        mode = secret_file.stat().st_mode & 0o777
        if mode & 0o077:
            raise SyncError(
                f"{secret_file} is readable by others (mode {mode:o})",
                source=source,
                hint=f"chmod 600 {secret_file}, or run coparent connect {source} again",
            )
        secret = secret_file.read_text(encoding="utf-8").strip()
        return Connection(source, url, secret or None, "workspace" if secret else "none")
    return Connection(source, url, None, "none")


def _write_atomic(path: Path, data: bytes, *, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(ws_path: Path, source: str) -> Path:
    return ws_path / "sync" / source


@dataclass
class SyncState:
    """The committed state of a source's sync."""

    generation: int = 0
    cursors: dict[str, str] = field(default_factory=dict)
    """Object -> the newest modification time committed (ISO 8601, UTC)."""
    last: dict[str, Any] = field(default_factory=dict)
    """The last committed sync's summary."""

    def folder(self, root: Path) -> Path | None:
        return root / f"gen-{self.generation}" if self.generation else None


def state_load(ws_path: Path, source: str) -> SyncState:
    path = sync_folder(ws_path, source) / "state.json"
    if not path.exists():
        return SyncState()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SyncError(
            f"cannot read {path}: {exc}",
            source=source,
            hint=f"remove {path.parent} and run coparent sync {source} --full",
        ) from None
    return SyncState(int(raw["generation"]), dict(raw["cursors"]), dict(raw.get("last", {})))


def state_save(ws_path: Path, source: str, state: SyncState) -> None:
    """Commit ``state`` atomically, then remove every other generation folder."""
    root = sync_folder(ws_path, source)
    root.mkdir(parents=True, exist_ok=True)
    data = {"generation": state.generation, "cursors": state.cursors, "last": state.last}
    _write_atomic(root / "state.json", json.dumps(data, indent=2).encode(), mode=0o644)
    clean_generations(root, keep=state.generation)


def clean_generations(root: Path, *, keep: int) -> None:
    """Remove generation folders other than ``keep`` (orphans of killed or rejected syncs)."""
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("gen-") and child.name != f"gen-{keep}":
            shutil.rmtree(child, ignore_errors=True)
