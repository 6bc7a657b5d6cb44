"""Scorecard + diagnosis at the ``large`` demo scale: coparent on DuckDB against plain pandas.

    python benchmarks/reports_vs_pandas.py [--scale large] [--repeat 3] [--calls 1]

Builds the demo company once (cached in --dir: generated, then loaded through
the import path), then runs each side in its own process so peak memory is
its own:

- **coparent**: ``scorecard_report`` + ``diagnosis_report`` on the DuckDB
  warehouse (a new connection each run: nothing cached);
- **pandas**: a straightforward, idiomatic implementation of the same numbers,
  written only here: read the columns it needs from the demo's Parquet export,
  filter early (activities from the period start on, as the engine does), then
  groupby/merge (per-product won, lost, win rate and revenue; the MQL funnel;
  the Sales SLA share with first activities; the per-product flows of two
  quarters and their LMDI-I effects). It computes only these numbers, while
  coparent computes both whole reports.

The benchmark checks that both produce the same numbers (1e-9 relative) and
prints medians over --repeat processes per side of the first call's wall and
CPU time (CPU includes DuckDB's threads), the whole process, each side's peak
memory and the ratios. With --calls N each process runs the work N times and
the later calls (what a long-lived process such as the web app pays) are
reported too. The load average is printed: on 2 cores, other work skews it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

SIDES = ("coparent", "pandas")
PERIOD, BASELINE = ("2026-07-01", "2026-10-01"), ("2026-04-01", "2026-07-01")
FACTORS = ("volume", "acceptance", "conversion", "pace", "win_rate", "deal_size")
LEAD_COLUMNS: tuple[str, ...] = (
    "lead_id",
    "created_at",
    "product_id",
    "mql_at",
    "first_contacted_at",
)
LEAD_COLUMNS += ("accepted_at", "opportunity_id")
OPPORTUNITY_COLUMNS: tuple[str, ...] = (
    "opportunity_id",
    "product_id",
    "created_at",
    "closed_at",
    "status",
)
OPPORTUNITY_COLUMNS += ("amount",)


def build(scale: str, root: Path) -> Path:
    from coparent.services.demo import demo_build
    from coparent.workspace import Workspace

    ws = Workspace(root / f"demo-{scale}")
    if (ws.path / "demo-truths.json").exists():
        return ws.path
    ws.init()
    started = time.perf_counter()
    demo_build(ws, settings=ws.settings(), scale=scale, seed=0)
    print(f"built the {scale} demo in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return ws.path


def run_coparent(path: Path) -> dict[str, Any]:
    from coparent.services.diagnosis import diagnosis_report
    from coparent.services.scorecard import scorecard_report
    from coparent.workspace import Workspace

    ws = Workspace(path)
    settings = ws.settings()
    con = ws.connect(settings)
    card = scorecard_report(con, settings=settings)
    diag: dict[str, Any] = diagnosis_report(con, settings=settings)
    return {
        "products": {
            p["product_id"]: [p["won"], p["lost"], p["win_rate"], p["revenue"]]
            for p in card["products"]
        },
        "funnel": [row["count"] for row in card["funnel"]],
        "sla_share": card["sla"]["sales"]["share_within_sla"],
        "revenue": [diag["revenue"]["baseline"], diag["revenue"]["current"]],
        "effects": {row["factor"]: row["amount"] for row in diag["factor_totals"]},
    }


def _lm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    same = np.isclose(a, b)
    return np.where(same, a, (a - b) / np.where(same, 1.0, np.log(a / np.where(same, 1, b))))


def run_pandas(path: Path) -> dict[str, Any]:
    """The same numbers in idiomatic pandas: read only the columns used, filter before merging."""
    import pandas as pd

    export = path / "demo-export"
    leads = pd.read_parquet(export / "leads.parquet", columns=list(LEAD_COLUMNS))
    opps = pd.read_parquet(export / "opportunities.parquet", columns=list(OPPORTUNITY_COLUMNS))
    acts = pd.read_parquet(export / "activities.parquet", columns=["lead_id", "occurred_at"])
    start, end = (pd.Timestamp(d) for d in PERIOD)
    b_start, b_end = (pd.Timestamp(d) for d in BASELINE)

    closed = opps[(opps.closed_at >= start) & (opps.closed_at < end)]
    closed = closed[closed.status.isin(["won", "lost"])]
    won = closed.status == "won"
    per = (
        pd.DataFrame({"won": won, "lost": ~won, "revenue": closed.amount.where(won, 0.0)})
        .groupby(closed.product_id)
        .sum()
    )
    per["win_rate"] = per.won / (per.won + per.lost)
    products = {
        pid: [int(r.won), int(r.lost), float(r.win_rate), float(r.revenue)]
        for pid, r in per.iterrows()
    }

    mqls = leads[(leads.mql_at >= start) & (leads.mql_at < end)]
    with_opp = mqls.merge(opps[["opportunity_id", "status"]], on="opportunity_id", how="left")
    has_opp = with_opp.opportunity_id.notna()
    funnel = [
        len(mqls),
        int((with_opp.accepted_at.notna() | has_opp).sum()),
        int(has_opp.sum()),
        int((with_opp.status == "won").sum()),
    ]

    # an activity counts from its lead's MQL on, so none before the period can count
    recent = acts[acts.occurred_at >= start]
    first_act = (
        recent.merge(mqls[["lead_id", "mql_at"]], on="lead_id")
        .query("occurred_at >= mql_at")
        .groupby("lead_id")
        .occurred_at.min()
    )
    contact = mqls.set_index("lead_id")[["mql_at", "first_contacted_at"]].join(first_act)
    first = contact[["first_contacted_at", "occurred_at"]].min(axis=1)
    waited: pd.Series[pd.Timedelta] = first - contact.mql_at
    hours = (waited.dt.total_seconds() / 3600).clip(lower=0)
    as_of = leads[["created_at", "mql_at"]].max().max()
    as_of = max(as_of, opps[["created_at", "closed_at"]].max().max(), acts.occurred_at.max())
    as_of = pd.Timestamp(datetime.combine(as_of.date(), datetime.min.time())) + pd.Timedelta(days=1)
    met = (hours <= 24).sum()
    pending = first.isna() & (contact.mql_at + pd.Timedelta(hours=24) > as_of)
    missed = len(contact) - met - pending.sum()
    sla_share = float(met / (met + missed))

    def flows(lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
        def inside(col: pd.Series) -> pd.Series:
            return (col >= lo) & (col < hi)

        lead_part = (
            pd.DataFrame({"L": inside(leads.mql_at), "A": inside(leads.accepted_at)})
            .groupby(leads.product_id)
            .sum()
        )
        done = inside(opps.closed_at) & opps.status.isin(["won", "lost"])
        won = done & (opps.status == "won")
        deal_part = (
            pd.DataFrame(
                {
                    "O": inside(opps.created_at),
                    "C": done,
                    "W": won,
                    "R": opps.amount.where(won, 0.0).fillna(0.0),
                }
            )
            .groupby(opps.product_id)
            .sum()
        )
        return lead_part.join(deal_part, how="outer").fillna(0.0).astype(float)

    f0, f1 = flows(b_start, b_end), flows(start, end)
    r0, r1 = f0.R.to_numpy(), f1.R.to_numpy()

    def ratios(f: pd.DataFrame) -> np.ndarray:
        return np.column_stack([f.L, f.A / f.L, f.O / f.A, f.C / f.O, f.W / f.C, f.R / f.W])

    weights = _lm(r1, r0)[:, None]
    effects = (weights * np.log(ratios(f1) / ratios(f0))).sum(axis=0)
    return {
        "products": products,
        "funnel": funnel,
        "sla_share": sla_share,
        "revenue": [float(r0.sum()), float(r1.sum())],
        "effects": dict(zip(FACTORS, map(float, effects), strict=True)),
    }


def _same(a: Any, b: Any, where: str = "") -> list[str]:
    if isinstance(a, dict):
        keys = set(a) | set(b)
        return [m for k in sorted(keys) for m in _same(a.get(k), b.get(k), f"{where}.{k}")]
    if isinstance(a, list):
        return [
            m
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for m in _same(x, y, f"{where}[{i}]")
        ]
    if a is None or b is None or not np.isclose(a, b, rtol=1e-9, atol=1e-6):
        return [f"{where}: coparent {a!r} != pandas {b!r}"]
    return []


def _peak_mb() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss survives exec on Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(side: str, path: Path, out: Path, calls: int) -> None:
    # Libraries are imported before the clock starts: "compute" is the work itself;
    # the parent times the whole process too. Each side's libraries include the
    # ones it loads lazily: Ibis's DuckDB backend (on connect) and its Arrow result
    # converter (which imports pandas, on the first query); pyarrow.parquet for
    # pandas.read_parquet. The work runs ``calls`` times: the first call is what a
    # command pays, the later ones what a long-lived process (the web app) pays.
    if side == "coparent":
        import ibis.backends.duckdb.converter  # noqa: F401

        import coparent.services.diagnosis
        import coparent.services.scorecard  # noqa: F401
    else:
        import pandas  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    seconds, cpu = [], []
    for _ in range(calls):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = run_coparent(path) if side == "coparent" else run_pandas(path)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    peak_mb = _peak_mb()
    out.write_text(
        json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, "result": result})
    )


def _ratio_line(label: str, value: dict[str, float]) -> str:
    return f"{label} {value['pandas'] / value['coparent']:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large")
    parser.add_argument("--repeat", type=int, default=3, help="processes per side")
    parser.add_argument(
        "--calls", type=int, default=1, help="runs of the work in each process (first + repeats)"
    )
    parser.add_argument("--dir", type=Path, default=Path("/tmp/coparent-bench"))
    parser.add_argument("--child", choices=SIDES)
    parser.add_argument("--path", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.path, args.out, args.calls)
        return
    path = build(args.scale, args.dir)
    load_before = os.getloadavg()[0]
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    for _ in range(args.repeat):
        for side in SIDES:
            out = args.dir / f"{side}.json"
            command = [sys.executable, __file__, "--child", side, "--path", str(path)]
            started = time.perf_counter()
            subprocess.run([*command, "--out", str(out), "--calls", str(args.calls)], check=True)
            run = json.loads(out.read_text())
            run["process_seconds"] = time.perf_counter() - started
            runs[side].append(run)
    problems = _same(runs["coparent"][0]["result"], runs["pandas"][0]["result"])
    if problems:
        sys.exit("the two sides disagree:\n" + "\n".join(problems))
    print(
        f"scale {args.scale}: same numbers on both sides "
        f"({len(runs['pandas'][0]['result']['products'])} products, funnel, SLA, "
        f"{len(FACTORS)} bridge effects); load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (2 cores: above ~1 the figures are noisy)"
    )
    first = {s: statistics.median(r["seconds"][0] for r in runs[s]) for s in SIDES}
    first_cpu = {s: statistics.median(r["cpu"][0] for r in runs[s]) for s in SIDES}
    whole = {s: statistics.median(r["process_seconds"] for r in runs[s]) for s in SIDES}
    peak = {s: max(r["peak_mb"] for r in runs[s]) for s in SIDES}
    for side in SIDES:
        print(
            f"{side:>9}: first call {first[side]:6.2f} s (cpu {first_cpu[side]:5.2f} s), "
            f"whole process {whole[side]:6.2f} s, peak {peak[side]:7.0f} MB "
            f"(medians of {args.repeat} processes)"
        )
    lines = [_ratio_line("first call", first), _ratio_line("cpu", first_cpu)]
    if args.calls > 1:
        repeat = {s: statistics.median(t for r in runs[s] for t in r["seconds"][1:]) for s in SIDES}
        for side in SIDES:
            print(f"{side:>9}: repeat calls {repeat[side]:6.2f} s (median)")
        lines.append(_ratio_line("repeat calls", repeat))
    else:
        lines.append(_ratio_line("whole process", whole))
    print("pandas / coparent: " + ", ".join(lines))


if __name__ == "__main__":
    main()
