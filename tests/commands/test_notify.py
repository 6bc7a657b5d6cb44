"""``coparent notify run`` and ``status``: send the queue to local servers, report, never twice.

The first tests run in-process against the test database (as tests/commands/test_digest.py
does); the last starts two ``coparent notify run`` processes at once on one workspace's
SQLite app database and checks that every notification went out exactly once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from coparent.app.feedback.models import FeedbackItem
from coparent.app.notifications.models import Notification
from coparent.app.notifications.services import (
    notification_preference_update,
    notify_feedback_item,
)
from coparent.cli import app
from coparent.workspace import Workspace
from tests._processes import clean_env
from tests.notify.servers import smtp_server, webhook_receiver


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["notify", *args], terminal_width=120)


def _settings(**values: Any) -> list[str]:
    out = []
    for name, value in values.items():
        out += ["--setting", f"{name}={value}"]
    return out


def _item(people: dict[str, Any]) -> FeedbackItem:
    now = timezone.now()
    item = FeedbackItem.objects.create(
        kind="field_insight",
        side="sales",
        waiting_for="marketing",
        title="Prospects ask for SSO",
        author=people["member_sales"],
        created_at=now,
        due_at=now + timedelta(days=2),
    )
    notify_feedback_item(item_id=item.pk)
    return item


def test_help_names_run_and_status() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    assert "run" in result.output
    assert "status" in result.output
    assert "--dry-run" in _run("run", "--help").output


@pytest.mark.django_db
def test_run_sends_by_email_and_reports_each_message(workspace: Path, people: Any) -> None:
    _item(people)
    with smtp_server() as (port, box):
        options = [
            "--workspace",
            str(workspace),
            *_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_use_tls="false"),
        ]
        dry = _run("run", "--dry-run", *options)
        assert dry.exit_code == 0, dry.output
        assert "email to member_marketing: due, 1 notice" in dry.output
        assert not box.messages
        done = _run("run", *options)
        assert done.exit_code == 0, done.output
        assert "email to champion_marketing: sent, 1 notice" in done.output
        assert "2 sent, 2 skipped, 0 to retry, 0 failed" in done.output
        again = _run("run", *options)
        assert "0 sent, 0 skipped" in again.output
    assert len(box.messages) == 2
    status = _run("status", "--workspace", str(workspace), "--json")
    assert json.loads(status.output)["counts"] == {
        "queued": 0,
        "sending": 0,
        "sent": 2,
        "skipped": 2,
        "failed": 0,
    }


@pytest.mark.django_db
def test_a_notification_that_fails_for_good_exits_1_with_the_error(
    workspace: Path, people: Any
) -> None:
    notification_preference_update(
        user=people["member_marketing"],
        email=False,
        slack=True,
        slack_member_id="U1ABC",
        frequency="immediate",
    )
    _item(people)
    with webhook_receiver(statuses=[403]) as hook:
        result = _run(
            "run", "--workspace", str(workspace), *_settings(slack_webhook_url=hook.url), "--json"
        )
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["failed"] == 1
    (failed,) = [m for m in report["messages"] if m["status"] == "failed"]
    assert "answered HTTP 403" in failed["error"]
    assert Notification.objects.filter(status="failed").count() == 1
    status = _run("status", "--workspace", str(workspace))
    assert "failed #" in status.output
    assert "slack to member_marketing after 1 attempt" in status.output


SEED = """
import sys
from pathlib import Path
from datetime import timedelta
from django.utils import timezone
from coparent.services.webapp import webapp_prepare
from coparent.workspace import Workspace

webapp_prepare(Workspace(Path(sys.argv[1])))
from django.contrib.auth import get_user_model
from coparent.app.feedback.models import FeedbackItem
from coparent.app.notifications.services import notify_feedback_item
from coparent.app.teams.models import Membership

for n in range(40):
    user = get_user_model().objects.create_user(f"m{n}", email=f"m{n}@example.com")
    Membership.objects.create(user=user, role="member", team="marketing")
now = timezone.now()
for title in ("First", "Second", "Third"):
    item = FeedbackItem.objects.create(
        kind="field_insight", side="sales", waiting_for="marketing", title=title,
        created_at=now, due_at=now + timedelta(days=2),
    )
    notify_feedback_item(item_id=item.pk)
"""


def test_two_runs_at_once_send_every_notification_exactly_once(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    Workspace(ws).init()
    env = clean_env(COPARENT_HOME=str(ws))
    seed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SEED), str(ws)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert seed.returncode == 0, seed.stderr
    with smtp_server() as (port, box):
        command = [
            sys.executable,
            "-m",
            "coparent",
            "notify",
            "run",
            "--json",
            "--workspace",
            str(ws),
            *_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_use_tls="false"),
        ]
        runs = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        outputs = [r.communicate(timeout=180) for r in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()
    reports = [json.loads(out) for out, _ in outputs]
    assert sum(r["sent"] for r in reports) == 120  # 40 people x 3 items, by email
    recipients = sorted(rcpt for _, rcpts in box.envelopes for rcpt in rcpts)
    assert len(box.messages) == len({m["To"] for m in box.messages})  # one message each
    assert recipients == sorted(f"m{n}@example.com" for n in range(40))
    assert all(m["Subject"] == "3 things for you" for m in box.messages)
