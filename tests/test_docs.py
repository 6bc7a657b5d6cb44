"""Guard rails: every setting, CLI command and issue code is documented.

Run with COPARENT_UPDATE_DOCS=1 to regenerate the --help blocks of docs/cli.md.
"""

from __future__ import annotations

import os
import re

import pytest
import typer.main
from typer.testing import CliRunner

from coparent.cli import app
from coparent.settings import SETTINGS
from tests.conftest import REPO

DOCS = REPO / "docs"
CLI_HELP_START = "<!-- help:{} -->"
CLI_HELP_END = "<!-- /help:{} -->"


def _commands() -> list[str]:
    return list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def _help(args: list[str]) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output.rstrip() + "\n"


def test_every_setting_has_a_section_in_docs_settings() -> None:
    text = (DOCS / "settings.md").read_text()
    missing = [s.name for s in SETTINGS if f"### {s.name}\n" not in text]
    assert not missing, f"undocumented settings: {missing}"


def test_every_issue_code_has_a_paragraph_in_docs_import() -> None:
    from coparent.ingest.issues import IssueCode

    text = (DOCS / "import.md").read_text()
    missing = [
        c.value for c in IssueCode if not re.search(rf"^### {re.escape(c.value)}\b", text, re.M)
    ]
    assert not missing, f"undocumented issue codes: {missing}"


@pytest.mark.parametrize("command", [None, *_commands()])
def test_docs_cli_embeds_the_current_help_of_every_command(command: str | None) -> None:
    path = DOCS / "cli.md"
    text = path.read_text()
    key = command or "coparent"
    start, end = CLI_HELP_START.format(key), CLI_HELP_END.format(key)
    block = f"{start}\n```text\n{_help([command] if command else [])}```\n{end}"
    if os.environ.get("COPARENT_UPDATE_DOCS"):
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
        text = (
            pattern.sub(lambda _: block, text)
            if pattern.search(text)
            else (text + f"\n## coparent {command or ''}".rstrip() + f"\n\n{block}\n")
        )
        path.write_text(text)
    assert block in text, f"docs/cli.md is out of date for {key}; rerun with COPARENT_UPDATE_DOCS=1"
