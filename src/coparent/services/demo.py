"""Build the demo company into a workspace through the same import path users take.

The generator's tables are written as Parquet files into ``<workspace>/demo-export/``
and each is imported with `import_file`, so the demo exercises validation,
references and the atomic load exactly as a real import would. The planted
truths go to ``<workspace>/demo-truths.json`` for the analytics to be checked
against.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from coparent.demo import SCALES, Scale, Truth, generate
from coparent.errors import ScaleError
from coparent.ingest.issues import Issue
from coparent.schema import IMPORT_ORDER
from coparent.services.imports import import_file
from coparent.settings import Settings
from coparent.workspace import Workspace

__all__ = ["DemoResult", "demo_build", "parse_scale"]

EXPORT_DIR = "demo-export"
TRUTHS_FILE = "demo-truths.json"

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class DemoResult:
    rows: dict[str, int]
    truths: list[Truth]
    truths_file: Path
    export_dir: Path
    warnings: list[Issue]


def parse_scale(text: str) -> Scale:
    """``small``/``medium``/``large``, or explicit counts such as ``leads=20000,accounts=3000``."""
    if text in SCALES:
        return SCALES[text]
    names = {f.name for f in dataclasses.fields(Scale)}
    floats = {f.name for f in dataclasses.fields(Scale) if f.type in (float, "float")}
    base = SCALES["small"]
    changes: dict[str, Any] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in names:
            raise ScaleError(
                f"not a scale: {text!r}",
                hint="use small, medium, large, or counts like leads=20000 "
                f"({', '.join(sorted(names))})",
            )
        text_value = value.strip().replace("_", "")
        try:
            changes[name] = float(text_value) if name in floats else int(text_value)
        except ValueError:
            raise ScaleError(
                f"{name}={value!r} is not a number", hint="for example leads=20000"
            ) from None
    try:
        return dataclasses.replace(base, **changes)
    except ValueError as exc:  # Scale refuses counts it cannot build a company from
        raise ScaleError(f"not a usable scale: {exc}", hint="for example leads=20000") from None


def demo_build(
    ws: Workspace,
    *,
    settings: Settings,
    scale: str | Scale = "small",
    seed: int = 0,
    single_team: bool = False,
    progress: Progress | None = None,
) -> DemoResult:
    """Generate the demo company and import every table into the workspace's warehouse."""
    report = progress or (lambda stage, fraction: None)
    report("generating the demo company", 0.0)
    company = generate(
        parse_scale(scale) if isinstance(scale, str) else scale, seed=seed, single_team=single_team
    )
    export = ws.path / EXPORT_DIR
    export.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    warnings: list[Issue] = []
    # Closed afterwards, releasing the write lock: the web server opens the file next.
    with ws.open(settings, write=True) as con:
        # A rebuild starts clean, so references are checked against this company only.
        for name in IMPORT_ORDER:
            con.drop_table(name, force=True)
        for i, name in enumerate(IMPORT_ORDER):
            report(f"loading {name}", (i + 1) / (len(IMPORT_ORDER) + 1))
            path = export / f"{name}.parquet"
            pq.write_table(company.tables[name], path)
            result = import_file(con, table=name, path=path, mode="replace", settings=settings)
            rows[name] = result.rows
            warnings += result.issues
    truths_file = ws.path / TRUTHS_FILE
    truths_file.write_text(
        json.dumps(
            {
                "seed": seed,
                "scale": dataclasses.asdict(company.scale),
                "single_team": single_team,
                "start": company.start.isoformat(),
                "end": company.end.isoformat(),
                "truths": [t.to_dict() for t in company.truths],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    report("done", 1.0)
    return DemoResult(rows, list(company.truths), truths_file, export, warnings)
