"""BG/NBD fit benchmark: coparent against lifetimes on 1M simulated customers, in one run.

    python benchmarks/bgnbd_fit.py --customers 1000000 --repeat 5

Customers are sampled from the BG/NBD process with the CDNOW parameters
(r 0.243, alpha 4.414, a 0.793, b 2.426; ages 27-39 weeks, day-rounded), with
the simulator of docs/STACK.md section 4. Then, on the same data:

- **coparent, engine + fit**: the rows sit in DuckDB (the warehouse); the
  engine groups them into unique (x, t_x, T) triples with counts
  (`coparent.models.customer_base.triples`) and `BetaGeo().fit` runs on the
  triples with weights: what `coparent winback` does. Both parts are timed.
- **coparent, raw arrays**: `BetaGeo().fit` on the 1M-row numpy arrays (it
  groups identical rows itself first).
- **lifetimes, plain**: `BetaGeoFitter().fit` on the 1M rows.
- **lifetimes, grouped**: `BetaGeoFitter().fit` on the same unique triples
  with ``weights=`` (the fastest way to use lifetimes).

It asserts that every fit finds the same parameters to 1e-4 relative and
prints the median, minimum and maximum of each and the ratios of the medians.
lifetimes' plain fit takes seconds per run, so ``--lifetimes-repeat`` caps
its repetitions separately.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import ibis
import numpy as np
import pandas as pd

from coparent.models.bgnbd import BetaGeo
from coparent.models.customer_base import triples

PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
KEYS = ("r", "alpha", "a", "b")


def simulate_bgnbd(
    n: int,
    r: float = 0.243,
    alpha: float = 4.414,
    a: float = 0.793,
    b: float = 2.426,
    T_low: float = 27.0,
    T_high: float = 39.0,
    seed: int = 0,
) -> pd.DataFrame:
    """(frequency, recency, T) of n customers drawn from the BG/NBD process (STACK.md)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(shape=r, scale=1 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    age = np.round(rng.uniform(T_low, T_high, n) * 7) / 7
    n_t = rng.poisson(lam * age)
    n_life = rng.geometric(p)
    x = np.minimum(n_t, n_life)
    tx = np.zeros(n)
    pos = x > 0
    tx[pos] = age[pos] * rng.beta(x[pos], n_t[pos] - x[pos] + 1)
    tx = np.minimum(np.round(tx * 7) / 7, age)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx, "T": age})


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def describe(name: str, times: list[float]) -> str:
    return (
        f"{name:<34} median {statistics.median(times):8.3f} s  "
        f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lifetimes-repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from lifetimes import BetaGeoFitter  # a test-only peer: never imported by src/

    data = simulate_bgnbd(args.customers, seed=args.seed)
    con = ibis.duckdb.connect()
    con.create_table("features", data)
    features = con.table("features")
    print(
        f"{len(data):,} customers, mean frequency {data.frequency.mean():.2f}, "
        f"{(data.frequency == 0).mean():.1%} without repeat purchases"
    )

    def engine_group() -> pd.DataFrame:
        return triples(features).to_pandas()

    grouped = engine_group()
    print(f"{len(grouped):,} unique (x, t_x, T) triples")

    def ours_engine() -> BetaGeo:
        g = engine_group()
        return BetaGeo().fit(g.frequency, g.recency, g["T"], g.customers)

    def ours_fit_only() -> BetaGeo:
        return BetaGeo().fit(grouped.frequency, grouped.recency, grouped["T"], grouped.customers)

    def ours_raw() -> BetaGeo:
        return BetaGeo().fit(
            data.frequency.to_numpy(), data.recency.to_numpy(), data["T"].to_numpy()
        )

    def lifetimes_plain() -> Any:
        return BetaGeoFitter().fit(data.frequency, data.recency, data["T"])

    def lifetimes_grouped() -> Any:
        return BetaGeoFitter().fit(
            grouped.frequency, grouped.recency, grouped["T"], weights=grouped.customers
        )

    ours_engine()  # warm up imports and the DuckDB connection
    runs: dict[str, tuple[list[float], Any]] = {
        "coparent, engine group + fit": timed(ours_engine, args.repeat),
        "coparent, engine group only": timed(engine_group, args.repeat),
        "coparent, fit on triples only": timed(ours_fit_only, args.repeat),
        "coparent, fit on raw arrays": timed(ours_raw, args.repeat),
        "lifetimes, grouped + weights": timed(lifetimes_grouped, args.repeat),
        "lifetimes, plain": timed(lifetimes_plain, args.lifetimes_repeat),
    }

    reference = runs["coparent, engine group + fit"][1].params_
    print("parameters (paper: " + ", ".join(f"{k} {PAPER[k]}" for k in KEYS) + ")")
    for name, (_, model) in runs.items():
        if name == "coparent, engine group only":
            continue
        params = {k: float(model.params_[k]) for k in KEYS}
        print(f"  {name:<32} " + ", ".join(f"{k} {params[k]:.5f}" for k in KEYS))
        for k in KEYS:
            assert abs(params[k] / reference[k] - 1) < 1e-4, (name, k, params[k], reference[k])
    print("every fit agrees to 1e-4 relative")

    for name, (times, _) in runs.items():
        print(describe(name, times))
    ours = statistics.median(runs["coparent, engine group + fit"][0])
    fit_only = statistics.median(runs["coparent, fit on triples only"][0])
    plain = statistics.median(runs["lifetimes, plain"][0])
    grouped_t = statistics.median(runs["lifetimes, grouped + weights"][0])
    print(f"lifetimes plain   / coparent engine+fit: {plain / ours:6.1f}x  (target >= 20x)")
    print(f"lifetimes grouped / coparent engine+fit: {grouped_t / ours:6.1f}x  (target > 1x)")
    print(f"lifetimes grouped / coparent fit only (same triples): {grouped_t / fit_only:6.1f}x")


if __name__ == "__main__":
    main()
