"""Store ChannelAttribution's Markov results on its example data as golden files for the tests.

    .venv/bin/python benchmarks/attribution_golden.py

ChannelAttribution (the GPL reference library for Markov attribution; a
test-only peer, never imported by coparent) estimates removal effects by
simulation. Its high-precision run (``conv_par=0.002``) takes minutes, so it
runs once, here, and the tests compare coparent's exact removal effects with
the stored numbers (within 2% for every channel with at least 1% of the
conversions). The default run (``conv_par=0.05``) is stored too, for the
table in docs/attribution.md that shows how far it is from the exact values.

Input: ``../shared/data/channel-attribution-paths/Data.csv`` (ChannelAttribution's
example file, 10,000 rows). Output, in ``tests/data/golden/attribution/``:
``channelattribution_markov_conv_par_0.002.csv``,
``channelattribution_markov_conv_par_0.05.csv`` (channel, total_conversions,
total_conversion_value, removal_effects_conversion,
removal_effects_conversion_value) and ``channelattribution_markov.json``
(peer version, parameters, input checksum, run times).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import io
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DATA = (REPO / ".." / "shared" / "data" / "channel-attribution-paths" / "Data.csv").resolve()
OUT = REPO / "tests" / "data" / "golden" / "attribution"
PEER = "channelattribution"
RUNS = {"conv_par_0.002": 0.002, "conv_par_0.05": 0.05}


def _peer() -> Any:
    """ChannelAttribution, imported quietly (its import prints a banner to stdout)."""
    with contextlib.redirect_stdout(io.StringIO()):
        import ChannelAttribution

    return ChannelAttribution


def run(conv_par: float, data: pd.DataFrame) -> tuple[pd.DataFrame, float, str]:
    """One Markov run (order 1, seed 0, values and nulls); results, seconds, its log."""
    peer = _peer()
    log = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(log):
        result = peer.markov_model(
            data,
            "path",
            "total_conversions",
            var_value="total_conversion_value",
            var_null="total_null",
            order=1,
            sep=">",
            out_more=True,
            seed=0,
            conv_par=conv_par,
            flg_pro=False,
        )
    seconds = time.perf_counter() - started
    table = result["result"].merge(result["removal_effects"], on="channel_name")
    table = table.rename(columns={"channel_name": "channel"}).sort_values("channel")
    return table, seconds, log.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = pd.read_csv(args.data, sep=";")
    args.out.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {
        "peer": PEER,
        "peer_version": importlib.metadata.version(PEER),
        "function": "ChannelAttribution.markov_model",
        "parameters": {
            "var_path": "path",
            "var_conv": "total_conversions",
            "var_value": "total_conversion_value",
            "var_null": "total_null",
            "order": 1,
            "sep": ">",
            "seed": 0,
            "nsim_start": 100000,
            "nfold": 10,
            "rate_step_sim": 1.5,
        },
        "input": {
            "file": "../shared/data/channel-attribution-paths/Data.csv",
            "sha256": hashlib.sha256(args.data.read_bytes()).hexdigest(),
            "rows": len(data),
        },
        "runs": {},
    }
    for name, conv_par in RUNS.items():
        table, seconds, log = run(conv_par, data)
        target = args.out / f"channelattribution_markov_{name}.csv"
        table.to_csv(target, index=False, float_format="%.17g")
        meta["runs"][name] = {
            "conv_par": conv_par,
            "file": target.name,
            "seconds": round(seconds, 1),
            "log": log.strip().splitlines(),
        }
        print(f"{name}: {seconds:.1f} s -> {target}")
    (args.out / "channelattribution_markov.json").write_text(
        json.dumps(meta, indent=2, sort_keys=True) + "\n"
    )


if __name__ == "__main__":
    main()
