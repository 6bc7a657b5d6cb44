"""Attribution benchmark: exact Markov removal effects against ChannelAttribution's simulation.

    .venv/bin/python benchmarks/attribution.py --journeys 1000000 --repeat 5

Simulates journeys the way docs/STACK.md section 5 describes (8 channels, path
length geometric and at most 12, conversion = 1 - prod(1 - lift[channel]),
about 9.7% converting, about 130,000 unique paths at a million journeys) and
stores them in DuckDB twice: as canonical ``touches`` and ``opportunities``
(one row per touch, the shape coparent imports) and as a ``journeys`` table
(one row per journey, its path as text). Then, in one run and interleaved, it
times four runs of a first-order Markov model:

- **coparent from touches**: `services.attribution.warehouse_paths` (journeys
  ordered, cut at conversion and aggregated to unique paths in the engine)
  and `MarkovAttribution(order=1).fit` (exact removal effects);
- **ChannelAttribution, unique paths**: its default ``markov_model``
  (``conv_par=0.05``, ``ncore=1``) on the unique paths, aggregated beforehand
  and not timed;
- **coparent from journeys**: `journeys.unique_text_paths` (group the million
  text paths in the engine) and the exact fit;
- **ChannelAttribution, journeys**: its default run on the million rows.

It prints medians (min-max), the ratios of the medians, how far each
ChannelAttribution run is from the exact removal effects, where coparent's
time from touches goes (the label query, the path query, the fit), and
(once) the time of its high-precision run (``conv_par=0.002``). The peer is
a test-only dependency; coparent never imports it.

Fairness: the first pair is not like for like. ChannelAttribution is handed
the unique paths already aggregated (that work is not timed), while
coparent's time includes building them from 2.8M raw touches in the engine.
DuckDB may use both cores; ChannelAttribution runs with its default
``ncore=1``, so CPU times are printed beside wall times. The second pair
gives both sides the same one-row-per-journey input.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from coparent.models.attribution import (
    MarkovAttribution,
    PathVocabulary,
    UniquePaths,
    conversion_events,
    journey_events,
    path_vocabulary,
    unique_paths,
    unique_text_paths,
)
from coparent.services.attribution import warehouse_paths

CHANNELS = ("paid_search", "organic", "email", "social", "display", "webinar", "events", "referral")
MIX = np.array([0.24, 0.2, 0.16, 0.12, 0.1, 0.08, 0.06, 0.04])
LIFT = 1.22 * np.array([0.012, 0.024, 0.036, 0.03, 0.018, 0.06, 0.048, 0.072])
STOP = 0.35
"""Chance a journey ends after each touch: lengths are geometric (mean ~2.9), cut at 12."""
START = datetime(2025, 1, 1)


def simulate(n: int, seed: int) -> dict[str, Any]:
    """Journeys as flat arrays: journey of each touch, channel, time; outcome per journey."""
    rng = np.random.default_rng(seed)
    length = np.minimum(rng.geometric(STOP, n), 12)
    journey = np.repeat(np.arange(n, dtype=np.int64), length)
    channel = rng.choice(len(CHANNELS), size=journey.size, p=MIX)
    offsets = np.concatenate([[0], np.cumsum(length)])
    position = np.arange(journey.size) - offsets[:-1][journey]
    survive = np.add.reduceat(np.log1p(-LIFT[channel]), offsets[:-1])
    converted = rng.random(n) < 1.0 - np.exp(survive)
    value = np.where(converted, np.round(rng.lognormal(8.0, 1.0, n), 2), 0.0)
    first = rng.integers(0, 300 * 86400, n)
    gap = rng.integers(3600, 5 * 86400, journey.size)
    gap[offsets[:-1]] = 0
    seconds = first[journey] + np.cumsum(gap) - np.repeat(np.cumsum(gap)[offsets[:-1]], length)
    return {
        "n": n,
        "length": length,
        "journey": journey,
        "channel": channel,
        "position": position,
        "seconds": seconds,
        "converted": converted,
        "value": value,
        "offsets": offsets,
    }


def tables(sim: dict[str, Any]) -> dict[str, pa.Table]:
    """Canonical touches and opportunities (one won deal per converting journey)."""
    n = sim["n"]
    lead_ids = pa.array(np.char.add("L", np.char.zfill(np.arange(n).astype(str), 7)))
    at = np.datetime64(START, "s") + sim["seconds"].astype("timedelta64[s]")
    touches = pa.table(
        {
            "touch_id": pa.array(np.arange(sim["journey"].size)).cast(pa.string()),
            "lead_id": lead_ids.take(pa.array(sim["journey"])),
            "account_id": pa.nulls(sim["journey"].size, pa.string()),
            "occurred_at": pa.array(at.astype("datetime64[us]")),
            "channel": pa.array(np.array(CHANNELS)[sim["channel"]]),
            "campaign_id": pa.nulls(sim["journey"].size, pa.string()),
            "kind": pa.array(np.full(sim["journey"].size, "visit")),
        }
    )
    won = np.flatnonzero(sim["converted"])
    last = at[sim["offsets"][1:] - 1][won]
    created = last + np.timedelta64(3600, "s")
    opportunities = pa.table(
        {
            "opportunity_id": pa.array(np.char.add("O", won.astype(str))),
            "account_id": pa.nulls(won.size, pa.string()),
            "lead_id": lead_ids.take(pa.array(won)),
            "created_at": pa.array(created.astype("datetime64[us]")),
            "closed_at": pa.array((created + np.timedelta64(86400, "s")).astype("datetime64[us]")),
            "stage": pa.array(np.full(won.size, "Closed Won")),
            "status": pa.array(np.full(won.size, "won")),
            "amount": pa.array(sim["value"][won]),
        }
    )
    return {"touches": touches, "opportunities": opportunities}


def _path_codes(sim: dict[str, Any]) -> np.ndarray:
    base = len(CHANNELS) + 1
    return np.add.reduceat(
        (sim["channel"] + 1) * base ** sim["position"].astype(np.int64), sim["offsets"][:-1]
    )


def _path_text(codes: np.ndarray) -> list[str]:
    base = len(CHANNELS) + 1
    names = []
    for number in codes.tolist():
        steps, rest = [], number
        while rest:
            rest, digit = divmod(rest, base)
            steps.append(CHANNELS[digit - 1])
        names.append(" > ".join(steps))
    return names


def journeys(sim: dict[str, Any]) -> pd.DataFrame:
    """One row per journey with its path as text (ChannelAttribution's unaggregated input)."""
    unique, inverse = np.unique(_path_codes(sim), return_inverse=True)
    text = np.array(_path_text(unique), dtype=object)[inverse]
    converted = sim["converted"]
    return pd.DataFrame(
        {
            "path": text,
            "converted": converted,
            "total_conversions": converted.astype(np.int64),
            "total_conversion_value": sim["value"],
            "total_null": (~converted).astype(np.int64),
        }
    )


def aggregated(sim: dict[str, Any]) -> pd.DataFrame:
    """ChannelAttribution's input: unique paths as text with their counts (not timed)."""
    unique, inverse = np.unique(_path_codes(sim), return_inverse=True)
    conv = np.bincount(inverse, weights=sim["converted"], minlength=unique.size)
    value = np.bincount(inverse, weights=sim["value"], minlength=unique.size)
    null = np.bincount(inverse, weights=~sim["converted"], minlength=unique.size)
    return pd.DataFrame(
        {
            "path": _path_text(unique),
            "total_conversions": conv.astype(np.int64),
            "total_conversion_value": value,
            "total_null": null.astype(np.int64),
        }
    )


def _quiet(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def _deviation(exact: dict[str, float], peer: pd.DataFrame) -> tuple[float, str]:
    worst, which = 0.0, ""
    for row in peer.itertuples(index=False):
        d = abs(row.removal_effects_conversion / exact[row.channel_name] - 1.0)
        if d > worst:
            worst, which = d, row.channel_name
    return worst, which


def _run_sql(con: Any, sql: str, schema: pa.Schema) -> pa.Table:
    """The query's result in ``schema`` (DuckDB sums integers into HUGEINT; Ibis casts back)."""
    result = con.raw_sql(sql).arrow()
    table = result.read_all() if isinstance(result, pa.RecordBatchReader) else result
    return table.cast(schema)


def _breakdown(con: Any, source: dict[str, Any], repeat: int) -> dict[str, float]:
    """Median wall seconds of each step of "coparent from touches", run step by step."""
    names = (
        "label query (build, compile, run)",
        "path query: Ibis build and compile to SQL",
        "path query: DuckDB run, Arrow result",
        "Arrow to numpy and the exact fit",
    )
    steps: dict[str, list[float]] = {name: [] for name in names}
    touches, opportunities = source["touches"], source["opportunities"]
    for _ in range(repeat):
        marks = [time.perf_counter()]
        events = journey_events(touches, opportunities=opportunities)
        labels = path_vocabulary(events, by="channel").to_pyarrow()
        vocabulary = PathVocabulary.from_arrow(labels)
        marks.append(time.perf_counter())
        outcomes = conversion_events(opportunities)
        expr = unique_paths(events, outcomes=outcomes, vocabulary=vocabulary)
        sql, schema = str(expr.compile()), expr.schema().to_pyarrow()
        marks.append(time.perf_counter())
        table = _run_sql(con, sql, schema)
        marks.append(time.perf_counter())
        MarkovAttribution(order=1).fit(UniquePaths.from_arrow(table, labels=vocabulary.labels))
        marks.append(time.perf_counter())
        for name, a, b in zip(names, marks, marks[1:], strict=False):
            steps[name].append(b - a)
    return {name: statistics.median(values) for name, values in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-high-precision", action="store_true")
    args = parser.parse_args()

    with contextlib.redirect_stdout(io.StringIO()):
        import ChannelAttribution as peer

    started = time.perf_counter()
    sim = simulate(args.journeys, args.seed)
    con = ibis.duckdb.connect()
    for name, data in tables(sim).items():
        con.create_table(name, data)
    frame = aggregated(sim)
    rows = journeys(sim)
    con.create_table(
        "journeys", pa.Table.from_pandas(rows[["path", "converted", "total_conversion_value"]])
    )
    print(
        f"{args.journeys:,} journeys, {sim['journey'].size:,} touches, "
        f"{sim['converted'].mean():.1%} converting, {len(frame):,} unique paths "
        f"(built in {time.perf_counter() - started:.1f} s); "
        f"ChannelAttribution {importlib.metadata.version('channelattribution')}"
    )
    source = {name: con.table(name) for name in ("touches", "opportunities")}
    journey_table = con.table("journeys")

    def from_touches() -> MarkovAttribution:
        return MarkovAttribution(order=1).fit(warehouse_paths(source).paths)

    def from_journeys() -> MarkovAttribution:
        expr = unique_text_paths(journey_table, value_col="total_conversion_value")
        return MarkovAttribution(order=1).fit(UniquePaths.from_text(expr.to_pyarrow()))

    def peer_run(data: pd.DataFrame, conv_par: float = 0.05) -> Any:
        return _quiet(
            peer.markov_model,
            data,
            "path",
            "total_conversions",
            var_value="total_conversion_value",
            var_null="total_null",
            order=1,
            sep=">",
            ncore=1,
            conv_par=conv_par,
            out_more=True,
            flg_pro=False,
        )

    runs: dict[str, Callable[[], Any]] = {
        "coparent from touches": from_touches,
        "ChannelAttribution, unique paths": lambda: peer_run(frame),
        "coparent from journeys": from_journeys,
        "ChannelAttribution, journeys": lambda: peer_run(rows),
    }
    from_touches()  # warm-up: imports, first query compilation
    from_journeys()
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, Any] = {}
    for _ in range(args.repeat):
        for name, run in runs.items():
            t, c = time.perf_counter(), time.process_time()
            results[name] = run()
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    model = results["coparent from touches"]
    exact = dict(zip(model.labels_, model.removal_effects_.tolist(), strict=True))
    if model.n_paths_ != len(frame) or results["coparent from journeys"].n_paths_ != len(frame):
        raise SystemExit("both sides must see the same unique paths")

    print(
        f"Markov order 1, {args.repeat} runs of each, interleaved (seconds; CPU = process "
        "time over all threads, which a busy machine disturbs less than wall time):"
    )
    medians, cpu_medians = {}, {}
    for name, values in times.items():
        medians[name] = statistics.median(values)
        cpu_medians[name] = statistics.median(cpu[name])
        print(
            f"  {name:34s} wall median {medians[name]:6.3f} (min {min(values):.3f}, "
            f"max {max(values):.3f}); CPU median {cpu_medians[name]:6.3f}"
        )
    for ours, theirs in (
        ("coparent from touches", "ChannelAttribution, unique paths"),
        ("coparent from journeys", "ChannelAttribution, journeys"),
    ):
        print(
            f"  ratio {theirs} / {ours}: wall {medians[theirs] / medians[ours]:.2f}, "
            f"CPU {cpu_medians[theirs] / cpu_medians[ours]:.2f}"
        )
    for name in ("ChannelAttribution, unique paths", "ChannelAttribution, journeys"):
        worst, which = _deviation(exact, results[name]["removal_effects"])
        print(f"  {name}: largest removal-effect deviation from exact {worst:.2%} ({which})")
    print("  where coparent's time from touches goes (medians, step by step):")
    for name, seconds in _breakdown(con, source, args.repeat).items():
        print(f"    {name:44s} {seconds:6.3f}")
    if not args.skip_high_precision:
        t = time.perf_counter()
        precise = peer_run(frame, 0.002)
        seconds = time.perf_counter() - t
        worst, which = _deviation(exact, precise["removal_effects"])
        print(
            f"  ChannelAttribution conv_par=0.002 on unique paths: {seconds:.1f} s (one run), "
            f"{seconds / medians['coparent from touches']:.0f}x coparent from touches; "
            f"largest deviation {worst:.2%} ({which})"
        )


if __name__ == "__main__":
    main()
