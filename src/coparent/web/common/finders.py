"""Serve ``plotly/plotly.min.js`` from the plotly wheel, and nothing else from it.

Pointing ``STATICFILES_DIRS`` at plotly's ``package_data`` would make
``collectstatic`` copy 9.6 MB of datasets and widget bundles; this finder
exposes the one file the pages load.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

__all__ = ["PLOTLY_JS", "PlotlyFinder"]

PLOTLY_JS = "plotly/plotly.min.js"
_SOURCE = Path(plotly.__file__).parent / "package_data"


class PlotlyFinder(BaseFinder):
    def __init__(self) -> None:
        self.storage = FileSystemStorage(location=str(_SOURCE))
        self.storage.prefix = "plotly"  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        if not (_SOURCE / "plotly.min.js").exists():
            return [Error(f"plotly.min.js not found in {_SOURCE}", id="coparent.E001")]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if path != PLOTLY_JS:
            return []  # a miss is [] whatever find_all says: Django 5.2 turns None into [None]
        found = str(_SOURCE / "plotly.min.js")
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        yield "plotly.min.js", self.storage
