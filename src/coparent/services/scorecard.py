"""The shared scorecard: one JSON-ready report that both teams (and the CEO) read.

`scorecard_report` builds the metric expressions of `coparent.metrics`, runs
them on the warehouse (the only place they are executed) and returns plain
``str``/``int``/``float``/``None``/``list``/``dict`` values, so the CLI's
``--json``, the API and the web page all show the same numbers.

Only ``opportunities`` is required. Without ``leads`` the funnel, speed to
lead and both SLAs are null and ``notes`` says what to import; without
``activities`` attempts are null. "No data" is not zero: a figure whose
inputs were never imported (no contact times at all, no ``rejected_at`` at
all; `coparent.metrics.registry`) is null, never 0% or 100%, and ``no_data``
maps its metric name to what to import. docs/scorecard.md documents every
field; docs/metrics.md defines every figure.

Default period: the latest complete quarter (fiscal, per the settings) as of
the ``as_of`` date, which itself defaults to the data's last date (the latest
timestamp in the fact tables). ``period.rule`` states which rule applied.
Figures of a period that is not over are to date (cut at the end of
``as_of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.errors import MissingDataError
from coparent.metrics import display as fmt
from coparent.metrics._stages import dangling_links
from coparent.metrics.contracts import ScorecardReport
from coparent.metrics.coverage import input_coverage, present_inputs
from coparent.metrics.deals import deal_summaries, open_pipeline
from coparent.metrics.freshness import (
    DataRange,
    check_period,
    coverage_notes,
    data_range,
    default_period,
)
from coparent.metrics.funnel import FUNNEL_STAGES
from coparent.metrics.goals import STATUS_RULE, goal_progress
from coparent.metrics.periods import Period, parse_period
from coparent.metrics.registry import METRICS, metric, unavailable
from coparent.metrics.scorecard import lead_scorecard
from coparent.metrics.speed import DEFAULT_BINS_HOURS, histogram_bins
from coparent.plain import plain
from coparent.settings import Settings

__all__ = ["scorecard_report"]


_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_CURRENT, _PREVIOUS = "current", "previous"
_BINS_HOURS = DEFAULT_BINS_HOURS
_FORECAST_RULE = "actual x period days / elapsed days (run rate)"
_PIPELINE_RULE = (
    "actual + open pipeline x trailing 365-day win rate x min(1, days left / median sales cycle)"
)

Row = dict[str, Any]


def _rows(expr: ir.Table) -> list[Row]:
    rows: list[Row] = expr.to_pyarrow().to_pylist()
    return rows


def _deal_rows(
    opps: ir.Table, periods: Mapping[str, Period], moment: datetime
) -> dict[str, tuple[list[Row], list[Row]]]:
    """`deal_summary` of each period, in all and per product, in one query.

    Per period: the all-deals row (a list of one) and the product rows.
    """
    out: dict[str, tuple[list[Row], list[Row]]] = {name: ([], []) for name in periods}
    for row in _rows(deal_summaries(opps, periods=periods, as_of=moment, by="product_id")):
        overall, by_product = out[row.pop("period")]
        (overall if row["product_id"] is None else by_product).append(row)
    return out


def _period_json(p: Period) -> Row:
    return {
        "label": p.label,
        "kind": p.kind,
        "start": p.start.isoformat(),
        "end": (p.end - timedelta(days=1)).isoformat(),
        "days": p.days,
    }


def _choose_period(
    period: str | None, as_of: date | None, data: DataRange | None, fiscal_start: int
) -> tuple[Period, date, str]:
    """The period, the as_of day, and the rule that picked the period (`default_period`)."""
    last_at = data.last_at if data is not None else None
    if period is not None:
        chosen = parse_period(period, fiscal_year_start_month=fiscal_start)
        if as_of is None:
            as_of = last_at.date() if last_at is not None else chosen.end - timedelta(days=1)
        return chosen, as_of, "given"
    if as_of is not None:
        source = "the as_of date"
    elif last_at is not None:
        as_of, source = last_at.date(), "the data's last date"
    else:
        raise MissingDataError(
            "the scorecard found no dated facts to pick a default period from",
            hint="import opportunities (and leads) with dates, or pass a period such as 2026-Q3",
        )
    found = default_period(data, as_of=as_of, fiscal_year_start_month=fiscal_start)
    assert found is not None  # as_of is known
    if found.end - timedelta(days=1) > as_of:
        return found, as_of, f"the quarter of {source} ({as_of.isoformat()}): no earlier data"
    return found, as_of, f"latest complete quarter as of {source} ({as_of.isoformat()})"


def _deals(summary: list[Row]) -> Row:
    row = summary[0] if summary else {}
    return {
        "revenue": row.get("revenue", 0.0),
        "won": row.get("won", 0),
        "lost": row.get("lost", 0),
        "closed": row.get("closed", 0),
        "win_rate": row.get("win_rate"),
        "average_deal": row.get("average_deal"),
        "sales_cycle_days": {
            "median": row.get("cycle_median_days"),
            "mean": row.get("cycle_mean_days"),
            "deals": row.get("cycle_deals", 0),
        },
    }


#: What the scorecard nulls when a metric's inputs are missing: its own fields and the
#: counts it is read from (with no rejected_at, "0 rejected" is no more true than "100%").
_NO_DATA_FIELDS: dict[str, tuple[str, ...]] = {
    "sales_sla_share": (
        "share_within_sla",
        "met",
        "missed",
        "pending",
        "contacted",
        "never_contacted",
    ),
    "median_hours_to_contact": ("median_hours", "mean_hours", "p75_hours", "p90_hours"),
    "acceptance_rate": ("acceptance_rate", "rejected", "undecided"),
    "mqls_accepted": ("accepted", "mql_to_accepted", "accepted_to_opportunity"),
}


def _scorecard_no_data(tables: Mapping[str, ir.Table]) -> dict[str, str]:
    """The scorecard's metrics whose inputs the warehouse lacks, with what to import."""
    coverage = input_coverage(tables)
    row = _rows(coverage)[0] if coverage is not None else None
    return unavailable(present_inputs(row), names=[m.name for m in METRICS if m.path])


def _blank(row: Row, no_data: Mapping[str, str]) -> Row:
    """``row`` (a `lead_scorecard` row) with the fields of metrics without inputs nulled."""
    out = dict(row)
    for name, fields in _NO_DATA_FIELDS.items():
        if name in no_data:
            out.update(dict.fromkeys(fields))
    return out


def _funnel(row: Row) -> list[Row]:
    """The funnel's stages; a stage without data (count null) is left out with its step."""
    counts = [row["mqls"], row["accepted"], row["opportunities"], row["won"]]
    steps = [
        None,
        row["mql_to_accepted"],
        row["accepted_to_opportunity"],
        row["opportunity_to_won"],
    ]
    return [
        {"stage": stage, "count": count, "conversion": step}
        for stage, count, step in zip(FUNNEL_STAGES, counts, steps, strict=True)
        if count is not None
    ]


def _sales(row: Row) -> Row:
    keep = ("sla_hours", "mqls", "met", "missed", "pending", "never_contacted")
    return {
        **{k: row[k] for k in keep},
        "share_within_sla": row["share_within_sla"],
        "median_hours": row["median_hours"],
        "attempts": row["attempts"],
        "attempts_per_mql": row["attempts_per_mql"],
    }


def _marketing(row: Row, commitment: int) -> Row:
    return {
        "mqls_delivered": row["mqls"],
        "commitment_per_month": commitment or None,
        "committed": row["committed"],
        "committed_to_date": row["committed_to_date"],
        "delivery_rate": row["delivery_rate"],
        "accepted": row["accepted"],
        "rejected": row["rejected"],
        "undecided": row["undecided"],
        "acceptance_rate": row["acceptance_rate"],
    }


def _products(
    con_tables: Mapping[str, ir.Table],
    deals: dict[str, list[Row]],
    pipeline: list[Row],
) -> list[Row]:
    names: dict[str, str | None] = {}
    if "products" in con_tables:
        catalog = con_tables["products"]
        for r in _rows(catalog.select("product_id", "name")):
            names[r["product_id"]] = r["name"]
    current = {r["product_id"]: r for r in deals[_CURRENT]}
    previous = {r["product_id"]: r for r in deals[_PREVIOUS]}
    open_by = {r["product_id"]: r for r in pipeline}
    out = []
    for pid in sorted(set(names) | set(current) | set(open_by) | set(previous)):
        now, before, pipe = current.get(pid, {}), previous.get(pid, {}), open_by.get(pid, {})
        out.append(
            {
                "product_id": pid,
                "name": names.get(pid),
                "won": now.get("won", 0),
                "lost": now.get("lost", 0),
                "win_rate": now.get("win_rate"),
                "revenue": now.get("revenue", 0.0),
                "average_deal": now.get("average_deal"),
                "open_deals": pipe.get("open_deals", 0),
                "pipeline_amount": pipe.get("open_amount", 0.0),
                "previous": {
                    "won": before.get("won", 0),
                    "lost": before.get("lost", 0),
                    "win_rate": before.get("win_rate"),
                    "revenue": before.get("revenue", 0.0),
                },
            }
        )
    out.sort(key=lambda r: (-r["revenue"], r["product_id"]))
    return out


def _histogram(row: Row) -> list[Row]:
    """`speed_histogram`'s bins from the counts of `lead_scorecard` (share of the MQLs)."""
    bins = histogram_bins(_BINS_HOURS)
    counts = [row[f"hours_bin_{b['bin']}"] for b in bins]
    total = sum(counts)
    return [
        {
            "label": b["label"],
            "lower_hours": b["lower_hours"],
            "upper_hours": b["upper_hours"],
            "count": n,
            "share": n / total if total else None,
        }
        for b, n in zip(bins, counts, strict=True)
    ]


def _channels(rows: list[Row]) -> list[Row]:
    keep: tuple[str, ...] = ("channel", "mqls", "median_hours", "share_within_sla")
    keep += ("never_contacted", "acceptance_rate")
    return [{k: r[k] for k in keep} for r in sorted(rows, key=lambda r: r["channel"])]


def scorecard_report(
    con: BaseBackend,
    *,
    period: str | None = None,
    settings: Settings,
    as_of: date | None = None,
    sources: Mapping[str, str] | None = None,
) -> ScorecardReport:
    """The scorecard of ``period`` (default: latest complete quarter) as a JSON-ready dict.

    ``as_of`` is a day: the data is read as it stood at the end of it
    (default: the data's last date). ``sources`` says where each setting came
    from (`coparent.settings.load_settings_sourced`), so the report can say
    where its goal came from (default: the settings file). Raises
    `MissingDataError` without an ``opportunities`` table, `PeriodOutOfRange`
    for a period the data do not reach, `ValueError` for one that does not parse.
    """
    present = set(con.list_tables())
    if "opportunities" not in present:
        raise MissingDataError(
            "the scorecard needs the opportunities table, and the warehouse has none yet",
            hint="import it: coparent import opportunities FILE "
            "(see coparent schema opportunities)",
        )
    tables = {
        name: con.table(name)
        for name in ("opportunities", "leads", "activities", "products")
        if name in present
    }
    opps, leads = tables["opportunities"], tables.get("leads")
    activities = tables.get("activities") if leads is not None else None
    no_data = _scorecard_no_data(tables)
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    data = data_range(tables)
    last_at = data.last_at if data is not None else None
    fy = settings.fiscal_year_start_month
    p, as_of_day, rule = _choose_period(period, as_of, data, fy)
    check_period(p, data)
    prev = p.previous()
    moment = datetime.combine(as_of_day + timedelta(days=1), time())
    cutoff = min(moment, p.end_at)
    notes: list[str] = coverage_notes(p, data, as_of=as_of_day)

    deals = _deal_rows(opps, {_CURRENT: p, _PREVIOUS: prev}, moment)
    overall = {name: rows[:1] for name, (rows, _) in deals.items()}
    by_product = {name: rows for name, (_, rows) in deals.items()}
    pipeline_rows = _rows(open_pipeline(opps, as_of=cutoff, by="product_id"))
    pipeline = {
        "as_of": (cutoff - timedelta(days=1)).date(),
        "open_deals": sum(r["open_deals"] for r in pipeline_rows),
        "amount": sum(r["open_amount"] for r in pipeline_rows),
        "unknown_amount": sum(r["unknown_amount"] for r in pipeline_rows),
    }
    if pipeline["unknown_amount"]:
        notes.append(
            f"{fmt.count(pipeline['unknown_amount'])} open deals have no amount yet; "
            "the pipeline value counts known amounts only"
        )

    report: dict[str, Any] = {
        "period": {**_period_json(p), "complete": moment >= p.end_at, "rule": rule},
        "as_of": as_of_day,
        "data_first_at": data.first_at if data is not None else None,
        "data_last_at": last_at,
        "settings": {
            "fiscal_year_start_month": fy,
            "sales_sla_hours": settings.sales_sla_hours,
            "marketing_mql_commitment": settings.marketing_mql_commitment,
            "goal_won_revenue": settings.goal_won_revenue,
            "sources": {name: _source(sources, name) for name in _REPORTED},
        },
        **_deals(overall[_CURRENT]),
        "pipeline": pipeline,
        "funnel": None,
        "speed_to_lead": None,
        "sla": {"sales": None, "marketing": None},
        "goal": _goal(opps, p, settings, moment, notes, _source(sources, "goal_won_revenue")),
        "products": _products(tables, by_product, pipeline_rows),
        "channels": None,
        "previous": {"period": _period_json(prev), **_deals(overall[_PREVIOUS])},
        "no_data": no_data,
        "notes": notes,
    }
    report["previous"].update(funnel=None, sla={"sales": None, "marketing": None})
    if leads is None:
        notes.append(
            "import leads to see the MQL funnel, speed to lead and both SLAs "
            "(coparent import leads FILE)"
        )
    else:
        _add_lead_sections(report, leads, opps, activities, p, prev, moment, settings, notes)
        _no_data_notes(no_data, notes)
        unlinked = int(dangling_links(leads, opps).to_pyarrow().as_py())
        report["unlinked_leads"] = unlinked
        if unlinked:
            notes.append(
                f"{unlinked:,} leads name an opportunity that is not in the opportunities "
                "table, so they are not counted as opportunities; import the deals export "
                "that holds them (all years)"
            )
    return cast(ScorecardReport, plain(report))


_REPORTED = (
    "fiscal_year_start_month",
    "sales_sla_hours",
    "marketing_mql_commitment",
    "goal_won_revenue",
)


def _source(sources: Mapping[str, str] | None, name: str) -> str:
    """Where a setting came from; a caller that does not say read it from the settings file."""
    return (sources or {}).get(name, "settings_file")


def _goal(
    opps: ir.Table, p: Period, settings: Settings, moment: datetime, notes: list[str], source: str
) -> Row | None:
    if settings.goal_won_revenue <= 0:
        notes.append("set goal_won_revenue to see progress to a shared goal and a forecast")
        return None
    target = settings.goal_won_revenue * _MONTHS[p.kind] / 3
    row = _rows(goal_progress(opps, period=p, target=target, as_of=moment))[0]
    return {
        **row,
        "rule": STATUS_RULE,
        "forecast_rule": _FORECAST_RULE,
        "forecast_pipeline_rule": _PIPELINE_RULE,
        "source": source,
    }


def _add_lead_sections(
    report: dict[str, Any],
    leads: ir.Table,
    opps: ir.Table,
    activities: ir.Table | None,
    p: Period,
    prev: Period,
    moment: datetime,
    settings: Settings,
    notes: list[str],
) -> None:
    sla_hours = settings.sales_sla_hours
    commitment = settings.marketing_mql_commitment
    if activities is None:
        notes.append("import activities to count Sales' attempts per MQL")
    if not commitment:
        notes.append("set marketing_mql_commitment to compare MQLs delivered with a commitment")
    rows = _rows(
        lead_scorecard(
            leads,
            periods={_CURRENT: p, _PREVIOUS: prev},
            opportunities=opps,
            activities=activities,
            as_of=moment,
            by="channel",
            sla_hours=sla_hours,
            commitment_per_month=commitment,
            bins_hours=_BINS_HOURS,
        )
    )
    no_data = report["no_data"]
    rows = [_blank(r, no_data) for r in rows]
    # one row per period for all its MQLs (no channel), and one per period and channel
    total = {r["period"]: r for r in rows if r["channel"] is None}
    now, before = total[_CURRENT], total[_PREVIOUS]
    report["funnel"] = _funnel(now)
    report["sla"] = {"sales": _sales(now), "marketing": _marketing(now, commitment)}
    report["speed_to_lead"] = {
        "sla_hours": sla_hours,
        "source": "activities and first_contacted_at"
        if activities is not None
        else "first_contacted_at",
        **{
            k: now[k]
            for k in (
                "mqls",
                "contacted",
                "never_contacted",
                "median_hours",
                "p75_hours",
                "p90_hours",
                "mean_hours",
                "share_within_sla",
            )
        },
        "histogram": [] if "sales_sla_share" in no_data else _histogram(now),
    }
    report["channels"] = _channels(
        [r for r in rows if r["period"] == _CURRENT and r["channel"] is not None]
    )
    report["previous"].update(
        funnel=_funnel(before),
        sla={"sales": _sales(before), "marketing": _marketing(before, commitment)},
    )


def _no_data_notes(no_data: Mapping[str, str], notes: list[str]) -> None:
    """One note per missing input: which figures it leaves without data, what to import."""
    by_hint: dict[str, list[str]] = {}
    for name, hint in no_data.items():
        by_hint.setdefault(hint, []).append(metric(name).label.replace("{sla}", "the SLA"))
    for hint, labels in by_hint.items():
        if not any(note.startswith(hint) for note in notes):  # e.g. "import activities to ..."
            notes.append(f"no data for {', '.join(labels)}: {hint}")
