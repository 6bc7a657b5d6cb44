"""What the attribution page hands its template."""

from __future__ import annotations

from typing import Any

from coparent.app.attribution.selectors import BY_NAMES, MODEL_NAMES, attribution_get
from coparent.app.teams.access import Actor

__all__ = ["attribution_page"]

GROUP_NAMES = {
    "marketing_sourced": "Marketing-sourced (the first step was a marketing touch)",
    "sales_sourced": "Sales-sourced (the first step was Sales' own)",
    "no_touch_recorded": "No step recorded before the win",
    "marketing_influenced": "Marketing-influenced (a marketing touch before the win)",
    "sales_influenced": "Sales-influenced (a sales step before the win)",
    "both_teams": "Worked by both teams",
}


def attribution_page(
    *, actor: Actor, period: str | None, model: str | None, by: str | None
) -> dict[str, Any]:
    data = attribution_get(period=period, model=model, by=by)
    sourcing = None
    if data.report.ok and data.report.value is not None and data.report.value["sourcing"]:
        source = data.report.value["sourcing"]
        sourcing = {
            **source,
            "rows": [
                {**row, "name": GROUP_NAMES.get(row["group"], row["group"])}
                for row in source["rows"]
            ],
        }
    # The pickers' include reads r.period and r.choices, as on the dashboards.
    r = {"period": data.period, "choices": data.choices}
    return {
        "r": r,
        "data": data,
        "report": data.report,
        "sourcing": sourcing,
        "model_choices": MODEL_NAMES,
        "by_choices": BY_NAMES,
        "model": data.model,
        "by": data.by,
        "single_team": actor.single_team,
    }
