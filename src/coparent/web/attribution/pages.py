"""What the attribution page hands its template."""

from __future__ import annotations

from typing import Any

from coparent.app.attribution.selectors import BY_NAMES, MODEL_NAMES, attribution_get
from coparent.app.teams.access import Actor
from coparent.metrics import display as fmt

__all__ = ["attribution_page"]

GROUP_NAMES = {
    "marketing_sourced": "Marketing-sourced (the first step was a marketing touch)",
    "sales_sourced": "Sales-sourced (the first step was Sales' own)",
    "no_touch_recorded": "No step recorded before the win",
    "marketing_influenced": "Marketing-influenced (a marketing touch before the win)",
    "sales_influenced": "Sales-influenced (a sales step before the win)",
    "both_teams": "Worked by both teams",
}


def _group_name(group: str, *, single_team: bool) -> str:
    """A sourcing row's name; one team doing both jobs reads of the two kinds of work."""
    name = GROUP_NAMES.get(group, group)
    return fmt.one_team(name) if single_team else name


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
                {**row, "name": _group_name(row["group"], single_team=actor.single_team)}
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
