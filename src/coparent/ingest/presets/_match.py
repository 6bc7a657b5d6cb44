"""Match a file's headers against presets, and pick the preset an export came from.

A preset *claims* a header when the header equals one of its field aliases
after `normalise_header` (case, quotes, punctuation and spacing ignored), or
matches one of its melt patterns. A preset is a *candidate* when at least one
of its ``identify`` fields is present and every required canonical column
can be read. The candidate claiming the most headers wins; a tie is
ambiguous, and the caller asks for ``--preset``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coparent.ingest.presets._model import Preset, normalise_header

__all__ = ["Detection", "HeaderMatch", "detect", "match_headers"]


@dataclass(frozen=True)
class HeaderMatch:
    """How one preset reads one header row."""

    preset: Preset
    headers: tuple[str, ...]
    fields: dict[str, tuple[int, ...]]
    """Field -> positions of the header it is read from (several when the header repeats)."""
    melted: tuple[tuple[int, str], ...]
    """(position, name) of every header a melt reads (HubSpot's Date entered columns)."""
    claimed: frozenset[int]
    missing: tuple[tuple[str, str, tuple[str, ...]], ...]
    """(table, column, fields) for every required column none of whose fields is present."""

    @property
    def score(self) -> int:
        return len(self.claimed)

    @property
    def identified(self) -> bool:
        return any(f in self.fields for f in self.preset.identify)

    @property
    def candidate(self) -> bool:
        return self.identified and not self.missing

    def matched_headers(self) -> list[str]:
        return [self.headers[i] for i in sorted(self.claimed)]

    def describe(self) -> str:
        """``9 of 12 headers matched: Record ID, Deal Name, ...`` (the why of a detection)."""
        shown = self.matched_headers()
        listed = ", ".join(repr(h) for h in shown[:8]) + (", ..." if len(shown) > 8 else "")
        return f"{self.score} of {len(self.headers)} headers matched ({listed})"


def match_headers(preset: Preset, headers: Sequence[str]) -> HeaderMatch:
    """Which of ``headers`` each field of ``preset`` reads (first alias present wins)."""
    norm = [normalise_header(h) for h in headers]
    positions: dict[str, list[int]] = {}
    for i, key in enumerate(norm):
        positions.setdefault(key, []).append(i)
    fields: dict[str, tuple[int, ...]] = {}
    claimed: set[int] = set()
    for name, spec in preset.fields.items():
        for key in spec.keys:
            if key in positions:
                fields.setdefault(name, tuple(positions[key]))
                claimed.update(positions[key])
    melted: list[tuple[int, str]] = []
    for table in preset.tables.values():
        if table.melt is None:
            continue
        for i, header in enumerate(headers):
            stage = table.melt.match(header)
            if stage and i not in claimed:
                melted.append((i, stage))
                claimed.add(i)
    missing = tuple(
        (table, column, need)
        for (table, column), need in preset.required_columns().items()
        if not any(f in fields for f in need)
    )
    return HeaderMatch(preset, tuple(headers), fields, tuple(melted), frozenset(claimed), missing)


@dataclass(frozen=True)
class Detection:
    """The outcome of matching a header against every preset considered."""

    matches: tuple[HeaderMatch, ...]
    """Every preset that recognised the file, best first (candidates before near misses)."""

    @property
    def candidates(self) -> list[HeaderMatch]:
        return [m for m in self.matches if m.candidate]

    @property
    def chosen(self) -> HeaderMatch | None:
        c = self.candidates
        if not c or (len(c) > 1 and c[1].score == c[0].score):
            return None
        return c[0]

    @property
    def ambiguous(self) -> list[HeaderMatch]:
        c = self.candidates
        return [m for m in c if m.score == c[0].score] if len(c) > 1 else []

    def explain(self) -> str:
        """Why this preset: its matched headers, and the runner-up's score."""
        chosen = self.chosen
        if chosen is None:
            return ""
        others = [m for m in self.candidates if m is not chosen]
        runner = f"; next best {others[0].preset.name} with {others[0].score}" if others else ""
        return f"{chosen.describe()}{runner}"

    def failure(self) -> tuple[str, str]:
        """(message, hint) for a file no single preset reads."""
        amb = self.ambiguous
        if amb:
            names = ", ".join(f"{m.preset.name} ({m.score} headers)" for m in amb)
            return (
                f"cannot tell which export this is: it matches {names} equally",
                "choose one with --preset " + " or --preset ".join(m.preset.name for m in amb),
            )
        near = [m for m in self.matches if m.identified][:3]
        if near:
            parts = []
            for m in near:
                need = "; ".join(
                    f"{table}.{column} needs one of "
                    + ", ".join(repr(a) for f in fields for a in m.preset.fields[f].aliases[:3])
                    for table, column, fields in m.missing
                )
                parts.append(f"{m.preset.name} ({need})")
            return (
                "no preset recognises this file: the closest lack required columns",
                "closest: " + " | ".join(parts) + "; add the column to the export, or "
                "choose a preset with --preset (coparent import --list-presets)",
            )
        return (
            "no preset recognises this file's headers",
            "coparent import --list-presets lists the exports it reads; for other files "
            "use coparent import TABLE FILE --mapping MAPPING.toml",
        )


def detect(presets: Sequence[Preset], headers: Sequence[str]) -> Detection:
    """Rank ``presets`` by how well they read ``headers``."""
    matches = [match_headers(p, headers) for p in presets]
    ranked = sorted(
        (m for m in matches if m.identified),
        key=lambda m: (not m.candidate, -m.score, m.preset.name),
    )
    return Detection(tuple(ranked))
