"""Independent checks of a generated demo company, written in SQL over its tables.

Each check counts the rows that break one rule; a company is valid when every
count is zero. The rules restate the schema (keys, nulls, references, allowed
values) and the life cycle the demo promises, without reusing generator code.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache

import duckdb
import pyarrow as pa

from coparent.demo import DemoCompany, generate
from coparent.schema import TABLES

STAGE_ORDER = ("Discovery", "Demo", "Proposal", "Negotiation", "Closed Won", "Closed Lost")

LIFECYCLE: dict[str, str] = {
    # leads
    "lead MQL before creation": "select count(*) from leads where mql_at < created_at",
    "lead contacted before MQL (or without one)": """
        select count(*) from leads where first_contacted_at < mql_at
        or (first_contacted_at is not null and mql_at is null)""",
    "lead accepted or rejected before first contact (or without one)": """
        select count(*) from leads where coalesce(accepted_at, rejected_at) < first_contacted_at
        or (coalesce(accepted_at, rejected_at) is not null and first_contacted_at is null)""",
    "lead both accepted and rejected": """
        select count(*) from leads where accepted_at is not null and rejected_at is not null""",
    "rejection reason without rejection, or the reverse": """
        select count(*) from leads where (rejection_reason is null) <> (rejected_at is null)""",
    "lead opportunity without acceptance": """
        select count(*) from leads where opportunity_id is not null and accepted_at is null""",
    "MQL without an owner": """
        select count(*) from leads where mql_at is not null and owner_id is null""",
    # lead <-> opportunity
    "lead's opportunity does not point back": """
        select count(*) from leads l join opportunities o using (opportunity_id)
        where o.lead_id is distinct from l.lead_id""",
    "opportunity's lead does not point back": """
        select count(*) from opportunities o join leads l on l.lead_id = o.lead_id
        where l.opportunity_id is distinct from o.opportunity_id""",
    "opportunity account differs from its lead's": """
        select count(*) from opportunities o join leads l on l.lead_id = o.lead_id
        where l.account_id is distinct from o.account_id""",
    "opportunity created before its lead was accepted": """
        select count(*) from opportunities o join leads l on l.lead_id = o.lead_id
        where o.created_at < l.accepted_at""",
    # opportunities
    "opportunity closed before created": """
        select count(*) from opportunities where closed_at < created_at""",
    "status open iff not closed": """
        select count(*) from opportunities where (status = 'open') <> (closed_at is null)""",
    "stage contradicts status": """
        select count(*) from opportunities where (status = 'won') <> (stage = 'Closed Won')
        or (status = 'lost') <> (stage = 'Closed Lost')""",
    "loss reason on a deal not lost": """
        select count(*) from opportunities where loss_reason is not null and status <> 'lost'""",
    "closed deal without amount": """
        select count(*) from opportunities where closed_at is not null and amount is null""",
    # stage history
    "opportunity without stage history": """
        select count(*) from opportunities o where not exists
        (select 1 from stage_changes s where s.opportunity_id = o.opportunity_id)""",
    "stage change outside the deal's life": """
        select count(*) from stage_changes s join opportunities o using (opportunity_id)
        where s.entered_at < o.created_at or s.entered_at > coalesce(o.closed_at, $stop)""",
    "first stage is not Discovery at creation": """
        select count(*) from (select s.*, row_number() over w rn from stage_changes s
        window w as (partition by opportunity_id order by entered_at, stage_rank)) s
        join opportunities o using (opportunity_id)
        where rn = 1 and (s.stage <> 'Discovery' or s.entered_at <> o.created_at)""",
    "stage not in the pipeline": """
        select (select count(*) from stage_changes where stage_rank is null)
        + (select count(*) from opportunities where list_position($stages, stage) is null)""",
    "stages out of pipeline order": """
        select count(*) from (select stage_rank, lag(stage_rank) over w prev
        from stage_changes window w as (partition by opportunity_id order by entered_at,
        stage_rank)) where stage_rank <= prev""",
    "current stage is not the last stage entered": """
        select count(*) from (select s.*, row_number() over w rn from stage_changes s
        window w as (partition by opportunity_id order by entered_at desc, stage_rank desc)) s
        join opportunities o using (opportunity_id)
        where rn = 1 and (s.stage <> o.stage
        or (o.closed_at is not null and s.entered_at <> o.closed_at))""",
    # touches
    "lead without its first touch at creation": """
        select count(*) from leads l where not exists (select 1 from touches t
        where t.lead_id = l.lead_id and t.occurred_at = l.created_at and t.channel = l.channel
        and t.campaign_id is not distinct from l.campaign_id)""",
    "touch outside its lead's window": """
        select count(*) from touches t join leads l using (lead_id)
        left join opportunities o on o.opportunity_id = l.opportunity_id
        where t.occurred_at < greatest(l.created_at - interval 60 day, $start)
        or t.occurred_at > coalesce(o.created_at,
                                    coalesce(l.mql_at, l.created_at) + interval 30 day)""",
    "touch account differs from its lead's": """
        select count(*) from touches t join leads l using (lead_id)
        where t.account_id is distinct from l.account_id""",
    "touch without a lead": "select count(*) from touches where lead_id is null",
    # campaigns
    "campaign ends before it starts": """
        select count(*) from campaigns where ended_on < started_on""",
    "lead campaign in another channel": """
        select count(*) from leads l join campaigns c using (campaign_id)
        where c.channel <> l.channel""",
    "touch campaign in another channel": """
        select count(*) from touches t join campaigns c using (campaign_id)
        where c.channel <> t.channel""",
    "lead created outside its campaign's dates": """
        select count(*) from leads l join campaigns c using (campaign_id)
        where l.created_at < c.started_on
        or l.created_at >= coalesce(c.ended_on + interval 1 day, $stop)""",
    # activities
    "activity on both or neither a lead and a deal": """
        select count(*) from activities where (lead_id is null) = (opportunity_id is null)""",
    "contacted lead whose first activity is not its first contact": """
        select count(*) from leads l left join (select lead_id, min(occurred_at) first_at
        from activities group by 1) a using (lead_id)
        where l.first_contacted_at is not null
        and a.first_at is distinct from l.first_contacted_at""",
    "activity on a lead never contacted": """
        select count(*) from activities a join leads l using (lead_id)
        where l.first_contacted_at is null or a.occurred_at < l.first_contacted_at""",
    "lead activity not by the lead's owner": """
        select count(*) from activities a join leads l using (lead_id)
        where a.person_id <> l.owner_id""",
    "deal activity not by the deal's owner, or outside its life": """
        select count(*) from activities a join opportunities o using (opportunity_id)
        where a.person_id <> o.owner_id or a.occurred_at < o.created_at
        or a.occurred_at > coalesce(o.closed_at, $stop)""",
    # orders
    "order before the account's first won deal (or without one)": """
        select count(*) from orders r left join (select account_id, min(closed_at) first_win
        from opportunities where status = 'won' group by 1) w using (account_id)
        where w.first_win is null or r.ordered_at < w.first_win""",
    "won deal without its first order": """
        select count(*) from opportunities o where status = 'won' and not exists
        (select 1 from orders r where r.account_id = o.account_id
        and r.ordered_at = o.closed_at and r.amount = o.amount
        and r.product_id is not distinct from o.product_id)""",
    # accounts and people
    "account created after its first lead": """
        select count(*) from accounts a join (select account_id, min(created_at) first_at
        from leads group by 1) l using (account_id) where a.created_at > l.first_at""",
    "lead owner outside sales": """
        select count(*) from leads l join people p on p.person_id = l.owner_id
        where p.team not in ('sales', 'both')""",
    "deal owner outside sales": """
        select count(*) from opportunities o join people p on p.person_id = o.owner_id
        where p.team not in ('sales', 'both')""",
    "campaign owner outside marketing": """
        select count(*) from campaigns c join people p on p.person_id = c.owner_id
        where p.team not in ('marketing', 'both')""",
    # experiments
    "revenue without conversion, or the reverse": """
        select count(*) from experiments where (revenue is null) = converted""",
}


@lru_cache(maxsize=8)
def cached(scale: str, seed: int, single_team: bool = False) -> DemoCompany:
    """Generate once per test session; tests must not mutate the tables (Arrow tables cannot)."""
    return generate(scale, seed=seed, single_team=single_team)


def digest(company: DemoCompany) -> str:
    """A hash of every table's Arrow IPC bytes and the truths, comparable across processes."""
    h = hashlib.sha256()
    for name, table in company.tables.items():
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        h.update(name.encode())
        h.update(sink.getvalue().to_pybytes())
    h.update(company.truths_json().encode())
    return h.hexdigest()


def connect(company: DemoCompany) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, table in company.tables.items():
        con.register(f"{name}_raw" if name == "stage_changes" else name, table)
    stages = ", ".join(f"'{s}'" for s in STAGE_ORDER)
    con.execute(
        "create view stage_changes as select *,"
        f" list_position([{stages}], stage) stage_rank from stage_changes_raw"
    )
    return con


def violations(company: DemoCompany) -> dict[str, int]:
    """Rule -> number of rows breaking it, for every rule (zero when the company is valid)."""
    con = connect(company)
    start = company.start.isoformat()
    stop = (company.end + timedelta(days=1)).isoformat()
    params = {
        "start": f"{start} 00:00:00",
        "stop": f"{stop} 00:00:00",
        "stages": list(STAGE_ORDER),
    }
    found: dict[str, int] = {}

    def count(rule: str, sql: str) -> None:
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        row = con.execute(sql, used).fetchone()
        assert row is not None
        found[rule] = int(row[0])

    for name, spec in TABLES.items():
        table = company.tables[name]
        found[f"{name}: schema differs"] = int(not table.schema.equals(spec.arrow_schema()))
        keys = ", ".join(spec.key)
        count(f"{name}: duplicate key", f"select count(*) - count(distinct ({keys})) from {name}")
        for col in spec:
            if not col.nullable:
                count(
                    f"{name}.{col.name}: null in a required column",
                    f"select count(*) - count({col.name}) from {name}",
                )
            if col.ref:
                ref_table, ref_col = col.ref_table, col.ref_column
                count(
                    f"{name}.{col.name}: dangling reference",
                    f"select count(*) from {name} x where {col.name} is not null and not exists"
                    f" (select 1 from {ref_table} r where r.{ref_col} = x.{col.name})",
                )
            if col.values:
                allowed = ", ".join(f"'{v}'" for v in col.values)
                count(
                    f"{name}.{col.name}: unknown value",
                    f"select count(*) from {name} where {col.name} not in ({allowed})",
                )
            if col.min_value is not None:
                count(
                    f"{name}.{col.name}: below minimum",
                    f"select count(*) from {name} where {col.name} < {col.min_value}",
                )
            if col.type == "timestamp":
                count(
                    f"{name}.{col.name}: outside the two years",
                    f"select count(*) from {name} where {col.name} < $start or {col.name} >= $stop",
                )
            if col.type == "date":
                count(
                    f"{name}.{col.name}: outside the two years",
                    f"select count(*) from {name} where {col.name} < '{start}'"
                    f" or {col.name} > '{company.end.isoformat()}'",
                )
    for rule, sql in LIFECYCLE.items():
        count(rule, sql)
    return {rule: n for rule, n in found.items() if n}


def assert_valid(company: DemoCompany) -> None:
    broken = violations(company)
    assert not broken, f"rules broken (rule: rows): {broken}"
