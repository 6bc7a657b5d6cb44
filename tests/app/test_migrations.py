"""The app layer moved from ``coparent.web.*`` to ``coparent.app.*`` keeping its history.

``tests/data/app/app-db-0.1.0.sql`` is the app database of a demo workspace as
release 0.1.0 made it (before the move), with rows in every app model. A copy
is migrated by the current code in its own process: nothing to apply, no
model change left without a migration, and every row reads back through the
ORM as it was written.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from coparent.workspace import Workspace
from tests._processes import clean_env, run_coparent

DUMP = Path(__file__).resolve().parents[1] / "data" / "app" / "app-db-0.1.0.sql"
APP_LABELS = ("digest", "feedback", "goals", "imports", "pairs", "starters", "teams", "wins")
NEW_APPS = ("notifications",)
"""Apps added after release 0.1.0: their first migration applies to an old database."""

READ_BACK = """
import json, sys
from pathlib import Path
from coparent.services.webapp import webapp_open
from coparent.workspace import Workspace
assert webapp_open(Workspace(Path(sys.argv[1])))
from django.apps import apps
from coparent.app.feedback.models import FeedbackItem, LeadReview
from coparent.app.goals.models import Goal
from coparent.app.pairs.models import PairRound
from coparent.app.teams.models import Membership
from coparent.app.digest.models import DigestDelivery
out = {
    "counts": {
        f"{m._meta.app_label}.{m.__name__}": m.objects.count()
        for label in sys.argv[2].split(",")
        for m in apps.get_app_config(label).get_models()
    },
    "modules": sorted({apps.get_app_config(l).name for l in sys.argv[2].split(",")}),
    "title": FeedbackItem.objects.get(kind="lead_rejected").title,
    "review": [LeadReview.objects.get().item.lead_id, LeadReview.objects.get().reviewer.username],
    "goal": [str(Goal.objects.get().won_revenue), sorted(
        (s.team, s.metric, str(s.target)) for s in Goal.objects.get().sub_goals.all())],
    "pairs": PairRound.objects.get(number=1).pairs.get().members,
    "owner": Membership.objects.get(role="owner").user.username,
    "digest": DigestDelivery.objects.get().log,
}
print(json.dumps(out))
"""


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(db)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
            )
        ]
        return {t: sorted(con.execute(f'select * from "{t}"'), key=repr) for t in tables}
    finally:
        con.close()


@pytest.fixture
def old_release_workspace(tmp_path: Path) -> Path:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    con = sqlite3.connect(ws.path / "app.sqlite3")
    con.executescript(DUMP.read_text(encoding="utf-8"))
    con.close()
    return ws.path


def test_the_dump_holds_rows_in_every_app_model() -> None:
    con = sqlite3.connect(":memory:")
    con.executescript(DUMP.read_text(encoding="utf-8"))
    tables = [n for (n,) in con.execute("select name from sqlite_master where type = 'table'")]
    for label in APP_LABELS:
        mine = [t for t in tables if t.startswith(f"{label}_")]
        assert mine, label
        for table in mine:
            assert con.execute(f'select count(*) from "{table}"').fetchone()[0] > 0, table


def test_an_app_database_from_the_previous_layout_migrates_with_data_intact(
    old_release_workspace: Path,
) -> None:
    ws = old_release_workspace
    before = _rows(ws / "app.sqlite3")

    migrate = run_coparent("manage", "-w", str(ws), "migrate", "--no-input", check=True)
    applied = [line.split()[1] for line in migrate.stdout.splitlines() if "Applying" in line]
    # only apps born after release 0.1.0 have anything to apply: the moved ones kept their history
    assert {a.split(".")[0] for a in applied} <= set(NEW_APPS), migrate.stdout
    pending = run_coparent("manage", "-w", str(ws), "makemigrations", "--check", "--dry-run")
    assert pending.returncode == 0, pending.stdout + pending.stderr

    after = _rows(ws / "app.sqlite3")
    assert {t for t in after.keys() - before.keys() if not t.startswith(NEW_APPS)} == set()
    assert before.keys() <= after.keys()
    for table, rows in before.items():
        if table in ("auth_permission", "django_content_type", "django_migrations"):
            assert set(rows) <= set(after[table]), table  # a new app adds its own rows
        else:
            assert after[table] == rows, table

    read = subprocess.run(
        [sys.executable, "-c", READ_BACK, str(ws), ",".join(APP_LABELS)],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert read.returncode == 0, read.stderr
    out = json.loads(read.stdout)
    assert out["modules"] == sorted(f"coparent.app.{label}" for label in APP_LABELS)
    assert all(n > 0 for n in out["counts"].values()), out["counts"]
    assert out["counts"]["wins.Win"] == 12
    assert out["counts"]["teams.Membership"] == 6
    assert out["title"] == "Too small: Zoë's Café"
    assert out["review"] == ["L000001", "rep"]
    assert out["goal"] == [
        "1250000.00",
        [["marketing", "mqls", "600.0000"], ["sales", "win_rate", "0.3500"]],
    ]
    assert out["pairs"] == [{"person_id": "U1", "name": "A", "team": "sales", "side": "sales"}]
    assert out["owner"] == "ceo"
    assert out["digest"] == [{"attempt": 1}]
