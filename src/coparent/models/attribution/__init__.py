"""Attribution: which touches of both teams made the revenue, credited the same way for everyone.

The engine builds journeys and aggregates them to unique paths
(`journeys`); the models run in numpy on those paths: rule-based
(`heuristics`: first, last, linear, position-based), time decay (in the
engine, `time_decay`, since it needs step times) and the Markov chain whose
removal effects are computed exactly (`markov`). `sourcing` splits won
revenue into marketing- and sales-sourced and influenced; `pathfile` reads an
already-aggregated path file with located errors. docs/attribution.md
explains each model and every field.
"""

from __future__ import annotations

from coparent.errors import PathFileRejected, TouchTimesRequired
from coparent.models.attribution.credits import MODELS, Credits
from coparent.models.attribution.heuristics import (
    DEFAULT_POSITION_WEIGHTS,
    first_touch,
    last_touch,
    linear,
    position_based,
)
from coparent.models.attribution.journeys import (
    SALES_CHANNELS,
    PathVocabulary,
    conversion_events,
    journey_events,
    journey_steps,
    path_vocabulary,
    unattributed,
    unique_paths,
    unique_text_paths,
)
from coparent.models.attribution.markov import MarkovAttribution
from coparent.models.attribution.pathfile import PathFile, PathFileCode, read_path_file
from coparent.models.attribution.paths import UniquePaths, split_paths
from coparent.models.attribution.sourcing import GROUPS, revenue_sourcing
from coparent.models.attribution.time_decay import DEFAULT_HALF_LIFE_DAYS, time_decay_credits

__all__ = [
    "DEFAULT_HALF_LIFE_DAYS",
    "DEFAULT_POSITION_WEIGHTS",
    "GROUPS",
    "MODELS",
    "SALES_CHANNELS",
    "Credits",
    "MarkovAttribution",
    "PathFile",
    "PathFileCode",
    "PathFileRejected",
    "PathVocabulary",
    "TouchTimesRequired",
    "UniquePaths",
    "conversion_events",
    "first_touch",
    "journey_events",
    "journey_steps",
    "last_touch",
    "linear",
    "path_vocabulary",
    "position_based",
    "read_path_file",
    "revenue_sourcing",
    "split_paths",
    "time_decay_credits",
    "unattributed",
    "unique_paths",
    "unique_text_paths",
]
