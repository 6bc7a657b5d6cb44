"""Marketing campaigns: a schedule per channel, looked up by time for leads and touches.

Each channel runs one or two "tracks" of back-to-back campaigns (quarterly
search campaigns, monthly webinars, an event per quarter ...). A lead or touch
in a channel picks a track and takes the campaign running then, with a binary
search over the track's start days, so attribution to campaigns is vectorised.
Costs are set after the leads exist: cost per lead times leads, plus a fixed
part, so the cost of a lead looks the same at every scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from coparent.demo import _arrow
from coparent.demo._calendar import Bools, Calendar, Floats, Ints
from coparent.demo._catalog import (
    CHANNELS,
    EVENTS,
    ORGANIC,
    OUTBOUND,
    PAID_SEARCH,
    REFERRAL,
    WEBINAR,
)
from coparent.demo._people import Roster
from coparent.demo._plan import LAUNCH_OFFSET_DAYS, LAUNCH_QUARTER

_WEBINAR_TOPICS = (
    "Dashboards your CFO will read", "Forecasting pipeline with Insight",
    "From spreadsheets to self-serve analytics", "Data quality in 30 minutes",
    "Customer health scores that work", "KPI trees for growing teams",
)  # fmt: skip
_CONTENT = (
    "Guide: The analytics maturity model", "Report: State of SMB analytics",
    "Ebook: Dashboards that get used", "Template pack: KPI dashboards",
    "Checklist: Data quality for busy teams", "Benchmark: Revenue metrics by industry",
)  # fmt: skip
_EVENTS = (
    "SaaStock Dublin", "Big Data London", "Gartner Data & Analytics Summit", "Insight User Day",
    "Web Summit Lisbon", "Data Council Austin", "Collision Toronto", "Insight Roadshow Sao Paulo",
)  # fmt: skip
COST_PER_LEAD = np.array([95.0, 15.0, 22.0, 120.0, 150.0, 25.0])
FIXED_COST = np.array([0.0, 2500.0, 1500.0, 12000.0, 500.0, 1000.0])
"""Fixed cost per campaign at the small scale (6,000 leads), scaled with lead volume."""


@dataclass(frozen=True)
class Campaigns:
    channel: Ints
    track: Ints
    start: Ints
    """First day (days since start)."""
    stop: Ints
    """Day after the last day; past the calendar while still running."""
    names: tuple[str, ...]
    tracks: tuple[int, ...]
    """Number of tracks per channel."""

    @property
    def n(self) -> int:
        return int(self.channel.size)

    def lookup(self, rng: np.random.Generator, channel: Ints, t: Floats, share: Floats) -> Ints:
        """The campaign behind each (channel, time), or -1 for none (by chance or no campaign)."""
        out = np.full(t.size, -1, dtype=np.int64)
        track = np.floor(rng.random(t.size) * np.array(self.tracks)[channel]).astype(np.int64)
        attributed = rng.random(t.size) < share[channel]
        for c in range(len(CHANNELS)):
            for k in range(self.tracks[c]):
                rows = np.flatnonzero((channel == c) & (track == k) & attributed)
                ids = np.flatnonzero((self.channel == c) & (self.track == k))
                if rows.size == 0 or ids.size == 0:
                    continue
                day = np.floor(t[rows])
                pos = np.searchsorted(self.start[ids], day, side="right") - 1
                found = (pos >= 0) & (day < self.stop[ids][np.maximum(pos, 0)])
                out[rows[found]] = ids[pos[found]]
        return out


def _months(cal: Calendar) -> list[date]:
    months, day = [], cal.start
    while day <= cal.end:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def make_campaigns(rng: np.random.Generator, cal: Calendar) -> Campaigns:
    rows: list[tuple[int, int, int, int, str]] = []
    q_starts = [int(d) for d in cal.quarter_starts]
    for q, label in enumerate(cal.quarter_labels):
        a, b = q_starts[q], q_starts[q + 1]
        rows.append((PAID_SEARCH, 0, a, b, f"Search - Brand {label}"))
        rows.append((PAID_SEARCH, 1, a, b, f"Search - Competitor alternatives {label}"))
        rows.append((OUTBOUND, 0, a, b, f"Outbound - Mid-market {label}"))
        rows.append((OUTBOUND, 1, a, b, f"Outbound - Enterprise {label}"))
        event_start = a + int(rng.integers(0, 45))
        rows.append((EVENTS, 0, event_start, event_start + 42, f"{_EVENTS[q % 8]} {label[:4]}"))
    for i, first in enumerate(_months(cal)):
        a = cal.day_of(first)
        b = cal.day_of((first + timedelta(days=32)).replace(day=1))
        stamp = first.strftime("%b %Y")
        topic = _WEBINAR_TOPICS[i % len(_WEBINAR_TOPICS)]
        if a <= q_starts[LAUNCH_QUARTER] + LAUNCH_OFFSET_DAYS < b:
            topic = "Meet Insight Cloud"
        rows.append((WEBINAR, 0, a, b, f"Webinar: {topic} ({stamp})"))
        if i % 2 == 0:
            b2 = cal.day_of((first + timedelta(days=62)).replace(day=1))
            rows.append((ORGANIC, 0, a, b2, f"{_CONTENT[(i // 2) % len(_CONTENT)]} ({stamp})"))
    for year in range(2):
        a, b = q_starts[4 * year], q_starts[4 * year + 4]
        fy = (cal.start.year + year + 1) % 100
        rows.append((REFERRAL, 0, a, b, f"Customer referral programme FY{fy:02d}"))
    rows.sort(key=lambda r: (r[2], r[0], r[1]))
    tracks = tuple(1 + max((r[1] for r in rows if r[0] == c), default=0) for c in range(6))
    return Campaigns(
        channel=np.array([r[0] for r in rows], dtype=np.int64),
        track=np.array([r[1] for r in rows], dtype=np.int64),
        start=np.array([r[2] for r in rows], dtype=np.int64),
        stop=np.array([r[3] for r in rows], dtype=np.int64),
        names=tuple(r[4] for r in rows),
        tracks=tracks,
    )


def campaigns_table(
    rng: np.random.Generator,
    cal: Calendar,
    campaigns: Campaigns,
    roster: Roster,
    lead_campaign: Ints,
    lead_scale: float,
) -> pa.Table:
    n = campaigns.n
    leads = np.bincount(lead_campaign[lead_campaign >= 0], minlength=n).astype(np.float64)
    cost = COST_PER_LEAD[campaigns.channel] * leads + FIXED_COST[campaigns.channel] * lead_scale
    cost = np.round(cost * rng.lognormal(0.0, 0.15, n), 2)
    owners = np.array([roster.campaign_owner(int(c)) for c in campaigns.channel], dtype=np.int64)
    running: Bools = campaigns.stop > cal.days
    return _arrow.table(
        "campaigns",
        {
            "campaign_id": _arrow.ids("CMP", n, width=4),
            "name": pa.array(list(campaigns.names), pa.string()),
            "channel": _arrow.take(CHANNELS, campaigns.channel),
            "started_on": _arrow.dates(cal, campaigns.start),
            "ended_on": _arrow.dates(cal, campaigns.stop - 1, ~running),
            "cost": _arrow.floats(cost),
            "owner_id": _arrow.take(roster.ids, owners),
        },
    )
