"""Find wins: run the wins engine's fact queries on the warehouse, then its rules.

    rows = wins_facts(con, settings=settings, app=app, workspace=ws)
    wins = wins_detect(con, settings=settings, app=app, workspace=ws)

The moment the facts are read at is the end of the data's last day (as the
scorecard does), or the end of ``as_of``; wins are reported from
``wins_lookback_days`` before it. Deals are fetched from early enough for
every rule that needs a whole quarter, month, goal period or early-days
window. A table or column a rule needs but the warehouse lacks only turns
that rule's facts off, and ``FactRows.notes`` says what to import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent.errors import CoparentError, MissingDataError
from coparent.metrics.freshness import data_last_at
from coparent.metrics.periods import period_containing
from coparent.services.offers import offer_analyze
from coparent.services.winback import LIST_DIR, winback_list_load
from coparent.settings import Settings
from coparent.wins import facts
from coparent.wins.engine import detect_wins
from coparent.wins.inputs import AppData, FactRows, OfferVerdict, WinbackList
from coparent.wins.model import Win
from coparent.wins.rules import WinsConfig, wins_config
from coparent.workspace import Workspace

__all__ = ["wins_detect", "wins_facts"]

Row = dict[str, Any]
_TABLES = (
    "opportunities",
    "leads",
    "activities",
    "campaigns",
    "people",
    "accounts",
    "products",
    "orders",
    "experiments",
)


def _rows(expr: ir.Table) -> list[Row]:
    rows: list[Row] = expr.to_pyarrow().to_pylist()
    return rows


def _deals_from(since: date, app: AppData, config: WinsConfig, until: datetime) -> datetime:
    """Early enough for the quarter and month of ``since``, goal periods and early days."""
    starts = [
        period_containing(
            since, "quarter", fiscal_year_start_month=config.fiscal_year_start_month
        ).start,
        date(since.year, since.month, 1),
    ]
    starts += [g.start for g in app.goals if g.end > since and g.start < until.date()]
    window = config.early_days(app.setup_on)
    if window is not None and window[1] > since and window[0] < until.date():
        starts.append(window[0])
    return datetime.combine(min(starts), time())


def wins_facts(
    con: BaseBackend,
    *,
    settings: Settings,
    app: AppData | None = None,
    workspace: Workspace | None = None,
    as_of: date | None = None,
) -> FactRows:
    """Run the wins engine's fact queries; a missing table only leaves its rules without facts."""
    app = app or AppData()
    config = wins_config(settings)
    present = set(con.list_tables())
    t = {name: con.table(name) for name in _TABLES if name in present}
    notes: list[str] = []
    if as_of is None:
        last = data_last_at(t)
        as_of = last.date() if last is not None else datetime.now(UTC).date()
    until = datetime.combine(as_of + timedelta(days=1), time())
    since = as_of - timedelta(days=config.lookback_days - 1)
    deals_from = _deals_from(since, app, config, until)
    out: dict[str, Any] = {}

    def attempt(name: str, run: Callable[[], Iterable[Any]]) -> None:
        try:
            out[name] = tuple(run())
        except MissingDataError as exc:
            notes.append(
                f"{name.replace('_', ' ')}: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")
            )

    opps, leads = t.get("opportunities"), t.get("leads")
    if opps is not None:
        attempt(
            "won_deals",
            lambda: _rows(
                facts.won_deals(
                    opps,
                    since=deals_from,
                    until=until,
                    leads=leads,
                    campaigns=t.get("campaigns"),
                    people=t.get("people"),
                    accounts=t.get("accounts"),
                    products=t.get("products"),
                )
            ),
        )
        attempt("monthly_revenue", lambda: _rows(facts.monthly_revenue(opps, until=until)))
    else:
        notes.append("deal wins need the opportunities table: coparent import opportunities FILE")
    if leads is not None:
        attempt("weeks", lambda: _weeks(leads, t, config, until))
        attempt(
            "fast_contacts",
            lambda: _rows(
                facts.fast_contacts(
                    leads,
                    since=datetime.combine(since, time()),
                    until=until,
                    within_minutes=config.fast_contact_minutes,
                    activities=t.get("activities"),
                    people=t.get("people"),
                )
            ),
        )
        if "campaigns" in t:
            attempt(
                "campaigns",
                lambda: _rows(
                    facts.campaign_acceptance(
                        leads,
                        t["campaigns"],
                        since=since,
                        until=until,
                        opportunities=opps,
                        people=t.get("people"),
                    )
                ),
            )
    else:
        notes.append(
            "SLA streaks and fast contacts need the leads table: coparent import leads FILE"
        )
    attempt("first_accepted", lambda: _first_accepted(leads, t, app, config, until))
    lists = _winback_lists(workspace, notes)
    out["winback_lists"] = tuple(lists)
    if lists and "orders" in t:
        attempt("reactivations", lambda: _reactivations(t["orders"], lists, until))
    if "experiments" in t:
        out["offer_verdicts"] = tuple(_offer_verdicts(con, t["experiments"], until, notes))
    return FactRows(until=until, since=since, deals_from=deals_from, notes=tuple(notes), **out)


def _weeks(
    leads: ir.Table, t: Mapping[str, ir.Table], config: WinsConfig, until: datetime
) -> list[Row]:
    first = facts.first_year(leads).to_pyarrow().as_py()
    if first is None:
        return []
    return _rows(
        facts.weekly_sla(
            leads,
            from_year=int(first),
            until=until,
            sla_hours=config.sales_sla_hours,
            activities=t.get("activities"),
            opportunities=t.get("opportunities"),
        )
    )


def _first_accepted(
    leads: ir.Table | None,
    t: Mapping[str, ir.Table],
    app: AppData,
    config: WinsConfig,
    until: datetime,
) -> list[Row]:
    """Candidates for the first accepted MQL of early days, with the lead's people."""
    window = config.early_days(app.setup_on)
    if window is None or not config.on("first_accepted_mql"):
        return []
    start = datetime.combine(window[0], time())
    end = datetime.combine(window[1], time())
    found: list[Row] = []
    if leads is not None and "accepted_at" in leads.columns:
        found += [
            {**r, "reviewer": ""}
            for r in _rows(facts.first_accepted(leads, since=start, until=min(end, until)))
        ]
    reviewed = [a for a in app.acceptances if start <= a.reviewed_at < end]
    if reviewed:
        a = min(reviewed, key=lambda x: (x.reviewed_at, x.lead_id))
        found.append({"lead_id": a.lead_id, "accepted_at": a.reviewed_at, "reviewer": a.reviewer})
    if not found:
        return []
    people: dict[str, Row] = {}
    if leads is not None:
        rows = _rows(
            facts.lead_people(
                leads,
                lead_ids=[r["lead_id"] for r in found],
                campaigns=t.get("campaigns"),
                people=t.get("people"),
            )
        )
        people = {r["lead_id"]: r for r in rows}
    return [{**people.get(r["lead_id"], {}), **r} for r in found]


def _winback_lists(workspace: Workspace | None, notes: list[str]) -> list[WinbackList]:
    if workspace is None:
        return []
    folder = workspace.path / LIST_DIR
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("wb-*.json")):
        try:
            doc = winback_list_load(workspace, path.stem)
        except CoparentError as exc:
            notes.append(f"win-back list {path.stem}: {exc.message}")
            continue
        out.append(
            WinbackList(
                list_id=str(doc["id"]),
                as_of=date.fromisoformat(str(doc["as_of"])),
                members=tuple(doc["members"]),
            )
        )
    return out


def _reactivations(orders: ir.Table, lists: list[WinbackList], until: datetime) -> list[Row]:
    spec = {
        wl.list_id: (
            wl.as_of,
            [str(m["account_id"]) for m in wl.members if m["group"] == "contacted"],
        )
        for wl in lists
    }
    if not any(ids for _, ids in spec.values()):
        return []
    return _rows(facts.first_reactivations(orders, lists=spec, until=until))


def _offer_verdicts(
    con: BaseBackend, experiments: ir.Table, until: datetime, notes: list[str]
) -> list[OfferVerdict]:
    """Each experiment's verdict, dated by its last assignment (when the data settled it)."""
    if "assigned_at" not in experiments.columns:
        return []
    e = experiments.filter(experiments.assigned_at < until)
    latest = _rows(e.group_by("experiment_id").aggregate(last=e.assigned_at.max()))
    out = []
    for row in sorted(latest, key=lambda r: str(r["experiment_id"])):
        if row["last"] is None:
            continue
        try:
            report = offer_analyze(con, experiment_id=str(row["experiment_id"]))
        except CoparentError as exc:
            notes.append(f"offer test {row['experiment_id']}: {exc.message}")
            continue
        out.append(
            OfferVerdict(
                experiment_id=str(row["experiment_id"]),
                verdict=str(report["verdict"]),
                decided_on=row["last"].date(),
                winner=report.get("winner"),
                control=str(report.get("control") or ""),
                reason=str(report.get("verdict_reason") or ""),
            )
        )
    return out


def wins_detect(
    con: BaseBackend,
    *,
    settings: Settings,
    app: AppData | None = None,
    workspace: Workspace | None = None,
    as_of: date | None = None,
) -> tuple[list[Win], FactRows]:
    """The wins the rules find (newest first), and the fact rows they were found in."""
    app = app or AppData()
    rows = wins_facts(con, settings=settings, app=app, workspace=workspace, as_of=as_of)
    return detect_wins(rows, app, wins_config(settings)), rows
