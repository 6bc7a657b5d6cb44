"""The win-back finder: lapsing accounts ranked by value at stake, frozen lists, outcomes.

`winback_rank` builds customer-base features from ``orders`` in the engine,
fits BG/NBD and Gamma-Gamma on the aggregated (x, t_x, T) triples and
(x, m) pairs, scores every account in the engine, and returns the top of the
list with a reason in words and the owner to call. With fewer than
`MIN_REPEAT_BUYERS` repeat buyers (or a fit that does not converge) it ranks by
RFM instead and says so in ``method_note``.

`winback_list_create` freezes a ranked list with a seeded holdout into
``<workspace>/winback/<id>.json`` (format in docs/starter-projects.md);
`winback_outcome` compares reactivation (an order after the list's as-of date)
between contacted and held-out accounts, with an interval.

Data rules: orders with a negative amount are an error (refunds do not belong
in orders); orders with a zero amount and orders after the as-of date are left
out of the features, and ``notes`` says how many. Time is measured in days.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.expr import types as ir

from coparent import warehouse
from coparent.errors import ConvergenceError, UnusableDataError, WinbackListError
from coparent.metrics import display as fmt
from coparent.metrics._guard import require_columns
from coparent.models.bgnbd import BetaGeo
from coparent.models.customer_base import customer_base, spend_pairs, triples
from coparent.models.gamma_gamma import GammaGamma
from coparent.models.holdout import reactivation
from coparent.models.winback import account_owners, reason, rfm_winback_scores, winback_scores
from coparent.models.winback_list import LIST_FORMAT, freeze, problem
from coparent.workspace import Workspace

__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "DEFAULT_MAX_P_ALIVE",
    "LIST_DIR",
    "LIST_FORMAT",
    "MIN_HISTORY_DAYS",
    "MIN_REPEAT_BUYERS",
    "WinbackListError",
    "winback_list_create",
    "winback_list_load",
    "winback_list_values",
    "winback_outcome",
    "winback_rank",
]

MIN_REPEAT_BUYERS = 30
"""Fewer repeat buyers than this and BG/NBD is not fitted: the list falls back to RFM."""
MIN_HISTORY_DAYS = 90
"""Fewer days of orders than this and nothing is ranked: a quarter is the shortest span in
which a customer who left can be told from one who has not needed to buy again yet (with
less, the RFM fallback would call last week's buyers lapsed)."""
DEFAULT_HORIZON_DAYS = 365.0
DEFAULT_MAX_P_ALIVE = 0.5
"""An account is lapsing when it is more likely gone than still buying."""
LIST_DIR = "winback"

Row = dict[str, Any]


def _orders(con: BaseBackend) -> ir.Table:
    orders = warehouse.read_table(con, "orders")
    require_columns(
        orders, {"account_id", "ordered_at", "amount"}, feature="win-back", table_name="orders"
    )
    return orders


def _check_orders(orders: ir.Table, as_of: date | None) -> tuple[date, list[str]]:
    """The as-of date and notes; `UnusableDataError` for data the models cannot use."""
    day = orders.ordered_at.date()
    stats = (
        orders.aggregate(
            n=orders.count(),
            first=day.min(),
            last=day.max(),
            negative=(orders.amount < 0).sum(),
            zero=(orders.amount == 0).sum(),
            missing=orders.amount.isnull().sum() + orders.ordered_at.isnull().sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    if not stats["n"]:
        raise UnusableDataError(
            "the orders table is empty",
            table="orders",
            hint="import orders first: coparent import orders FILE",
        )
    if stats["negative"]:
        examples = (
            orders.filter(orders.amount < 0).select("account_id", "amount").limit(3).to_pyarrow()
        )
        shown = ", ".join(
            f"{a} ({v:g})"
            for a, v in zip(
                examples["account_id"].to_pylist(), examples["amount"].to_pylist(), strict=True
            )
        )
        raise UnusableDataError(
            f"{stats['negative']:,} order(s) have a negative amount, e.g. accounts {shown}",
            table="orders",
            count=stats["negative"],
            hint="refunds and credit notes do not belong in orders: filter them out of the "
            "export (or the mapping) and import orders again",
        )
    as_of = as_of or stats["last"]
    assert as_of is not None
    if as_of < stats["first"]:
        raise UnusableDataError(
            f"no orders on or before {as_of.isoformat()}; the first is on {stats['first']}",
            table="orders",
            hint=f"choose an --as-of date between {stats['first']} and {stats['last']}",
        )
    notes = []
    if stats["missing"]:
        notes.append(f"{stats['missing']:,} order(s) without a date or amount were left out.")
    if stats["zero"]:
        notes.append(
            f"{stats['zero']:,} order(s) with a zero amount were left out: free orders are not "
            "purchases."
        )
    if stats["last"] > as_of:
        later = int(orders.filter(day > ibis.date(as_of)).count().to_pyarrow().as_py())
        notes.append(
            f"{later:,} order(s) after the as-of date {as_of.isoformat()} were left out of the "
            "ranking (they count only for outcomes)."
        )
    return as_of, notes


def _owners(con: BaseBackend) -> ir.Table | None:
    tables = {
        name: con.table(name) if warehouse.has_table(con, name) else None
        for name in ("accounts", "opportunities", "people")
    }
    return account_owners(**tables)


def _fit(base: ir.Table, counts: pa.Table) -> tuple[BetaGeo, GammaGamma] | str:
    """Both models, or why they could not be fitted (the RFM fallback's note).

    ``counts`` holds the unique (frequency, recency, T) triples of ``base``.
    """
    frequency = counts["frequency"].to_numpy()
    customers = counts["customers"].to_numpy()
    repeat = int(customers[frequency > 0].sum())
    if repeat < MIN_REPEAT_BUYERS:
        return (
            f"only {repeat} account(s) bought more than once (BG/NBD needs at least "
            f"{MIN_REPEAT_BUYERS}), so the list is ranked by RFM scores instead"
        )
    try:
        model = BetaGeo().fit(
            frequency, counts["recency"].to_numpy(), counts["T"].to_numpy(), customers
        )
        pairs = spend_pairs(base).to_pyarrow()
        spend = GammaGamma().fit(
            pairs["frequency"].to_numpy(),
            pairs["monetary_value"].to_numpy(),
            pairs["customers"].to_numpy(),
        )
        spend.population_mean_spend()  # refuses q <= 1: expected spend would be unbounded
    except (ConvergenceError, UnusableDataError) as exc:
        return f"the customer-base model could not be fitted ({exc}), so the list is ranked by RFM"
    return model, spend


def _model_json(model: BetaGeo, spend: GammaGamma) -> Row:
    return {
        "bgnbd": {**model.params_, "log_likelihood": model.log_likelihood_, "time_unit": "day"},
        "gamma_gamma": {**spend.params_, "mean_order_value": spend.population_mean_spend()},
        "customers": model.n_customers_,
    }


def winback_rank(
    con: BaseBackend,
    *,
    as_of: date | None = None,
    top: int | None = 20,
    horizon_days: float = DEFAULT_HORIZON_DAYS,
    max_p_alive: float = DEFAULT_MAX_P_ALIVE,
) -> Row:
    """The ranked win-back list as JSON-ready data (``top=None``: every lapsing account)."""
    if top is not None and top < 1:
        raise ValueError("top must be at least 1 (or None for all)")
    if not horizon_days > 0 or not 0.0 < max_p_alive <= 1.0:
        raise ValueError("horizon_days must be positive and max_p_alive in (0, 1]")
    orders = _orders(con)
    as_of, notes = _check_orders(orders, as_of)
    clean = orders.filter((orders.amount > 0) & orders.ordered_at.notnull())
    # The features feed five queries: computed once, kept in the engine (a temporary table).
    with customer_base(clean, as_of=as_of, unit="day").cache() as base:
        return _rank(
            con,
            base,
            as_of=as_of,
            notes=notes,
            top=top,
            horizon_days=horizon_days,
            max_p_alive=max_p_alive,
        )


def _rank(
    con: BaseBackend,
    base: ir.Table,
    *,
    as_of: date,
    notes: list[str],
    top: int | None,
    horizon_days: float,
    max_p_alive: float,
) -> Row:
    counts = triples(base).to_pyarrow()
    customers = counts["customers"].to_numpy()
    first = base.aggregate(first=base.first_order.min()).to_pyarrow().to_pylist()[0]["first"]
    history_days = (as_of - first).days
    if history_days < MIN_HISTORY_DAYS:
        return _too_short(
            as_of=as_of,
            first=first,
            history_days=history_days,
            counts=counts,
            notes=notes,
            horizon_days=horizon_days,
            max_p_alive=max_p_alive,
        )
    fitted = _fit(base, counts)
    if isinstance(fitted, str):
        method, method_note, model_json = "rfm", fitted, None
        scored = rfm_winback_scores(base, horizon=horizon_days)
        lapsing = scored.filter(scored.lapsing & (scored.value_at_stake > 0))
    else:
        model, spend = fitted
        method, model_json = "bgnbd", _model_json(model, spend)
        method_note = (
            "BG/NBD + Gamma-Gamma: value at stake = (1 - P(alive)) x expected spend over the "
            "horizon had the account stayed (its own pace and order value, with the usual "
            "chance of dropping out again)"
        )
        scored = winback_scores(base, transactions=model, spend=spend, horizon=horizon_days)
        lapsing = scored.filter((scored.frequency > 0) & (scored.p_alive <= max_p_alive))
    summary = (
        lapsing.aggregate(n=lapsing.count(), total=lapsing.value_at_stake.sum())
        .to_pyarrow()
        .to_pylist()[0]
    )
    ranked = lapsing.order_by([ibis.desc("value_at_stake"), "account_id"])
    rows = _enrich(con, ranked.limit(top) if top is not None else ranked, notes)
    accounts = [_account_row(i + 1, row, as_of) for i, row in enumerate(rows)]
    empty = None
    if not summary["n"]:
        if method == "bgnbd":
            empty = _nobody_below(scored, max_p_alive=max_p_alive)
        else:
            empty = {
                "reason": "no account both went quiet (an R score of 1 or 2) and spent "
                "anything, so nobody is worth a call yet",
                "lowest_p_alive": None,
                "max_p_alive": None,
                "suggested_max_p_alive": None,
                "hint": "import a longer order history, or rank again later",
            }
    return {
        "as_of": as_of.isoformat(),
        "method": method,
        "method_note": method_note,
        "time_unit": "day",
        "horizon_days": horizon_days,
        "max_p_alive": max_p_alive if method == "bgnbd" else None,
        "customers": int(customers.sum()),
        "repeat_buyers": int(customers[counts["frequency"].to_numpy() > 0].sum()),
        "lapsing": int(summary["n"]),
        "total_value_at_stake": round(float(summary["total"] or 0.0), 2),
        "model": model_json,
        "empty": empty,
        "notes": notes,
        "accounts": accounts,
    }


def _nobody_below(scored: ir.Table, *, max_p_alive: float) -> Row:
    """Why BG/NBD lists nobody: every repeat buyer's P(alive) is above the threshold."""
    repeat = scored.filter(scored.frequency > 0)
    lowest = repeat.aggregate(low=repeat.p_alive.min()).to_pyarrow().to_pylist()[0]["low"]
    if lowest is None:
        return {
            "reason": "nobody bought more than once, and only repeat buyers can lapse",
            "lowest_p_alive": None,
            "max_p_alive": max_p_alive,
            "suggested_max_p_alive": None,
            "hint": "rank again when customers have come back for a second order",
        }
    low = float(lowest)
    suggested = min(1.0, math.ceil(low * 20 - 1e-9) / 20)
    return {
        "reason": f"every repeat buyer is more likely still buying than the threshold allows: "
        f"the lowest P(alive) is {fmt.percent(low)}, above the threshold of "
        f"{fmt.percent(max_p_alive)}",
        "lowest_p_alive": round(low, 4),
        "max_p_alive": max_p_alive,
        "suggested_max_p_alive": suggested,
        "hint": f"raise the threshold to list the least likely to still buy "
        f"(--max-p-alive {suggested:g}), or rank again later: accounts lapse as time passes",
    }


def _too_short(
    *,
    as_of: date,
    first: date,
    history_days: int,
    counts: pa.Table,
    notes: list[str],
    horizon_days: float,
    max_p_alive: float,
) -> Row:
    """The report for a history too short to tell who left: nothing ranked, and why."""
    customers = counts["customers"].to_numpy()
    earliest = date.fromordinal(first.toordinal() + MIN_HISTORY_DAYS)
    reason = (
        f"the orders cover only {fmt.days(history_days)}, {first.isoformat()} to "
        f"{as_of.isoformat()}: too short to tell a customer who left from one who has not "
        f"needed to buy again yet (a win-back list needs at least {MIN_HISTORY_DAYS} days)"
    )
    return {
        "as_of": as_of.isoformat(),
        "method": "none",
        "method_note": f"nothing ranked: {reason}",
        "time_unit": "day",
        "horizon_days": horizon_days,
        "max_p_alive": None,
        "customers": int(customers.sum()),
        "repeat_buyers": int(customers[counts["frequency"].to_numpy() > 0].sum()),
        "lapsing": 0,
        "total_value_at_stake": 0.0,
        "model": None,
        "empty": {
            "reason": reason,
            "lowest_p_alive": None,
            "max_p_alive": max_p_alive,
            "suggested_max_p_alive": None,
            "hint": f"import a longer order history, or rank as of {earliest.isoformat()} "
            "or later (--as-of)",
        },
        "notes": notes,
        "accounts": [],
    }


def _enrich(con: BaseBackend, ranked: ir.Table, notes: list[str]) -> list[Row]:
    """Top rows with account names and owners (left joins: a missing table leaves nulls)."""
    table = ranked.mutate(
        _order=ibis.row_number().over(order_by=[ibis.desc("value_at_stake"), "account_id"])
    )
    if warehouse.has_table(con, "accounts") and "name" in con.table("accounts").columns:
        names = con.table("accounts").select("account_id", account_name="name")
        table = table.left_join(names, "account_id").drop("account_id_right")
    else:
        table = table.mutate(account_name=ibis.null("string"))
    owners = _owners(con)
    if owners is None:
        notes.append("No owners: import opportunities (with owner_id) to see who should call.")
        table = table.mutate(owner_id=ibis.null("string"), owner_name=ibis.null("string"))
    else:
        table = table.left_join(owners, "account_id").drop("account_id_right")
    rows: list[Row] = table.order_by("_order").to_pyarrow().to_pylist()
    return rows


def _round(value: Any, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _account_row(rank: int, row: Row, as_of: date) -> Row:
    x = int(row["frequency"])
    out: Row = {
        "rank": rank,
        "account_id": row["account_id"],
        "account_name": row["account_name"],
        "value_at_stake": _round(row["value_at_stake"], 2),
        "p_alive": _round(row["p_alive"], 4),
        "orders": int(row["orders"]),
        "lifetime_spend": _round(row["total_amount"], 2),
        "first_order": row["first_order"].isoformat(),
        "last_order": row["last_order"].isoformat(),
        "days_since_last_order": (as_of - row["last_order"]).days,
        "typical_interval_days": _round(row["recency"] / x, 1) if x > 0 else None,
        "expected_order_value": _round(row.get("expected_order_value"), 2),
        "owner_id": row["owner_id"],
        "owner_name": row["owner_name"],
        "reason": reason(row, as_of=as_of),
    }
    if "r_score" in row:
        out["rfm"] = f"{row['r_score']}-{row['f_score']}-{row['m_score']}"
    return out


# --- frozen lists -------------------------------------------------------------------------------


def _list_dir(workspace: Workspace) -> Path:
    return workspace.path / LIST_DIR


def winback_list_create(
    con: BaseBackend,
    *,
    workspace: Workspace,
    as_of: date | None = None,
    top: int | None = 100,
    holdout_share: float = 0.1,
    seed: int | None = None,
    horizon_days: float = DEFAULT_HORIZON_DAYS,
    max_p_alive: float = DEFAULT_MAX_P_ALIVE,
    now: datetime | None = None,
) -> Row:
    """Freeze the ranked list with a seeded holdout into ``<workspace>/winback/<id>.json``."""
    if not 0.0 <= holdout_share < 1.0:
        raise WinbackListError(
            f"a holdout share of {holdout_share:g} is not possible",
            hint="use a share from 0 up to but not including 1, e.g. --holdout 0.1 for 10%",
        )
    report = winback_rank(
        con, as_of=as_of, top=top, horizon_days=horizon_days, max_p_alive=max_p_alive
    )
    ranked = report["accounts"]
    if not ranked:
        empty = report["empty"] or {}
        raise UnusableDataError(
            f"no lapsing accounts as of {report['as_of']}: "
            + (empty.get("reason") or "there is nobody to win back"),
            table="orders",
            hint=empty.get("hint") or "try a later --as-of, or a higher --max-p-alive",
        )
    seed = secrets.randbelow(2**32) if seed is None else seed
    created = now or datetime.now(UTC)
    created = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)

    def document(list_id: str) -> Row:
        return freeze(
            ranked,
            list_id=list_id,
            as_of=report["as_of"],
            method=report["method"],
            horizon_days=horizon_days,
            seed=seed,
            holdout_share=holdout_share,
            created_at=created,
        )

    path, stored = _write_new(_list_dir(workspace), f"wb-{report['as_of']}", document)
    members = stored["members"]
    return {
        "id": stored["id"],
        "path": str(path),
        "created_at": stored["created_at"],
        "as_of": report["as_of"],
        "method": report["method"],
        "seed": seed,
        "holdout_share": holdout_share,
        "members": len(members),
        "contacted": sum(m["group"] == "contacted" for m in members),
        "holdout": sum(m["group"] == "holdout" for m in members),
        **winback_list_values(members),
        "notes": report["notes"],
    }


def winback_list_values(members: list[Row]) -> dict[str, float]:
    """The two registered values at stake of a frozen list's ``members``, one definition each.

    ``value_at_stake`` is the whole list's (``winback_list_value_at_stake``:
    contacted and holdout); ``to_contact_value_at_stake`` leaves the holdout
    out (``winback_to_contact_value_at_stake``). `coparent winback create` and
    the digest both read them here.
    """

    def total(rows: list[Row]) -> float:
        return round(sum(m.get("value_at_stake") or 0.0 for m in rows), 2)

    return {
        "value_at_stake": total(members),
        "to_contact_value_at_stake": total([m for m in members if m["group"] == "contacted"]),
    }


def _write_new(folder: Path, prefix: str, document: Callable[[str], Row]) -> tuple[Path, Row]:
    """Write ``document(id)`` as ``<id>.json``, id = ``<prefix>-<n>`` with the first free n.

    The file is complete before it appears (written aside, then hard-linked to
    its name, which fails rather than overwrites when another run took it).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(1, 10_000):
            target = folder / f"{prefix}-{n}.json"
            if target.exists():
                continue
            content = document(target.stem)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(content, fh, indent=2)
                    fh.write("\n")
                os.link(tmp, target)
                return target, content
            except FileExistsError:
                continue
            finally:
                os.unlink(tmp)
    except OSError as exc:
        raise WinbackListError(
            f"cannot write the win-back list into {folder}: {exc.strerror}",
            hint="check that the workspace folder is writable",
        ) from None
    raise WinbackListError(f"too many lists named {prefix}-*", hint=f"tidy up {folder}")


def winback_list_load(workspace: Workspace, ref: str) -> Row:
    """A stored list by id (``wb-2026-09-30-1``) or by path to its JSON file."""
    folder = _list_dir(workspace)
    path = Path(ref)
    if not (ref.endswith(".json") and path.exists()):
        path = folder / f"{ref}.json"
    if not path.exists():
        known = sorted(p.stem for p in folder.glob("wb-*.json")) if folder.is_dir() else []
        raise WinbackListError(
            f"no win-back list {ref!r} in {folder}",
            hint=("lists: " + ", ".join(known)) if known else "create one: coparent winback create",
        )
    try:
        document: Row = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WinbackListError(
            f"cannot read the win-back list {path}: {exc}",
            hint="the file is damaged; create a new list with coparent winback create",
        ) from None
    wrong = problem(document)
    if wrong is not None:
        raise WinbackListError(
            f"{path} {wrong}",
            hint="pass a list id (see the winback folder of the workspace) or its .json file",
        )
    return document


def winback_outcome(
    con: BaseBackend, *, workspace: Workspace, list_ref: str, until: date | None = None
) -> Row:
    """Reactivation after the list's as-of date, contacted against holdout, with an interval."""
    document = winback_list_load(workspace, list_ref)
    as_of = date.fromisoformat(document["as_of"])
    if until is not None and until <= as_of:
        raise WinbackListError(
            f"--until {until} is not after the list's as-of date {as_of}",
            hint="measure over a window that starts after the list was made",
        )
    members = document["members"]
    orders = _orders(con)
    day = orders.ordered_at.date()
    after = orders.filter((day > ibis.date(as_of)) & (orders.amount > 0))
    if until is not None:
        after = after.filter(after.ordered_at.date() <= ibis.date(until))
    last = orders.aggregate(last=day.max()).to_pyarrow().to_pylist()[0]["last"]
    end = until or last
    group = ibis.memtable(
        {
            "account_id": [m["account_id"] for m in members],
            "group": [m["group"] for m in members],
        }
    )
    per_account = after.group_by("account_id").aggregate(revenue=after.amount.sum())
    joined = group.left_join(per_account, "account_id")
    rows = (
        joined.group_by("group")
        .aggregate(
            n=joined.count(),
            reactivated=joined.revenue.notnull().sum(),
            revenue=joined.revenue.sum().fill_null(0.0),
        )
        .to_pyarrow()
        .to_pylist()
    )
    counts = {r["group"]: r for r in rows}
    c = counts.get("contacted", {"n": 0, "reactivated": 0, "revenue": 0.0})
    h = counts.get("holdout", {"n": 0, "reactivated": 0, "revenue": 0.0})
    result = reactivation(
        contacted=(int(c["reactivated"]), int(c["n"])), holdout=(int(h["reactivated"]), int(h["n"]))
    )
    window = (end - as_of).days if end is not None else 0
    out = result.to_dict()
    out["contacted"]["revenue"] = round(float(c["revenue"]), 2)
    out["holdout"]["revenue"] = round(float(h["revenue"]), 2)
    incremental = result.difference * result.contacted.n if result.difference is not None else None
    return {
        "list_id": document["id"],
        "as_of": as_of.isoformat(),
        "created_at": document["created_at"],
        "measured_until": end.isoformat() if end is not None else None,
        "window_days": max(window, 0),
        "contacted": out["contacted"],
        "holdout": out["holdout"],
        "difference": {
            "estimate": result.difference,
            "ci_low": result.ci_low,
            "ci_high": result.ci_high,
            "level": result.level,
            "method": "Newcombe hybrid score interval (contacted - holdout)",
        },
        "significant": result.significant,
        "incremental_reactivations": None if incremental is None else round(incremental, 1),
        "verdict": result.verdict(window_days=window),
    }
