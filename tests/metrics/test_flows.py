"""Flow counts: several windows in one pass give each window's own counts."""

from __future__ import annotations

from typing import Any

import pytest

from coparent.metrics.flows import flow_counts, period_flows
from coparent.metrics.periods import parse_period

from ._tables import demo_con, rows

WINDOWS = {
    name: (p.start_at, p.end_at)
    for name, p in {"q3": parse_period("2026-Q3"), "q2": parse_period("2026-Q2")}.items()
}


@pytest.mark.parametrize("by", ["product_id", "channel", None])
@pytest.mark.parametrize("with_leads", [True, False])
def test_period_flows_stack_the_flow_counts_of_each_window(by: Any, with_leads: bool) -> None:
    con = demo_con()
    opps, leads = con.table("opportunities"), con.table("leads") if with_leads else None
    stacked = rows(period_flows(opps, leads=leads, windows=WINDOWS, by=by))
    for name, (start, end) in WINDOWS.items():
        alone = rows(flow_counts(opps, leads=leads, start=start, end=end, by=by))
        mine = sorted(
            ({k: v for k, v in r.items() if k != "period"} for r in stacked if r["period"] == name),
            key=lambda r: r["segment"],
        )
        assert mine == alone
        assert sum(r["revenue"] for r in mine) > 0
