"""Errors of attribution, under the models' and the import's error trees.

    CoparentError
    ├── IngestError
    │   └── ImportRejected
    │       └── PathFileRejected       attribution.path_file_rejected; .issues, located
    └── MissingDataError
        └── TouchTimesRequired         attribution.needs_touch_times

A rejected path file is an `ImportRejected`, so the CLI prints its issues one
per line (``file:row:column: error attribution.E201: ...``) exactly as it does
for a rejected import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from coparent.errors import CoparentError, ImportRejected, MissingDataError

if TYPE_CHECKING:
    from coparent.ingest.issues import Issue

__all__ = ["PathFileRejected", "TouchTimesRequired"]


class PathFileRejected(ImportRejected):
    """A path file with errors; no model ran. ``issues`` holds every problem found."""

    code = "attribution.path_file_rejected"

    def __init__(self, issues: Sequence[Issue], *, file: str) -> None:
        super().__init__(issues, file=file)
        errors = [i for i in self.issues if i.level == "error"]
        total = sum(i.count for i in errors)
        lines = [i.format() for i in errors[: self.SHOWN]]
        more = f"\n... and more ({total} errors in all)" if len(errors) > self.SHOWN else ""
        message = f"{file}: {total} error(s), no attribution was run\n" + "\n".join(lines) + more
        CoparentError.__init__(
            self,
            message,
            hint="fix the rows listed above (docs/attribution.md explains each code) and run again",
        )


class TouchTimesRequired(MissingDataError):
    """Time-decay weighs touches by their age at conversion; aggregated paths carry no times."""

    code = "attribution.needs_touch_times"

    def __init__(self, *, source: str) -> None:
        super().__init__(
            f"the time-decay model needs the time of every touch, and {source} has none",
            hint="run it on the warehouse's touches (coparent attribution --model time-decay), "
            "or pick first, last, linear, position or markov for a path file",
        )
        self.source = source
