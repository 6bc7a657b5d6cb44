"""A short agenda for each pair, from the facts that connect its people.

What connects a marketing person M and a sales person S in the warehouse is
a lead from one of M's campaigns (``campaigns.owner_id``) that S owns
(``leads.owner_id``), or a deal that grew from such a lead and S owns
(``opportunities.owner_id``). `agenda_facts` counts those connections in
the engine over the last ``days`` before ``as_of``, in one long table; the
pure `agenda_lines` then picks at most three lines per group, in this order:

1. ``won``       deals S won that started from M's campaigns (celebrate first);
2. ``rejected``  M's leads S rejected, by channel and reason (the top one);
3. ``waiting``   M's leads S owns, MQL in the window, still not contacted at as_of;
4. ``lost``      deals S lost that started from M's campaigns, by loss reason;
5. ``accepted``  M's leads S accepted;
6. ``open``      open deals S owns that started from M's campaigns.

For a trio each kind's strongest marketing-sales combination is used. When
nothing connects the group, one line per person says what each brings
(``mqls``: MQLs from M's campaigns; ``pipeline``: S's open deals; ``worked``:
MQLs S owns), and when even that is empty the line says that no records
connect them yet. Lines speak of leads, deals and numbers, never of blame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import ibis
from ibis import _
from ibis.common.deferred import Deferred
from ibis.expr import types as ir

from coparent.metrics._common import in_range
from coparent.metrics._guard import require_columns
from coparent.metrics.display import money
from coparent.pairing.schedule import Group

__all__ = ["AGENDA_COLUMNS", "DEFAULT_DAYS", "MAX_LINES", "agenda_facts", "agenda_lines"]

DEFAULT_DAYS = 30
MAX_LINES = 3
AGENDA_COLUMNS = ("kind", "marketing_id", "sales_id", "label", "detail", "n", "amount")
_NO_REASON = "no reason given"
_FEATURE = "the pairing agenda"

Row = Mapping[str, Any]


def _shape(
    table: ir.Table,
    kind: str,
    *,
    marketing_id: ir.Value | None = None,
    sales_id: ir.Value | None = None,
    label: ir.Value | None = None,
    detail: ir.Value | None = None,
    n: ir.Value,
    amount: ir.Value | None = None,
) -> ir.Table:
    """One aggregate in the common long shape (`AGENDA_COLUMNS`)."""
    null_text = ibis.null("string")
    return table.select(
        kind=ibis.literal(kind),
        marketing_id=null_text if marketing_id is None else marketing_id.cast("string"),
        sales_id=null_text if sales_id is None else sales_id.cast("string"),
        label=null_text if label is None else label.cast("string"),
        detail=null_text if detail is None else detail.cast("string"),
        n=n.cast("int64"),
        amount=ibis.null("float64") if amount is None else amount.cast("float64"),
    )


def _grouped(
    table: ir.Table, kind: str, keys: Mapping[str, Deferred], aggs: Mapping[str, Deferred]
) -> ir.Table:
    """``table`` grouped by ``keys`` with ``aggs`` (deferred on ``table``), in the long shape."""
    agg = table.group_by(**keys).aggregate(**aggs)
    return _shape(agg, kind, **{name: agg[name] for name in (*keys, *aggs)})


def agenda_facts(
    leads: ir.Table,
    *,
    campaigns: ir.Table,
    people_ids: Sequence[str],
    as_of: datetime,
    days: int = DEFAULT_DAYS,
    opportunities: ir.Table | None = None,
    accounts: ir.Table | None = None,
) -> ir.Table:
    """Counts that connect the people in ``people_ids``, long form (`AGENDA_COLUMNS`), lazy.

    Input: the canonical ``leads`` and ``campaigns`` (required), and
    ``opportunities`` and ``accounts`` when imported (deal lines and account
    names). The window is [as_of - days, as_of).
    Output: one row per kind and (marketing_id, sales_id, label) with ``n``,
    ``amount`` (deal kinds) and ``detail`` (channel, account or oldest MQL day).
    """
    require_columns(
        leads,
        {"lead_id", "campaign_id", "owner_id", "mql_at", "first_contacted_at"}
        | {"accepted_at", "rejected_at", "rejection_reason"},
        feature=_FEATURE,
        table_name="leads",
    )
    require_columns(
        campaigns,
        {"campaign_id", "name", "channel", "owner_id"},
        feature=_FEATURE,
        table_name="campaigns",
    )
    ids = list(people_ids)
    start, end = as_of - timedelta(days=days), as_of
    camp = campaigns.select(
        "campaign_id", marketing_id="owner_id", campaign="name", campaign_channel="channel"
    )
    camp = camp.filter(camp.marketing_id.isin(ids))
    from_campaigns = leads.join(camp, "campaign_id")
    mine = from_campaigns.filter(from_campaigns.owner_id.isin(ids))
    pair = {"marketing_id": _.marketing_id, "sales_id": _.owner_id}
    parts = [
        _grouped(
            mine.filter(in_range(mine.rejected_at, start, end)),
            "rejected",
            {
                **pair,
                "label": _.rejection_reason.fill_null(_NO_REASON),
                "detail": _.campaign_channel,
            },
            {"n": _.count()},
        ),
        _grouped(
            mine.filter(
                in_range(mine.mql_at, start, end)
                & _not_yet(mine.first_contacted_at, end)
                & _not_yet(mine.accepted_at, end)
                & _not_yet(mine.rejected_at, end)
            ),
            "waiting",
            {**pair, "label": _.campaign},
            {"n": _.count(), "detail": _.mql_at.min().date()},
        ),
        _grouped(
            mine.filter(in_range(mine.accepted_at, start, end)),
            "accepted",
            pair,
            {"n": _.count()},
        ),
        _grouped(
            from_campaigns.filter(in_range(from_campaigns.mql_at, start, end)),
            "mqls",
            {"marketing_id": _.marketing_id},
            {"n": _.count()},
        ),
        _grouped(
            leads.filter(in_range(leads.mql_at, start, end) & leads.owner_id.isin(ids)),
            "worked",
            {"sales_id": _.owner_id},
            {"n": _.count()},
        ),
    ]
    if opportunities is not None:
        parts += _deal_facts(opportunities, leads, camp, accounts, ids, start, end)
    return ibis.union(*parts)


def _not_yet(col: ir.TimestampValue, end: datetime) -> ir.BooleanValue:
    """Not happened before ``end`` (null, or later)."""
    return col.isnull() | (col >= end)


def _deal_facts(
    opportunities: ir.Table,
    leads: ir.Table,
    camp: ir.Table,
    accounts: ir.Table | None,
    ids: Sequence[str],
    start: datetime,
    end: datetime,
) -> list[ir.Table]:
    require_columns(
        opportunities,
        {"opportunity_id", "lead_id", "account_id", "owner_id", "created_at", "closed_at"}
        | {"status", "amount", "loss_reason"},
        feature=_FEATURE,
        table_name="opportunities",
    )
    source = leads.select("lead_id", "campaign_id").join(camp, "campaign_id")
    deals = opportunities.filter(opportunities.owner_id.isin(ids))
    if accounts is not None:
        names = accounts.select("account_id", account_name="name")
        deals = deals.left_join(names, "account_id").select(deals, "account_name")
        deals = deals.mutate(
            who=deals.account_name.fill_null(deals.account_id).fill_null(deals.opportunity_id)
        )
    else:
        deals = deals.mutate(who=deals.account_id.fill_null(deals.opportunity_id))
    deals = deals.join(source, "lead_id")
    closed = in_range(deals.closed_at, start, end)
    pair = {"marketing_id": _.marketing_id, "sales_id": _.owner_id}
    biggest = _.amount.fill_null(0.0)
    return [
        _grouped(
            deals.filter(closed & (deals.status == "won")),
            "won",
            pair,
            {
                "n": _.count(),
                "amount": _.amount.sum(),
                "label": _.campaign.argmax(biggest),
                "detail": _.who.argmax(biggest),
            },
        ),
        _grouped(
            deals.filter(closed & (deals.status == "lost")),
            "lost",
            {**pair, "label": _.loss_reason.fill_null(_NO_REASON)},
            {"n": _.count()},
        ),
        _grouped(
            deals.filter(
                (deals.status == "open") & deals.created_at.notnull() & (deals.created_at < end)
            ),
            "open",
            pair,
            {"n": _.count(), "amount": _.amount.sum()},
        ),
        _grouped(
            opportunities.filter(
                opportunities.owner_id.isin(ids) & (opportunities.status == "open")
            ),
            "pipeline",
            {"sales_id": _.owner_id},
            {"n": _.count(), "amount": _.amount.sum()},
        ),
    ]


def _first_names(group: Group, names: Mapping[str, str]) -> dict[str, str]:
    """First names, unless two members share one (then full names)."""
    full = {p: names.get(p) or p for p in group.members}
    first = {p: full[p].split()[0] if full[p].split() else p for p in group.members}
    return first if len(set(first.values())) == len(first) else full


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _pick(rows: Sequence[Row], kind: str) -> Row | None:
    """The strongest row of ``kind``: most records, then most money, then by label."""
    chosen = [r for r in rows if r["kind"] == kind]
    if not chosen:
        return None
    return min(
        chosen,
        key=lambda r: (
            -int(r["n"]),
            -float(r["amount"] or 0.0),
            str(r["label"] or ""),
            str(r["marketing_id"]),
            str(r["sales_id"]),
        ),
    )


def _line(kind: str, row: Row, who: Mapping[str, str], days: int) -> str:
    m, s = who.get(str(row["marketing_id"]), ""), who.get(str(row["sales_id"]), "")
    n, label, detail = int(row["n"]), row["label"], row["detail"]
    when = f"in the last {days} days"
    if kind == "won":
        if n == 1:
            return (
                f"{s}'s won deal with {detail} ({money(row['amount'])}) started from "
                f"{m}'s campaign '{label}' {when}"
            )
        return (
            f"{s} won {n} deals ({money(row['amount'])}) {when} that started from {m}'s "
            f"campaigns; the biggest, {detail}, came from '{label}'"
        )
    if kind == "rejected":
        channel = str(detail).replace("_", " ")
        return (
            f"{_plural(n, f'{channel} MQL')} from {m}'s campaigns that {s} worked "
            f"{'was' if n == 1 else 'were'} rejected for '{label}' {when}: what does it tell you?"
        )
    if kind == "waiting":
        return (
            f"{_plural(n, 'lead')} from {m}'s campaign '{label}' owned by {s} "
            f"{'is' if n == 1 else 'are'} still waiting for first contact (MQL since {detail})"
        )
    if kind == "lost":
        return (
            f"{_plural(n, 'deal')} from {m}'s campaigns that {s} worked "
            f"{'was' if n == 1 else 'were'} lost to '{label}' {when}"
        )
    if kind == "accepted":
        return f"{s} accepted {_plural(n, 'MQL')} from {m}'s campaigns {when}"
    if kind == "open":
        return (
            f"{s} has {_plural(n, 'open deal')} ({money(row['amount'])}) that started from "
            f"{m}'s campaigns"
        )
    if kind == "mqls":
        return f"{m}'s campaigns brought {_plural(n, 'MQL')} {when}"
    if kind == "pipeline":
        return f"{s} owns {_plural(n, 'open deal')} ({money(row['amount'])})"
    if kind == "worked":
        return f"{s} owns {_plural(n, 'lead')} that became MQLs {when}"
    raise ValueError(f"unknown agenda kind {kind!r}")


_CONNECTING = ("won", "rejected", "waiting", "lost", "accepted", "open")


def agenda_lines(
    group: Group,
    facts: Sequence[Row],
    *,
    names: Mapping[str, str],
    days: int = DEFAULT_DAYS,
    max_lines: int = MAX_LINES,
) -> list[str]:
    """At most ``max_lines`` lines for ``group`` from `agenda_facts` rows (module docstring).

    >>> g = Group(marketing=("m",), sales=("s",))
    >>> rows = [{"kind": "rejected", "marketing_id": "m", "sales_id": "s", "label": "No budget",
    ...          "detail": "webinar", "n": 3, "amount": None}]
    >>> agenda_lines(g, rows, names={"m": "Chloe Dubois", "s": "Aisha Bello"})
    ["3 webinar MQLs from Chloe's campaigns that Aisha worked were rejected for 'No budget' in the last 30 days: what does it tell you?"]
    """  # noqa: E501 - a doctest's expected output is one line
    mk, sa = set(group.marketing), set(group.sales)
    who = _first_names(group, names)
    cross = [
        r
        for r in facts
        if r["kind"] in _CONNECTING and r["marketing_id"] in mk and r["sales_id"] in sa
    ]
    lines = []
    for kind in _CONNECTING:
        row = _pick(cross, kind)
        if row is not None:
            lines.append(_line(kind, row, who, days))
    if not lines:
        for person in group.members:
            own = ("mqls",) if person in mk else ("pipeline", "worked")
            key = "marketing_id" if person in mk else "sales_id"
            for kind in own:
                row = _pick([r for r in facts if r["kind"] == kind and r[key] == person], kind)
                if row is not None:
                    lines.append(_line(kind, row, who, days))
        if not lines:
            people = " and ".join(who[p] for p in group.members)
            lines.append(
                f"No leads or deals connect {people} yet: a first meeting to learn how each "
                "other's work reaches customers"
            )
    return lines[:max_lines]
