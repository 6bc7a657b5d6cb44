"""The offer experiment: pricing-page visitors randomised between two offers in the latest quarter.

Exactly ``n`` visitors per variant (a balanced allocation, so a sample-ratio
check passes), assigned uniformly over the quarter until two weeks before the
end, converting with the true rates of `_plan.P_CONVERT`; revenue is the first
year's value under the offer, present only for those who converted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from coparent.demo import _arrow, _plan
from coparent.demo._calendar import Bools, Calendar, Floats, Ints

VARIANTS = (_plan.CONTROL, _plan.TREATMENT)


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    variant: Ints
    at: Floats
    converted: Bools
    revenue: Floats
    window: tuple[int, int]
    """First day and the day after the last day of assignment."""


def experiment_id(cal: Calendar) -> str:
    year, quarter = cal.quarter_labels[_plan.LATEST].split("-Q")
    return _plan.EXPERIMENT_ID.format(year=year, quarter=quarter)


def make_experiment(rng: np.random.Generator, cal: Calendar, per_variant: int) -> Experiment:
    first = int(cal.quarter_starts[_plan.LATEST])
    stop = cal.days - _plan.EXPERIMENT_TAIL_DAYS
    n = 2 * per_variant
    variant = rng.permutation(np.repeat(np.arange(2, dtype=np.int64), per_variant))
    at = np.sort(first + rng.random(n) * (stop - first))
    p = np.array([_plan.P_CONVERT[v] for v in VARIANTS])[variant]
    converted = rng.random(n) < p
    shape = _plan.ANNUAL_VALUE_SHAPE
    value = rng.gamma(shape, _plan.ANNUAL_VALUE_MEAN / shape, n)
    factor = np.array([_plan.REVENUE_FACTOR[v] for v in VARIANTS])[variant]
    revenue = np.where(converted, np.round(value * factor, 2), np.nan)
    return Experiment(experiment_id(cal), variant, at, converted, revenue, (first, stop))


def experiments_table(cal: Calendar, experiment: Experiment) -> pa.Table:
    n = experiment.variant.size
    return _arrow.table(
        "experiments",
        {
            "experiment_id": pa.array([experiment.experiment_id] * n, pa.string()),
            "subject_id": _arrow.ids("V", n, width=_arrow.id_width(n)),
            "variant": _arrow.take(VARIANTS, experiment.variant),
            "assigned_at": _arrow.timestamps(cal, experiment.at),
            "converted": pa.array(experiment.converted, pa.bool_()),
            "revenue": _arrow.floats(experiment.revenue, experiment.converted),
        },
    )
