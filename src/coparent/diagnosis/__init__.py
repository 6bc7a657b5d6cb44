"""Blame-free revenue diagnosis: where a revenue change came from, stage by stage.

When revenue is short, each team tends to suspect the other's half of the
funnel. The diagnosis answers with one set of numbers both can check:

- `bridge`: the revenue change split exactly (LMDI-I) into volume, acceptance,
  conversion, pace, win rate and deal size, for the company on its own totals
  (the same however it is sliced), split by product or channel into intensity
  and mix (`_twolevel`), against the previous period, the same period last
  year, or a goal;
- `taxonomy` and `splits`: the win-rate effect split by loss-reason category
  (product / process / market / unclassified) and acceptance by rejection
  reason;
- `speed`: what late first contact was associated with (correlational);
- `noise`: an interval for every change, so noise is never named as a cause;
- `verdict` and `narrative`: a product, process or volume signal (or none)
  per segment, in sentences about stages and numbers, never about people;
- `ranked`: one ranked list of findings that the headline and every surface read.

The Ibis expressions here are lazy; `coparent.services.diagnosis` executes
them and `report.build_report` turns the small results into the JSON report.
"""

from __future__ import annotations

from coparent.diagnosis.bridge import (
    Bridge,
    StageCounts,
    bridge_flows,
    goal_counts,
    revenue_bridge,
    what_it_would_take,
)
from coparent.diagnosis.report import ReportInputs, build_report
from coparent.diagnosis.speed import contact_cohorts, speed_to_lead
from coparent.diagnosis.splits import closed_deals, rejections, split_effect
from coparent.diagnosis.taxonomy import CATEGORIES, Taxonomy, normalise_reason

__all__ = [
    "CATEGORIES",
    "Bridge",
    "ReportInputs",
    "StageCounts",
    "Taxonomy",
    "bridge_flows",
    "build_report",
    "closed_deals",
    "contact_cohorts",
    "goal_counts",
    "normalise_reason",
    "rejections",
    "revenue_bridge",
    "speed_to_lead",
    "split_effect",
    "what_it_would_take",
]
