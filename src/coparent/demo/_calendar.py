"""The demo's clock: time is float days since ``start`` until it leaves the generator.

Working in float days keeps every step plain numpy arithmetic; timestamps are
floored to whole seconds only at the edge (`Calendar.to_us`), and flooring is
monotone, so an order ``a <= b`` planned in days survives the conversion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

SECONDS_PER_DAY = 86_400
_EPOCH = date(1970, 1, 1)

# Relative lead volume per calendar month: a slow summer, a quiet Christmas week.
MONTH_WEIGHT = np.array([1.0, 1.05, 1.1, 1.05, 1.0, 0.9, 0.72, 0.68, 1.0, 1.1, 1.1, 0.85])
# Relative lead volume per weekday, Monday first: B2B buyers rarely sign up at weekends.
WEEKDAY_WEIGHT = np.array([1.05, 1.1, 1.1, 1.05, 0.9, 0.25, 0.2])


def quarter_label(day: date) -> str:
    """Calendar quarter of ``day``, e.g. ``2026-Q3``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def is_quarter_end(day: date) -> bool:
    nxt = day + timedelta(days=1)
    return nxt.day == 1 and nxt.month in (1, 4, 7, 10)


@dataclass(frozen=True)
class Calendar:
    """Two years of days ending on ``end`` (the last day of a quarter), eight quarters."""

    start: date
    end: date

    @classmethod
    def two_years_to(cls, end: date) -> Calendar:
        if not is_quarter_end(end):
            raise ValueError(f"end must be the last day of a quarter, got {end.isoformat()}")
        after = end + timedelta(days=1)
        return cls(start=after.replace(year=after.year - 2), end=end)

    @property
    def days(self) -> int:
        """Length in days; a time ``t`` lies within the covered period iff ``0 <= t < days``."""
        return (self.end - self.start).days + 1

    @cached_property
    def day_dates(self) -> npt.NDArray[np.datetime64]:
        first = np.datetime64(self.start.isoformat(), "D")
        return first + np.arange(self.days)

    @cached_property
    def day_month(self) -> Ints:
        return (self.day_dates.astype("datetime64[M]").astype(np.int64) % 12 + 1).astype(np.int64)

    @cached_property
    def day_weekday(self) -> Ints:
        # 1970-01-01 was a Thursday (weekday 3).
        return ((self.day_dates.astype(np.int64) + 3) % 7).astype(np.int64)

    @cached_property
    def quarter_starts(self) -> Ints:
        """First day (as days since start) of each of the eight quarters, plus ``days``."""
        starts = [0]
        for i in range(1, 9):
            month0 = self.start.month - 1 + 3 * i
            first = date(self.start.year + month0 // 12, month0 % 12 + 1, 1)
            starts.append((first - self.start).days)
        return np.array(starts, dtype=np.int64)

    @cached_property
    def quarter_labels(self) -> tuple[str, ...]:
        return tuple(
            quarter_label(self.start + timedelta(days=int(d))) for d in self.quarter_starts[:-1]
        )

    def quarter_of(self, t: Floats) -> Ints:
        """Quarter index 0-7 of each time (clipped to the covered range)."""
        q = np.searchsorted(self.quarter_starts, np.floor(t), side="right") - 1
        return np.clip(q, 0, 7).astype(np.int64)

    def day_of(self, d: date) -> int:
        return (d - self.start).days

    @property
    def start_us(self) -> int:
        return (self.start - _EPOCH).days * SECONDS_PER_DAY * 1_000_000

    def to_us(self, t: Floats) -> tuple[Ints, Bools]:
        """Microseconds since the epoch (floored to whole seconds) and which values are present.

        NaN, and anything at or after the end of ``end``, is absent.
        """
        present = np.isfinite(t) & (t < self.days)
        seconds = np.floor(np.where(present, t, 0.0) * SECONDS_PER_DAY).astype(np.int64)
        # A time a hair before midnight may round up to it; keep it on the last day.
        seconds = np.minimum(seconds, self.days * SECONDS_PER_DAY - 1)
        return self.start_us + seconds * 1_000_000, present

    def to_epoch_days(self, t: Ints) -> npt.NDArray[np.int32]:
        """Whole days since start as days since the epoch (for date32 columns)."""
        return (t + (self.start - _EPOCH).days).astype(np.int32)
