"""plotly.min.js is served from the plotly wheel, and nothing else of its data folder."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders

from coparent.web.common.finders import PLOTLY_JS, PlotlyFinder


def test_only_plotly_min_js_is_listed_and_found() -> None:
    finder = PlotlyFinder()
    assert [path for path, _ in finder.list([])] == ["plotly.min.js"]
    assert finder.find("plotly/datasets/iris.csv.gz") == []  # a miss is [] (Django 5.2)
    found = finder.find(PLOTLY_JS)
    assert Path(found).name == "plotly.min.js"
    assert finder.find(PLOTLY_JS, find_all=True) == [found]
    assert finder.check() == []


def test_the_static_files_machinery_finds_it() -> None:
    assert finders.find(PLOTLY_JS)
    assert finders.find("coparent/app.css")
