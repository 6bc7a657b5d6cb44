"""TOML in and out: mapping and preset files read with located errors, mappings written back.

Written mappings follow the layout docs/import.md shows.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coparent.errors import MappingError

if TYPE_CHECKING:
    from coparent.ingest.mapping import ColumnRule, ImportMapping, SourceOptions

__all__ = ["dump", "read_toml_file"]


def read_toml_file(path: Path, *, option: str, docs: str) -> dict[str, Any]:
    """The parsed file; a missing, unreadable or invalid file is a `MappingError` naming it.

    ``option`` is the CLI option the path came from and ``docs`` the page that
    documents the format, both for the hint.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(
            "file not found", file=str(path), hint=f"check the path given with {option}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"cannot read it: {exc}", file=str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(
            f"not valid TOML: {exc}", file=str(path), hint=f"see {docs} for the format"
        ) from None


def _toml_text(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    for ch, esc in (("\n", "\\n"), ("\t", "\\t"), ("\r", "\\r")):
        out = out.replace(ch, esc)
    return '"' + "".join(c if c.isprintable() else f"\\U{ord(c):08x}" for c in out) + '"'


def _toml_key(key: str) -> str:
    bare = key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key)
    return key if bare else _toml_text(key)


def dump(mapping: ImportMapping) -> str:
    """The TOML text that `parse_mapping` reads back to an equal mapping."""
    lines: list[str] = []
    for name, tm in mapping.tables.items():
        src = _source_lines(tm.source)
        if src:
            lines += [f"[{name}.source]", *(f"{k} = {v}" for k, v in src), ""]
        lines.append(f"[{name}.columns]")
        for col, rule in tm.columns:
            lines.append(f"{_toml_key(col)} = {_rule_toml(rule)}")
        lines.append("")
        if tm.filters:
            lines.append(f"[{name}.filter]")
            for kind in ("keep", "drop"):
                conditions = [c for k, c in tm.filters if k == kind]
                if conditions:
                    lines.append(f"{kind} = [" + ", ".join(map(_toml_text, conditions)) + "]")
            lines.append("")
        for lookup in tm.lookups:
            lines.append(f"[{name}.lookups.{lookup.name}]")
            lines.append(f"key = {_toml_text(lookup.key)}")
            lines.append(f"on = {_toml_text(lookup.on)}")
            lines += [f"{k} = {v}" for k, v in _source_lines(lookup.source)]
            lines.append("")
    return "\n".join(lines)


def _source_lines(s: SourceOptions) -> list[tuple[str, str]]:
    src: list[tuple[str, str]] = []
    for k in ("file", "delimiter", "encoding", "timezone", "sheet", "member"):
        v = getattr(s, k)
        if v is not None:
            src.append((k, _toml_text(v)))
    if not s.header:
        src.append(("header", "false"))
    if s.names:
        src.append(("names", "[" + ", ".join(_toml_text(n) for n in s.names) + "]"))
    if s.skip_rows:
        src.append(("skip_rows", str(s.skip_rows)))
    if s.null_values is not None:
        src.append(("null_values", "[" + ", ".join(map(_toml_text, s.null_values)) + "]"))
    return src


def _rule_toml(rule: ColumnRule) -> str:
    if rule.column is not None and rule == type(rule)(column=rule.column):
        return _toml_text(rule.column)
    parts: list[str] = []
    if rule.column is not None:
        parts.append(f"column = {_toml_text(rule.column)}")
    if rule.value is not None:
        parts.append(f"value = {_toml_text(rule.value)}")
    if rule.expr is not None:
        parts.append(f"expr = {_toml_text(rule.expr)}")
    if rule.row_number:
        parts.append("row_number = true")
    if rule.prefix:
        parts.append(f"prefix = {_toml_text(rule.prefix)}")
    if rule.values:
        inner = ", ".join(f"{_toml_key(k)} = {_toml_text(v)}" for k, v in rule.values)
        parts.append(f"values = {{ {inner} }}")
    if rule.default is not None:
        parts.append(f"default = {_toml_text(rule.default)}")
    if rule.formats:
        parts.append("format = [" + ", ".join(_toml_text(f) for f in rule.formats) + "]")
    if rule.decimal != ".":
        parts.append(f"decimal = {_toml_text(rule.decimal)}")
    if rule.thousands is not None:
        parts.append(f"thousands = {_toml_text(rule.thousands)}")
    return "{ " + ", ".join(parts) + " }"
