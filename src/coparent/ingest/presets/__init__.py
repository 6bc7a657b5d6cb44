"""Presets: import the exports people already have from HubSpot, Salesforce and Pipedrive.

A preset is data (one TOML file per CRM and object, shipped next to this
module) that says which headers an export may use for each field (labels,
internal names, older labels), what its words mean (stages -> open/won/lost,
sources -> channels) and which canonical tables it fills. Users print one
with ``coparent import --show-preset NAME``, edit a copy, and import with
``--preset path/to/copy.toml``. docs/presets.md describes each preset.

The pieces, in the order an import uses them:

- `choose_presets` turns ``--preset`` (``auto``, a CRM, a name or a file)
  into the presets to consider;
- `read_export` reads the file with the exports' quirks handled (encoding
  and delimiter sniffing, title and footer rows), keeping spreadsheet rows;
- `detect` ranks the presets by the headers they recognise and says why;
- `apply_preset` builds each canonical table as text columns that the
  ordinary checks (`coparent.ingest.checks`) then convert and locate.

Loss and rejection reasons are kept in the CRM's own words; the diagnosis
taxonomy (``coparent.diagnosis.taxonomy``, a higher layer) classifies them,
so a reason maps the same way whether it came from a preset or a mapping.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from coparent.errors import UnknownPresetError
from coparent.ingest.presets._apply import Lookup, MappedTable, apply_preset
from coparent.ingest.presets._match import Detection, HeaderMatch, detect, match_headers
from coparent.ingest.presets._model import (
    Preset,
    load_preset_file,
    normalise_header,
    parse_preset,
)
from coparent.ingest.presets._read import Export, read_export

__all__ = [
    "Detection",
    "Export",
    "HeaderMatch",
    "Lookup",
    "MappedTable",
    "Preset",
    "apply_preset",
    "builtin_presets",
    "choose_presets",
    "detect",
    "load_preset_file",
    "match_headers",
    "normalise_header",
    "parse_preset",
    "preset_text",
    "read_export",
]


def _files() -> dict[str, str]:
    folder = resources.files(__name__)
    return {
        entry.name.removesuffix(".toml"): entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    }


@cache
def builtin_presets() -> dict[str, Preset]:
    """Every shipped preset by name, in name order."""
    out = {}
    for stem, text in _files().items():
        preset = parse_preset(tomllib.loads(text), file=f"{stem}.toml")
        out[preset.name] = preset
    return out


def preset_text(name: str) -> str:
    """The TOML of a shipped preset, comments included, to copy and edit."""
    files = _files()
    if name not in files:
        raise UnknownPresetError(name, available=list(builtin_presets()))
    return files[name]


def choose_presets(choice: str) -> list[Preset]:
    """The presets ``--preset`` asks for.

    ``auto``: all; a CRM (``hubspot``, ``salesforce``, ``pipedrive``): that
    CRM's; a preset name: that one; a path ending in ``.toml`` (or containing
    a path separator): the preset file there.
    """
    shipped = builtin_presets()
    if choice == "auto":
        return list(shipped.values())
    if choice in shipped:
        return [shipped[choice]]
    family = [p for p in shipped.values() if p.family == choice.lower()]
    if family:
        return family
    if choice.endswith(".toml") or "/" in choice or "\\" in choice:
        return [load_preset_file(Path(choice))]
    raise UnknownPresetError(choice, available=list(shipped))
