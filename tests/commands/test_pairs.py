"""``coparent pairs`` on the demo workspace: the latest round (never started by a bare call),
--new, --round N, --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from coparent.commands.pairs import pairs
from tests.web.conftest import demo_workspace  # noqa: F401 - the shared session fixture

pytestmark = pytest.mark.django_db

app = typer.Typer()
app.command("pairs")(pairs)
app.command("noop")(lambda: None)  # two commands, so "pairs" is a sub-command
runner = CliRunner()


def _run(ws: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["pairs", "-w", str(ws), *args], terminal_width=120)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _json(ws: Path, *args: str) -> dict[str, Any]:
    code, output = _run(ws, "--json", *args)
    assert code == 0, output
    report: dict[str, Any] = json.loads(output)
    return report


def test_a_bare_call_with_no_round_yet_says_so_points_to_new_and_stores_nothing(
    demo_workspace: Path,  # noqa: F811 - the imported fixture
) -> None:
    from coparent.app.pairs.models import PairRound

    report = _json(demo_workspace)
    assert (report["round"], report["stored"], report["created"], report["pairs"]) == (
        None,
        False,
        False,
        [],
    )
    assert "coparent pairs --new" in report["notes"][0]
    code, output = _run(demo_workspace)
    assert code == 0, output
    assert "No pairing round yet" in output
    assert "coparent pairs --new" in output
    assert PairRound.objects.count() == 0


def test_new_starts_round_one_and_a_bare_call_then_shows_it_without_writing(
    demo_workspace: Path,  # noqa: F811
) -> None:
    from coparent.app.pairs.models import PairRound

    first = _json(demo_workspace, "--new")
    assert (first["round"], first["stored"], first["created"]) == (1, True, True)
    assert first["single_team"] is False
    assert len(first["pairs"]) == 6
    for pair in first["pairs"]:
        assert {"members", "agenda"} <= set(pair)
        assert 1 <= len(pair["agenda"]) <= 3
        for member in pair["members"]:
            assert {"person_id", "name", "team"} <= set(member)
        assert {m["team"] for m in pair["members"]} == {"marketing", "sales"}
    again = _json(demo_workspace)
    assert (again["round"], again["created"], again["pairs"]) == (1, False, first["pairs"])
    assert PairRound.objects.count() == 1


def test_new_stores_the_next_round_and_round_n_is_computed_when_not_stored(
    demo_workspace: Path,  # noqa: F811
) -> None:
    _json(demo_workspace, "--new")
    second = _json(demo_workspace, "--new")
    assert (second["round"], second["stored"], second["created"]) == (2, True, True)
    later = _json(demo_workspace, "--round", "7")
    assert (later["round"], later["stored"]) == (7, False)
    assert later["notes"][0].startswith("round 7 is not stored")
    assert _json(demo_workspace, "--round", "2")["pairs"] == second["pairs"]


def test_the_table_names_people_and_agendas_and_bad_options_are_refused(
    demo_workspace: Path,  # noqa: F811
) -> None:
    code, output = _run(demo_workspace, "--new")
    assert code == 0, output
    assert "Pairs, round 1 (started now)" in output
    assert "Hannah Weiss (marketing)" in output
    assert "trios rotate" in output
    code, output = _run(demo_workspace, "--new", "--round", "3")
    assert code == 2
    assert "leave out --round" in output
    code, output = _run(demo_workspace, "--round", "0")
    assert code == 2
