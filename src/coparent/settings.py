"""Settings as data: one `SETTINGS` table of (name, default, help).

Later sources override earlier ones: the defaults below, the workspace's
``settings.toml``, the environment (``COPARENT_<NAME>``), then the CLI's
``--setting name=value``. Each value is checked against the type of its
default; a bad value names the setting and the source it came from.
``docs/settings.md`` documents every setting (a test checks).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from coparent.errors import SettingsError

__all__ = ["SETTINGS", "Setting", "Settings", "load_settings", "parse_setting_value"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "warehouse_url",
        "",
        "Ibis URL of the warehouse. Empty means duckdb:///<workspace>/warehouse.duckdb.",
    ),
    Setting(
        "timezone",
        "UTC",
        "Time zone of timestamps without an offset in imported files; stored as UTC.",
    ),
    Setting(
        "fiscal_year_start_month",
        1,
        "Month (1-12) the fiscal year starts in; quarters and years follow it.",
    ),
    Setting(
        "sales_sla_hours",
        24.0,
        "Sales SLA: hours from MQL to first contact.",
    ),
    Setting(
        "marketing_mql_commitment",
        0,
        "Marketing SLA: MQLs committed per month (0: no commitment set).",
    ),
    Setting(
        "goal_won_revenue",
        0.0,
        "Shared goal: won revenue per quarter (0: no goal set; the app's goals replace it).",
    ),
    Setting(
        "loss_reason_categories",
        {},
        "Overrides of the loss-reason taxonomy: reason text -> product, process, market "
        "or unclassified.",
    ),
    Setting(
        "rejection_reason_categories",
        {},
        "Overrides of the lead-rejection taxonomy: reason text -> product, process, market "
        "or unclassified.",
    ),
    Setting(
        "import_max_examples",
        20,
        "How many problems of each code an import lists; the rest are counted.",
    ),
    Setting(
        "import_max_field_chars",
        32767,
        "Longest text accepted in one cell (a spreadsheet's own limit); longer is ingest.E209.",
    ),
    Setting(
        "import_null_values",
        ["", "NULL", "null", "N/A", "n/a", "#N/A", "(No value)"],
        "Cell texts read as empty in imported files.",
    ),
    Setting(
        "import_progress_seconds",
        1.0,
        "Show a progress bar when an import is expected to take longer than this.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}

_CATEGORIES = {"product", "process", "market", "unclassified"}
_VALID: dict[str, tuple[Callable[[Any], bool], str]] = {
    "fiscal_year_start_month": (lambda v: 1 <= v <= 12, "a month number from 1 to 12"),
    "sales_sla_hours": (lambda v: v > 0, "a positive number of hours"),
    "marketing_mql_commitment": (lambda v: v >= 0, "zero or a positive count"),
    "goal_won_revenue": (lambda v: v >= 0, "zero or a positive amount"),
    "import_max_examples": (lambda v: v >= 1, "at least 1"),
    "import_max_field_chars": (lambda v: v >= 1, "at least 1"),
    "loss_reason_categories": (
        lambda v: set(v.values()) <= _CATEGORIES,
        "categories among " + ", ".join(sorted(_CATEGORIES)),
    ),
    "rejection_reason_categories": (
        lambda v: set(v.values()) <= _CATEGORIES,
        "categories among " + ", ".join(sorted(_CATEGORIES)),
    ),
}


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build it with `load_settings`."""

    warehouse_url: str = ""
    timezone: str = "UTC"
    fiscal_year_start_month: int = 1
    sales_sla_hours: float = 24.0
    marketing_mql_commitment: int = 0
    goal_won_revenue: float = 0.0
    loss_reason_categories: Mapping[str, str] = field(default_factory=dict)
    rejection_reason_categories: Mapping[str, str] = field(default_factory=dict)
    import_max_examples: int = 20
    import_max_field_chars: int = 32767
    import_null_values: tuple[str, ...] = ("", "NULL", "null", "N/A", "n/a", "#N/A", "(No value)")
    import_progress_seconds: float = 1.0


def _coerce(name: str, value: Any, *, source: str) -> Any:
    result = _convert(name, value, source=source)
    check = _VALID.get(name)
    if check is not None and not check[0](result):
        raise SettingsError(
            f"{value!r} is not valid: expected {check[1]}",
            setting=name,
            source=source,
            hint=f"{name}: {_BY_NAME[name].help}",
        )
    return result


def _convert(name: str, value: Any, *, source: str) -> Any:
    default = _BY_NAME[name].default
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                low = value.strip().lower()
                if low in ("1", "true", "yes", "on"):
                    return True
                if low in ("0", "false", "no", "off"):
                    return False
                raise ValueError(value)
            return bool(value)
        if isinstance(default, int):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, dict):
            if isinstance(value, str):
                value = json.loads(value)
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise ValueError(value)
            return dict(value)
        if isinstance(default, list):
            if isinstance(value, str):
                value = json.loads(value)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(value)
            return tuple(value)
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    except (ValueError, TypeError, json.JSONDecodeError):
        kind = type(default).__name__
        if isinstance(default, list):
            kind = "list of texts (JSON in the environment)"
        if isinstance(default, dict):
            kind = "table of text to text (JSON in the environment)"
        raise SettingsError(
            f"{value!r} is not a valid {kind}",
            setting=name,
            source=source,
            hint=f"{name}: {_BY_NAME[name].help}",
        ) from None


def parse_setting_value(text: str) -> tuple[str, str]:
    """Split a CLI ``name=value`` pair."""
    name, sep, value = text.partition("=")
    if not sep:
        raise SettingsError(
            "expected name=value",
            setting=text,
            source="--setting",
            hint="for example --setting timezone=Europe/Paris",
        )
    return name.strip(), value


def load_settings(
    settings_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from defaults, the file, the environment and overrides, in that order."""
    values: dict[str, Any] = {}
    if settings_file is not None and settings_file.exists():
        try:
            data = tomllib.loads(settings_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(
                f"not valid TOML: {exc}",
                setting="*",
                source=str(settings_file),
                hint="fix the file, or delete it to go back to the defaults",
            ) from None
        for name, value in data.items():
            _check_known(name, str(settings_file))
            values[name] = _coerce(name, value, source=str(settings_file))
    env = os.environ if environ is None else environ
    for s in SETTINGS:
        key = f"COPARENT_{s.name.upper()}"
        if key in env:
            values[s.name] = _coerce(s.name, env[key], source=f"environment {key}")
    for name, value in (overrides or {}).items():
        _check_known(name, "--setting")
        values[name] = _coerce(name, value, source="--setting")
    return Settings(**values)


def _check_known(name: str, source: str) -> None:
    if name not in _BY_NAME:
        raise SettingsError(
            "unknown setting",
            setting=name,
            source=source,
            hint="known settings: " + ", ".join(_BY_NAME),
        )


def _check_table_matches_dataclass() -> None:
    # The dataclass exists for typing; the table is the truth. Keep them in step.
    declared = {
        f.name: f.default_factory() if f.default is MISSING else f.default  # type: ignore[misc]
        for f in fields(Settings)
    }
    table = {
        s.name: tuple(s.default) if isinstance(s.default, list) else s.default for s in SETTINGS
    }
    if declared != table:  # pragma: no cover - fails at import, so every test catches it
        raise RuntimeError("Settings dataclass and SETTINGS table disagree")


_check_table_matches_dataclass()
