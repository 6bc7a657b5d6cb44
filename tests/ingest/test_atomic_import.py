"""An import interrupted at the swap leaves the old table and its rows exactly as they were."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from ibis.backends import BaseBackend

from coparent import warehouse
from coparent.services.imports import import_file

from .conftest import BAD, seed_table, snapshot

GOOD = BAD / "good_opportunities.csv"


class Boom(Exception):
    pass


def _fail(name: str) -> None:
    raise Boom(name)


def test_a_failure_injected_at_the_swap_keeps_the_old_table(
    con: BaseBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(con)
    monkeypatch.setattr(warehouse, "_before_commit", _fail)
    with pytest.raises(Boom):
        import_file(con, table="opportunities", path=GOOD)
    after = snapshot(con)
    assert after.keys() == before.keys()
    assert all(after[name].equals(table) for name, table in before.items())


def test_a_failure_when_appending_keeps_the_old_rows(
    con: BaseBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = con.table("opportunities").to_pyarrow()
    monkeypatch.setattr(warehouse, "_before_commit", _fail)
    with pytest.raises(Boom):
        import_file(con, table="opportunities", path=GOOD, mode="append")
    assert con.table("opportunities").to_pyarrow().equals(before)


def test_a_first_import_that_fails_at_the_swap_creates_no_table(
    empty_con: BaseBackend, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "products.csv"
    path.write_text("product_id,name\nGTX Pro,GTX Pro\n", encoding="utf-8")
    monkeypatch.setattr(warehouse, "_before_commit", _fail)
    with pytest.raises(Boom):
        import_file(empty_con, table="products", path=path)
    assert not warehouse.has_table(empty_con, "products")


_CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from coparent import warehouse
    from coparent.services.imports import import_file

    con = warehouse.connect("duckdb://" + sys.argv[1])
    warehouse._before_commit = lambda name: os._exit(9)
    import_file(con, table="opportunities", path=Path(sys.argv[2]))
    print("the import finished, which it must not")
    """
)


def test_killing_the_process_during_the_swap_keeps_the_old_table_in_the_file(
    tmp_path: Path,
) -> None:
    db = tmp_path / "warehouse.duckdb"
    con = warehouse.connect(f"duckdb://{db}")
    old = seed_table("opportunities")
    warehouse.write_table(con, "opportunities", old)
    before = con.table("opportunities").to_pyarrow()
    con.disconnect()

    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(db), str(GOOD)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 9, child.stderr
    assert "must not" not in child.stdout

    reopened = warehouse.connect(f"duckdb://{db}")
    try:
        after = reopened.table("opportunities").to_pyarrow()
        assert after.equals(before)
        assert after["opportunity_id"].to_pylist() == ["old1", "old2"]
    finally:
        reopened.disconnect()
