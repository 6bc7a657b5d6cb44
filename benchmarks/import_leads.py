"""Import benchmark: a leads CSV validated and loaded, at several scales.

    python benchmarks/import_leads.py --rows 100000,1000000 --repeat 5

For each size it builds (once, cached in --dir) a demo company with that many
leads, writes ``leads.csv`` with canonical headers and a workspace whose
warehouse already holds the tables leads refer to (people, products, campaigns,
accounts), so the reference checks run as in real use. Then, in one run, it
times:

- **coparent**: ``import_file`` (read, every check, references, atomic load);
- **plain DuckDB**: ``CREATE OR REPLACE TABLE ... AS SELECT * FROM read_csv(...)``
  on the same file, no validation at all: the floor a validating import is
  compared with;
- **coparent with a mapping** that uses the engine-run mapping features
  (``--features``, on by default): the leads file without its
  ``opportunity_id`` column, a filter that drops the ``events`` leads, a
  lookup of each lead's deal in ``deals.csv`` (the opportunities, which name
  their lead) and a computed ``first_contacted_at`` (two dates parsed in the
  expression, then coalesced).

It prints the median, minimum and maximum of each and the ratio of the medians.
The whole-process command for an outside timer is printed too.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from coparent import warehouse
from coparent.demo import Scale, generate
from coparent.services.imports import import_file
from coparent.settings import Settings
from coparent.workspace import Workspace

REFERENCED = ("people", "products", "campaigns", "accounts")
FEATURES = """
[leads.filter]
drop = "channel = 'events'"

[leads.lookups.deals]
file = "deals.csv"
key = "lead_id"
on = "lead_id"

[leads.columns]
opportunity_id = { expr = "deals.opportunity_id" }
first_contacted_at = { expr = "coalesce(date(first_contacted_at), date(accepted_at))" }
"""


def prepare(rows: int, root: Path) -> tuple[Path, Workspace]:
    """Write leads.csv and a workspace with the referenced tables, once per size."""
    folder = root / f"leads-{rows}"
    csv_path = folder / "leads.csv"
    ws = Workspace(folder / "ws")
    if csv_path.exists() and ws.exists() and (folder / "features.toml").exists():
        return csv_path, ws
    folder.mkdir(parents=True, exist_ok=True)
    scale = Scale(
        leads=rows,
        accounts=max(rows // 3, 10),
        touches_per_lead=1.0,
        experiment_subjects=100,
        lapsed_accounts=0,
    )
    company = generate(scale, seed=1)
    leads = company.tables["leads"]
    pacsv.write_csv(leads, csv_path)
    pacsv.write_csv(leads.drop_columns(["opportunity_id"]), folder / "leads_raw.csv")
    opportunities = company.tables["opportunities"]
    deals = opportunities.filter(pc.is_valid(opportunities["lead_id"]))
    pacsv.write_csv(deals, folder / "deals.csv")
    (folder / "features.toml").write_text(FEATURES, encoding="utf-8")
    ws.init()
    con = ws.connect(ws.settings())
    for name in REFERENCED:
        warehouse.write_table(con, name, company.tables[name])
    con.disconnect()
    return csv_path, ws


def time_coparent(
    csv_path: Path, ws: Workspace, repeat: int, mapping: Path | None = None
) -> list[float]:
    settings = Settings()
    con = ws.connect(settings)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = import_file(con, table="leads", path=csv_path, mapping=mapping, settings=settings)
        times.append(time.perf_counter() - started)
        assert result.rows > 0
        if mapping is not None:
            assert result.dropped > 0
    con.disconnect()
    return times


def time_duckdb(csv_path: Path, folder: Path, repeat: int) -> list[float]:
    db = duckdb.connect(str(folder / "plain.duckdb"))
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        db.execute(
            f"CREATE OR REPLACE TABLE leads AS SELECT * FROM read_csv('{csv_path}', header=true)"
        )
        times.append(time.perf_counter() - started)
    db.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000", help="comma-separated sizes")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/coparent-bench"))
    parser.add_argument(
        "--features",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the mapping with a filter, a lookup and a computed column",
    )
    args = parser.parse_args()
    print(
        f"{'rows':>10} {'MB':>6} {'coparent s (min-max)':>24} {'duckdb s (min-max)':>22} "
        f"{'ratio':>6} {'rows/s':>10}" + (f" {'mapped s (min-max)':>22}" if args.features else "")
    )
    for rows in (int(r) for r in args.rows.split(",")):
        csv_path, ws = prepare(rows, args.dir)
        ours = time_coparent(csv_path, ws, args.repeat)
        plain = time_duckdb(csv_path, csv_path.parent, args.repeat)
        mapped: list[float] = []
        if args.features:
            raw = csv_path.parent / "leads_raw.csv"
            mapped = time_coparent(raw, ws, args.repeat, csv_path.parent / "features.toml")
        mb = csv_path.stat().st_size / 1e6
        m_ours, m_plain = statistics.median(ours), statistics.median(plain)
        extra = (
            f" {statistics.median(mapped):>8.2f} ({min(mapped):.2f}-{max(mapped):.2f})"
            if mapped
            else ""
        )
        print(
            f"{rows:>10,} {mb:>6.0f} {m_ours:>8.2f} ({min(ours):.2f}-{max(ours):.2f})"
            f"{'':>4} {m_plain:>8.2f} ({min(plain):.2f}-{max(plain):.2f})"
            f" {m_ours / m_plain:>6.1f} {rows / m_ours:>10,.0f}{extra}"
        )
        print(f"{'':>10} whole process: coparent import leads {csv_path} -w {ws.path}")


if __name__ == "__main__":
    main()
