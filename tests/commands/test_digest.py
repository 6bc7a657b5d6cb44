"""``coparent digest``: preview the demo company's week, send it to local servers, refuse twice.

Runs in-process against the shared demo workspace (tests/web/conftest.py, through
tests/commands/conftest.py);
Django is already configured by pytest-django, so `webapp_prepare` only
migrates the test database. The SMTP server and the webhook receiver are
real, local, and started by each test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coparent.app.digest.models import DigestDelivery
from coparent.cli import app
from tests.notify.servers import smtp_server, webhook_receiver

pytestmark = pytest.mark.django_db

DEMO_WEEK = "2026-W40"  # the demo's data ends on Wed 30 Sep 2026
TITLES = (
    "1. Scorecard 2026-Q3",
    "2. Diagnosis",
    "3. Wins to celebrate",
    "4. Waiting for an answer",
    "5. Starter projects",
    "6. This week's pairs",
)


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["digest", *args], terminal_width=100)


def _settings(**values: Any) -> list[str]:
    out = []
    for name, value in values.items():
        out += ["--setting", f"{name}={value}"]
    return out


def test_help_names_preview_send_force_and_the_week() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    for option in ("--preview", "--send", "--force", "--week", "--date", "--channel", "--json"):
        assert option in result.output


def test_preview_prints_every_section_of_the_demo_week(workspace: Path) -> None:
    result = _run("--preview", "--week", DEMO_WEEK, "--workspace", str(workspace))
    assert result.exit_code == 0, result.output
    text = result.output
    assert "weekly digest, week 2026-W40 (28 Sep - 4 Oct 2026)" in text
    positions = [text.index(t) for t in TITLES]
    assert positions == sorted(positions)
    assert "Revenue rose" in text  # the diagnosis headline of the demo
    assert "List wb-2026-09-30-1" in text
    assert "Test offer-2026-q3: ship; winner: first_month_free" in text


def test_the_demo_digest_shows_real_wins_credited_to_both_teams(workspace: Path) -> None:
    result = _run("--week", DEMO_WEEK, "--workspace", str(workspace), "--json")
    assert result.exit_code == 0, result.output
    sections = {s["key"]: s for s in json.loads(result.output)["digest"]["sections"]}
    items = [i for g in sections["wins"]["groups"] for i in g["items"]]
    credits = [d for i in items for d in i["details"] if d.startswith("Credited: ")]
    assert credits, sections["wins"]
    assert any("(Sales)" in c for c in credits)
    assert any("(Marketing)" in c for c in credits)
    assert any("(Sales)" in c and "(Marketing)" in c for c in credits)  # a joint win


def test_send_delivers_then_refuses_the_same_week_then_forces(workspace: Path, people: Any) -> None:
    with smtp_server() as (port, box), webhook_receiver() as hook:
        options = [
            "--week",
            DEMO_WEEK,
            "--workspace",
            str(workspace),
            *_settings(
                smtp_host="127.0.0.1",
                smtp_port=port,
                smtp_use_tls="false",
                slack_webhook_url=hook.url,
                digest_from="coparent@acme.example",
            ),
        ]
        first = _run("--send", *options)
        assert first.exit_code == 0, first.output
        assert "email: sent to 6 recipients (1 attempt)" in first.output
        assert "slack: sent to the slack webhook at 127.0.0.1 (1 attempt)" in first.output
        assert "1. Scorecard" not in first.output  # --send alone does not print the digest
        body = box.messages[0].get_body(("plain",))
        assert body is not None
        text = body.get_content()
        for title in TITLES:
            assert title in text
        slack = "\n".join(b["text"]["text"] for b in hook.payloads[0]["blocks"] if "text" in b)
        for title in TITLES:
            assert title in slack

        second = _run("--send", *options)
        assert second.exit_code == 3, second.output
        assert "email: refused: the 2026-W40 digest was already sent by email" in second.output
        assert "hint: use --force to send it again" in second.output
        assert (len(box.messages), len(hook.requests)) == (1, 1)

        forced = _run("--send", "--force", "--channel", "slack", *options)
        assert forced.exit_code == 0, forced.output
        assert (len(box.messages), len(hook.requests)) == (1, 2)
    assert DigestDelivery.objects.filter(week=DEMO_WEEK, status="sent").count() == 3
    assert DigestDelivery.objects.filter(forced=True).count() == 1


def test_a_failing_webhook_is_reported_with_every_attempt_and_exit_1(workspace: Path) -> None:
    with webhook_receiver([500] * 5) as hook:
        result = _run(
            "--send",
            "--json",
            "--week",
            DEMO_WEEK,
            "--workspace",
            str(workspace),
            *_settings(
                slack_webhook_url=hook.url, digest_retry_attempts=3, digest_retry_base_seconds=0
            ),
        )
    assert result.exit_code == 1, result.output
    (delivery,) = json.loads(result.output)["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("failed", 3)
    assert len(hook.requests) == 3
    assert [e["error"].split(": ")[0] for e in delivery["log"]] == [
        "the slack webhook at 127.0.0.1 answered HTTP 500"
    ] * 3
    assert DigestDelivery.objects.get().status == "failed"


def test_send_with_nothing_configured_says_what_to_configure(workspace: Path) -> None:
    result = _run("--send", "--workspace", str(workspace))
    assert result.exit_code == 1
    assert "neither email nor Slack is configured" in result.output
    assert "smtp_host" in result.output
    assert "slack_webhook_url" in result.output


def test_a_week_that_has_not_started_is_refused(workspace: Path) -> None:
    result = _run("--week", "2999-W01", "--workspace", str(workspace))
    assert result.exit_code == 1
    assert "has not started yet" in result.output


def test_week_and_date_together_are_a_usage_error(workspace: Path) -> None:
    result = _run("--week", DEMO_WEEK, "--date", "2026-09-30", "--workspace", str(workspace))
    assert result.exit_code == 2


def test_a_week_before_the_data_start_says_so_in_the_number_sections(workspace: Path) -> None:
    result = _run("--week", "2024-W10", "--workspace", str(workspace), "--json")
    assert result.exit_code == 0, result.output
    sections = {s["key"]: s for s in json.loads(result.output)["digest"]["sections"]}
    for key in ("scorecard", "diagnosis"):
        assert sections[key]["empty"] == "2024-Q1 ends before the data start (2024-10-01)"
        assert "pick a quarter from 2024-Q4 to 2026-Q3" in sections[key]["hint"]
