"""docs/presets.md describes every preset as its file does (COPARENT_UPDATE_DOCS=1 rewrites it)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from coparent.ingest.presets import builtin_presets

from .docs_sections import END, START, sections

PAGE = Path(__file__).parents[3] / "docs" / "presets.md"


def test_docs_presets_has_each_presets_reads_derives_cannot_know_and_unconfirmed() -> None:
    text = PAGE.read_text(encoding="utf-8")
    block = sections()
    if os.environ.get("COPARENT_UPDATE_DOCS"):
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        text = pattern.sub(lambda _: block, text)
        PAGE.write_text(text, encoding="utf-8")
    assert block in text, "docs/presets.md is out of date; rerun with COPARENT_UPDATE_DOCS=1"
    for p in builtin_presets().values():
        assert f"### {p.name}\n" in text
        for key in ("reads", "derives", "cannot_know", "unconfirmed"):
            assert p.notes.get(key), f"{p.name} says nothing under {key}"


def test_docs_import_links_to_the_presets_page() -> None:
    text = (PAGE.parent / "import.md").read_text(encoding="utf-8")
    assert "(presets.md)" in text
