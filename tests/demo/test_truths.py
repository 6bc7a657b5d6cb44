"""Each planted truth is visible in the tables, found by a small SQL query of its own.

The queries read only the tables and the truth's ``facts`` (ids, quarters,
reasons), never the generator's internals, as a later analytic would.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

import coparent.demo
from coparent.demo import DemoCompany
from coparent.demo import _plan as plan

from ._checks import cached, connect

SEEDS = [0, 1, 2]


def _quarter_bounds(label: str) -> tuple[str, str]:
    year, q = int(label[:4]), int(label[-1])
    first = date(year, 3 * q - 2, 1)
    after = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return first.isoformat(), after.isoformat()


def _win_and_gap(company: DemoCompany, quarter: str, products: str) -> tuple[int, int, float]:
    """(won, lost, product-gap share of losses) for deals of ``products`` closed in ``quarter``."""
    facts = company.truth("product_gap").facts
    first, after = _quarter_bounds(quarter)
    row = (
        connect(company)
        .execute(
            f"""select count(*) filter (where status = 'won'), count(*) filter (where status =
            'lost'), avg(case when loss_reason in (select unnest($reasons)) then 1.0 else 0.0
            end) filter (where status = 'lost')
            from opportunities where closed_at >= $first and closed_at < $after
            and product_id {products}""",
            {"reasons": facts["product_gap_reasons"], "first": first, "after": after},
        )
        .fetchone()
    )
    assert row is not None
    return int(row[0]), int(row[1]), float(row[2])


def _z(won_a: int, n_a: int, won_b: int, n_b: int) -> float:
    """Two-proportion z statistic (pooled), b against a."""
    p = (won_a + won_b) / (n_a + n_b)
    se = math.sqrt(p * (1 - p) * (1 / n_a + 1 / n_b))
    return (won_b / n_b - won_a / n_a) / se


@pytest.mark.parametrize("seed", SEEDS)
def test_the_new_edition_loses_to_product_gaps_in_the_latest_quarter(seed: int):
    company = cached("small", seed)
    facts = company.truth("product_gap").facts
    cloud = f"= '{facts['product_id']}'"
    others = f"<> '{facts['product_id']}'"
    q1, q0 = str(facts["quarter"]), str(facts["baseline_quarter"])
    assert q1 == "2026-Q3"
    assert q0 == "2026-Q2"

    won1, lost1, gap1 = _win_and_gap(company, q1, cloud)
    won0, lost0, gap0 = _win_and_gap(company, q0, cloud)
    assert gap1 >= 0.6
    assert gap0 < 0.45
    assert won1 / (won1 + lost1) < won0 / (won0 + lost0)

    o_won1, o_lost1, o_gap1 = _win_and_gap(company, q1, others)
    o_won0, o_lost0, o_gap0 = _win_and_gap(company, q0, others)
    assert o_gap1 < 0.3
    assert o_gap0 < 0.3
    assert abs(_z(o_won0, o_won0 + o_lost0, o_won1, o_won1 + o_lost1)) < 3.5
    assert facts["observed"] == {
        q0: {"won": won0, "lost": lost0, "win_rate": round(won0 / (won0 + lost0), 4),
             "product_gap_share": round(gap0, 4)},
        q1: {"won": won1, "lost": lost1, "win_rate": round(won1 / (won1 + lost1), 4),
             "product_gap_share": round(gap1, 4)},
    }  # fmt: skip


@pytest.mark.parametrize("seed", SEEDS)
def test_webinar_leads_wait_past_the_sla_and_convert_worse(seed: int):
    company = cached("small", seed)
    facts = company.truth("slow_channel").facts
    rows = (
        connect(company)
        .execute(
            """select channel = $slow as slow,
            median(epoch(first_contacted_at - mql_at) / 3600),
            avg(case when epoch(first_contacted_at - mql_at) <= $sla * 3600 then 1.0 else 0 end)
                filter (where first_contacted_at is not null),
            count(accepted_at) / (count(accepted_at) + count(rejected_at)),
            count(opportunity_id) / count(mql_at)
            from leads where mql_at is not null group by 1""",
            {"slow": facts["channel"], "sla": facts["sla_hours"]},
        )
        .fetchall()
    )
    slow = next(r for r in rows if r[0])
    rest = next(r for r in rows if not r[0])
    assert slow[1] > 2 * float(str(facts["sla_hours"]))  # ~48 h, well past 24 h
    assert rest[1] < 12
    assert slow[2] < 0.1
    assert rest[2] > 0.85
    assert slow[3] < rest[3] - 0.05  # accepted less often
    assert slow[4] < rest[4] - 0.03  # and fewer opportunities per MQL

    by_channel = connect(company).execute(
        """select channel, median(epoch(first_contacted_at - mql_at) / 3600) from leads
        group by 1 having median(epoch(first_contacted_at - mql_at) / 3600) > 24"""
    )
    assert by_channel.fetchall() == [(facts["channel"], pytest.approx(slow[1]))]


@pytest.mark.parametrize("seed", SEEDS)
def test_lapsed_accounts_bought_regularly_then_stopped(seed: int):
    company = cached("small", seed)
    facts = company.truth("lapsed_accounts").facts
    ids = list(facts["account_ids"])  # type: ignore[call-overload]
    assert len(ids) >= 30
    con = connect(company)
    con.execute("create table lapsed as select unnest($ids) as account_id", {"ids": ids})
    per_account = con.execute(
        """select account_id, count(*) filter (where ordered_at < $lapse) n_before,
        count(*) filter (where ordered_at >= $lapse) n_after,
        min(ordered_at) first_at,
        date_diff('day', min(ordered_at), max(ordered_at)) / (count(*) - 1) gap,
        sum(amount) total
        from orders join lapsed using (account_id) group by 1""",
        {"lapse": facts["lapse_date"]},
    ).fetchall()
    assert len(per_account) == len(ids)
    lapse = date.fromisoformat(str(facts["lapse_date"]))
    assert (company.end - lapse).days >= 182
    for _, before, after, first_at, gap, _total in per_account:
        assert before >= 8
        assert after == 0
        assert (lapse - first_at.date()).days >= 365
        assert 14 <= gap <= 56
    # They were among the most valuable customers.
    row = con.execute(
        """with t as (select account_id, sum(amount) total,
        account_id in (select account_id from lapsed) is_lapsed from orders group by 1)
        select median(total) filter (where is_lapsed),
        quantile_cont(total, 0.75) filter (where not is_lapsed) from t"""
    ).fetchone()
    assert row is not None
    assert row[0] > row[1]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_offer_lift_is_observed_close_to_the_true_one(seed: int):
    company = cached("small", seed)
    facts = company.truth("offer_lift").facts
    control, treatment = str(facts["control"]), str(facts["treatment"])
    rows = dict(
        connect(company)
        .execute(
            """select variant, (count(*), avg(converted::int), count(revenue)) from experiments
            where experiment_id = $id group by 1""",
            {"id": facts["experiment_id"]},
        )
        .fetchall()
    )
    assert set(rows) == {control, treatment}
    (n0, p0, c0), (n1, p1, c1) = rows[control], rows[treatment]
    assert {control: n0, treatment: n1} == facts["sample_sizes"]
    assert n0 >= 2000
    assert c0 == round(p0 * n0)
    assert c1 == round(p1 * n1)
    se = math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
    true_lift = float(str(facts["true_absolute_lift"]))
    assert true_lift == pytest.approx(0.03)
    assert p1 > p0
    assert abs((p1 - p0) - true_lift) < 3.5 * se


@pytest.mark.parametrize("seed", SEEDS)
def test_the_noise_segment_changes_only_within_noise(seed: int):
    company = cached("small", seed)
    facts = company.truth("noise_change").facts
    assert facts["true_rates_equal"] is True
    product = facts["segment"]["product_id"]  # type: ignore[index]
    q0, q1 = str(facts["baseline_quarter"]), str(facts["quarter"])
    con = connect(company)

    def counts(quarter: str) -> tuple[int, int, int, int]:
        first, after = _quarter_bounds(quarter)
        row = con.execute(
            """select (select count(*) from leads where product_id = $p
                and created_at >= $first and created_at < $after),
            (select count(*) from leads where product_id = $p
                and mql_at >= $first and mql_at < $after),
            (select count(*) from opportunities where product_id = $p and status = 'won'
                and closed_at >= $first and closed_at < $after),
            (select count(*) from opportunities where product_id = $p and status <> 'open'
                and closed_at >= $first and closed_at < $after)""",
            {"p": product, "first": first, "after": after},
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    leads0, mqls0, won0, closed0 = counts(q0)
    leads1, mqls1, won1, closed1 = counts(q1)
    expected = float(facts["true_rates"]["expected_leads"])  # type: ignore[index]
    for observed in (leads0, leads1):
        assert abs(observed - expected) < 4 * math.sqrt(expected)
    assert abs(mqls1 - mqls0) < 4 * math.sqrt(mqls0 + mqls1)
    assert abs(_z(won0, closed0, won1, closed1)) < 3.5


def test_the_docstring_states_the_planted_rates():
    """The package docstring lists the truths; it must not drift from the levers in `_plan`."""
    doc = coparent.demo.__doc__ or ""
    for kind in ("product_gap", "slow_channel", "lapsed_accounts", "offer_lift", "noise_change"):
        assert f"``{kind}``" in doc
    cloud = plan.CLOUD
    for number in (
        f"{plan.WIN_RATE[cloud]:.0%} to {plan.CLOUD_WIN_RATE_LATEST:.0%}",
        f"{plan.CLOUD_LOSS_MIX_LATEST[0]:.0%} of its losses",
        f"{plan.LOSS_MIX[0]:.0%} product gaps",
        f"~{plan.CONTACT_MEDIAN_HOURS[plan.SLOW_CHANNEL]:.0f} h",
        f"SLA {plan.SLA_HOURS:.0f} h",
        f"by {plan.LATE_ACCEPT_FACTOR}",
        f"by {plan.LATE_OPPORTUNITY_FACTOR}",
        "{:.0f}-{:.0f} days".format(*plan.LAPSED_INTERVAL_DAYS),
        f"{plan.P_CONVERT[plan.TREATMENT]:.0%} of visitors",
        f"{plan.P_CONVERT[plan.CONTROL]:.0%} for",
    ):
        assert number in " ".join(doc.split()), number


@pytest.mark.slow
def test_at_medium_scale_the_truths_are_sharp():
    company = cached("medium", 0)
    facts = company.truth("product_gap").facts
    cloud = f"= '{facts['product_id']}'"
    won1, lost1, gap1 = _win_and_gap(company, str(facts["quarter"]), cloud)
    won0, lost0, gap0 = _win_and_gap(company, str(facts["baseline_quarter"]), cloud)
    assert gap1 == pytest.approx(plan.CLOUD_LOSS_MIX_LATEST[0], abs=0.05)
    assert gap0 == pytest.approx(plan.CLOUD_LOSS_MIX[0], abs=0.05)
    assert won1 / (won1 + lost1) == pytest.approx(plan.CLOUD_WIN_RATE_LATEST, abs=0.05)
    assert won0 / (won0 + lost0) == pytest.approx(plan.WIN_RATE[plan.CLOUD], abs=0.05)
    lapsed = company.truth("lapsed_accounts").facts
    assert lapsed["count"] == company.scale.lapsed_accounts
