"""The per-preset sections of docs/presets.md, built from the presets themselves.

`test_presets_docs.py` checks the page against this; run it with
COPARENT_UPDATE_DOCS=1 to rewrite the block between the markers.
"""

from __future__ import annotations

from coparent.ingest.presets import Preset, builtin_presets

START = "<!-- presets:start -->"
END = "<!-- presets:end -->"


def _section(p: Preset) -> str:
    used: dict[str, list[str]] = {}
    for spec in p.tables.values():
        for c in spec.columns:
            for f in c.source_fields:
                used.setdefault(f, []).append(f"{spec.table}.{c.column}")
        if spec.melt is not None:
            used.setdefault(spec.melt.id_field, []).append(f"{spec.table}.{spec.melt.id_column}")
    rows = []
    for name, f in p.fields.items():
        target = ", ".join(dict.fromkeys(used.get(name, []))) or "(recognised, not loaded)"
        aliases = " / ".join(f"`{a}`" for a in f.aliases)
        rows.append(f"| {aliases} | {f.kind} | {target} |")
    melt = [s.melt for s in p.tables.values() if s.melt is not None]
    lines = [
        f"### {p.name}",
        "",
        f"**{p.title}** ({p.crm} {p.object}) fills {', '.join(p.tables)}. "
        f"{p.notes.get('summary', '')}.",
        "",
        f"- **Reads:** {p.notes.get('reads', '')}",
        f"- **Derives:** {p.notes.get('derives', '')}",
        f"- **Cannot know:** {p.notes.get('cannot_know', '')}",
        f"- **Unconfirmed [I]:** {p.notes.get('unconfirmed', '')}",
        "",
        "| headers (first present wins) | kind | loads |",
        "|---|---|---|",
        *rows,
    ]
    for m in melt:
        lines += [
            "",
            f"Melted into {m.id_column}, {m.name_column}, {m.value_column}: every header "
            "matching " + " or ".join(f"`{h}`" for h in m.headers) + ".",
        ]
    for vocab, words in p.vocabs.items():
        shown = ", ".join(f"{k} → {v}" for k, v in words.items())
        lines += ["", f"Words `[vocab.{vocab}]` (compared like headers): {shown}."]
    return "\n".join(lines) + "\n"


def sections() -> str:
    body = "\n".join(_section(p) for p in builtin_presets().values())
    return f"{START}\n\n{body}\n{END}"
