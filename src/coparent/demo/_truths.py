"""The planted truths as data: what was planted (true rates) and what the draw produced.

Each `Truth` carries the levers from `_plan` (``true_*``) and the same
quantities counted in the generated rows (``observed``), so a later analytic's
test can assert that it finds the planted effect, and by how much.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pyarrow as pa

from coparent.demo import _plan
from coparent.demo._calendar import Calendar, Floats, Ints
from coparent.demo._catalog import CHANNELS, CLOUD, LOSS_REASONS_PRODUCT, PRODUCTS
from coparent.demo._experiment import VARIANTS, Experiment
from coparent.demo._leads import Leads, lead_day_weights
from coparent.demo._opportunities import Deals
from coparent.demo._orders import Orders

__all__ = ["Truth", "build_truths"]


@dataclass(frozen=True)
class Truth:
    """One planted fact: a kind, a sentence for people, and facts for tests and analytics."""

    kind: str
    statement: str
    facts: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "statement": self.statement, "facts": self.facts}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


def _r(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 4)


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _win_stats(cal: Calendar, deals: Deals, mask: np.ndarray, q: int) -> dict[str, object]:
    quarter = cal.quarter_of(np.where(np.isfinite(deals.closed), deals.closed, -1.0))
    closed = mask & np.isfinite(deals.closed) & (quarter == q)
    won = int((closed & deals.won).sum())
    lost_rows = closed & ~deals.won
    lost = int(lost_rows.sum())
    gap = int((lost_rows & (deals.loss_category == 0)).sum())
    return {
        "won": won,
        "lost": lost,
        "win_rate": _ratio(won, won + lost),
        "product_gap_share": _ratio(gap, lost),
    }


def product_gap(cal: Calendar, deals: Deals) -> Truth:
    labels = cal.quarter_labels
    q1, q0 = labels[_plan.LATEST], labels[_plan.BASELINE]
    cloud = PRODUCTS[CLOUD]
    others = [p for i, p in enumerate(PRODUCTS) if i != CLOUD]
    is_cloud = deals.product == CLOUD
    facts: dict[str, object] = {
        "product_id": cloud.product_id,
        "quarter": q1,
        "baseline_quarter": q0,
        "product_gap_reasons": list(LOSS_REASONS_PRODUCT),
        "true_win_rate": {
            q0: _plan.win_rate(CLOUD, _plan.BASELINE),
            q1: _plan.win_rate(CLOUD, _plan.LATEST),
        },
        "true_product_gap_share": {
            q0: float(_plan.loss_mix(CLOUD, _plan.BASELINE)[0]),
            q1: float(_plan.loss_mix(CLOUD, _plan.LATEST)[0]),
        },
        "other_product_ids": [p.product_id for p in others],
        "other_true_win_rate": {
            p.product_id: float(_plan.WIN_RATE[i]) for i, p in enumerate(PRODUCTS) if i != CLOUD
        },
        "other_true_product_gap_share": float(_plan.LOSS_MIX[0]),
        "observed": {
            q0: _win_stats(cal, deals, is_cloud, _plan.BASELINE),
            q1: _win_stats(cal, deals, is_cloud, _plan.LATEST),
        },
        "observed_others": {
            q0: _win_stats(cal, deals, ~is_cloud, _plan.BASELINE),
            q1: _win_stats(cal, deals, ~is_cloud, _plan.LATEST),
        },
    }
    statement = (
        f"In {q1} {cloud.name} loses mostly to product gaps (missing features and integrations, "
        f"{_plan.CLOUD_LOSS_MIX_LATEST[0]:.0%} of its losses by design) and its win rate falls "
        f"from {_plan.win_rate(CLOUD, _plan.BASELINE):.0%} to "
        f"{_plan.CLOUD_WIN_RATE_LATEST:.0%} against {q0}, while the other products' win rates "
        "and loss reasons stay as they were."
    )
    return Truth("product_gap", statement, facts)


def slow_channel(leads: Leads) -> Truth:
    sla = _plan.SLA_HOURS
    hours = (leads.contacted - leads.mql) * 24.0
    contacted = np.isfinite(hours)
    decided = np.isfinite(leads.accepted) | np.isfinite(leads.rejected)
    observed: dict[str, object] = {}
    for c, name in enumerate(CHANNELS):
        rows = (leads.channel == c) & contacted
        mqls = (leads.channel == c) & np.isfinite(leads.mql)
        accepted = int(((leads.channel == c) & np.isfinite(leads.accepted)).sum())
        observed[name] = {
            "median_hours_to_first_contact": _r(np.median(hours[rows])) if rows.any() else None,
            "share_within_sla": _ratio(int((hours[rows] <= sla).sum()), int(rows.sum())),
            "acceptance_rate": _ratio(accepted, int(((leads.channel == c) & decided).sum())),
            "opportunity_rate_per_mql": _ratio(
                int(((leads.channel == c) & np.isfinite(leads.opportunity)).sum()),
                int(mqls.sum()),
            ),
        }
    slow = CHANNELS[_plan.SLOW_CHANNEL]
    median = float(_plan.CONTACT_MEDIAN_HOURS[_plan.SLOW_CHANNEL])
    facts: dict[str, object] = {
        "channel": slow,
        "sla_hours": sla,
        "true_median_hours_to_first_contact": {
            name: float(_plan.CONTACT_MEDIAN_HOURS[c]) for c, name in enumerate(CHANNELS)
        },
        "true_acceptance_within_sla": {
            name: float(_plan.P_ACCEPT[c]) for c, name in enumerate(CHANNELS)
        },
        "late_acceptance_factor": _plan.LATE_ACCEPT_FACTOR,
        "late_opportunity_factor": _plan.LATE_OPPORTUNITY_FACTOR,
        "observed": observed,
    }
    statement = (
        f"{slow.capitalize()} MQLs wait about {median:.0f} hours for a first call, against a "
        f"few hours for other channels and an SLA of {sla:.0f} hours, and late contact cuts "
        f"acceptance by {1 - _plan.LATE_ACCEPT_FACTOR:.0%}, so {slow} leads convert worse."
    )
    return Truth("slow_channel", statement, facts)


def lapsed_accounts(cal: Calendar, orders: Orders, account_ids: pa.Array) -> Truth:
    lapse = cal.start + timedelta(days=orders.lapse_day)
    ids: list[str] = account_ids.take(pa.array(orders.lapsed)).to_pylist()
    counts: Ints = np.zeros(0, dtype=np.int64)
    if ids:
        in_group = np.isin(orders.account, orders.lapsed)
        _, counts = np.unique(orders.account[in_group], return_counts=True)
    low, high = _plan.LAPSED_INTERVAL_DAYS
    history = lapse - timedelta(days=_plan.LAPSED_MIN_HISTORY_DAYS)
    facts: dict[str, object] = {
        "account_ids": ids,
        "count": len(ids),
        "lapse_date": lapse.isoformat(),
        "first_win_on_or_before": history.isoformat(),
        "typical_interval_days": round((low + high) / 2, 1),
        "interval_days_range": [low, high],
        "spend_multiplier": _plan.LAPSED_SPEND_MULTIPLIER,
        "median_planned_interval_days": _r(float(np.median(orders.intervals))) if ids else None,
        "observed_min_orders_before_lapse": int(counts.min()) if counts.size else None,
    }
    statement = (
        f"{len(ids)} early customers who bought every {low:.0f}-{high:.0f} days, at about "
        f"{_plan.LAPSED_SPEND_MULTIPLIER:.0f} times the usual order value, for over a year "
        f"placed no order on or after {lapse.isoformat()}: a win-back list."
    )
    return Truth("lapsed_accounts", statement, facts)


def offer_lift(experiment: Experiment, cal: Calendar) -> Truth:
    p0, p1 = (_plan.P_CONVERT[v] for v in VARIANTS)
    sizes = {v: int((experiment.variant == i).sum()) for i, v in enumerate(VARIANTS)}
    conversions = {
        v: int(experiment.converted[experiment.variant == i].sum()) for i, v in enumerate(VARIANTS)
    }
    mean_value = _plan.ANNUAL_VALUE_MEAN
    first, stop = experiment.window
    facts: dict[str, object] = {
        "experiment_id": experiment.experiment_id,
        "variants": list(VARIANTS),
        "control": _plan.CONTROL,
        "treatment": _plan.TREATMENT,
        "true_conversion_rate": dict(_plan.P_CONVERT),
        "true_absolute_lift": round(p1 - p0, 4),
        "true_relative_lift": round((p1 - p0) / p0, 4),
        "true_revenue_per_subject": {
            v: round(_plan.P_CONVERT[v] * mean_value * _plan.REVENUE_FACTOR[v], 2) for v in VARIANTS
        },
        "sample_sizes": sizes,
        "observed_conversions": conversions,
        "observed_conversion_rate": {v: _ratio(conversions[v], sizes[v]) for v in VARIANTS},
        "assigned_from": (cal.start + timedelta(days=first)).isoformat(),
        "assigned_until": (cal.start + timedelta(days=stop - 1)).isoformat(),
    }
    statement = (
        f"In experiment {experiment.experiment_id} the {_plan.TREATMENT} offer truly converts "
        f"{p1:.0%} of visitors against {p0:.0%} for {_plan.CONTROL}, a lift of "
        f"{p1 - p0:.0%} points ({(p1 - p0) / p0:.0%})."
    )
    return Truth("offer_lift", statement, facts)


def noise_change(cal: Calendar, leads: Leads, deals: Deals, n_leads: int) -> Truth:
    p = _plan.NOISE_PRODUCT
    product = PRODUCTS[p]
    weights = lead_day_weights(cal)
    quarter_of_day = cal.quarter_of(np.arange(cal.days, dtype=np.float64))
    expected = n_leads * weights[quarter_of_day == _plan.LATEST, p].sum() / weights.sum()
    mix = _plan.CHANNEL_MIX[p]
    q0, q1 = cal.quarter_labels[_plan.BASELINE], cal.quarter_labels[_plan.LATEST]
    observed = {}
    for q, label in ((_plan.BASELINE, q0), (_plan.LATEST, q1)):
        observed[label] = {
            "leads": _count_in(cal, leads.created, leads.product == p, q),
            "mqls": _count_in(cal, leads.mql, leads.product == p, q),
            "accepted": _count_in(cal, leads.accepted, leads.product == p, q),
            "opportunities": _count_in(cal, deals.created, deals.product == p, q),
            **_win_stats(cal, deals, deals.product == p, q),
            "won_revenue": _r(float(deals.amount[_closed_in(cal, deals, p, q) & deals.won].sum())),
        }
    facts: dict[str, object] = {
        "segment": {"product_id": product.product_id},
        "baseline_quarter": q0,
        "quarter": q1,
        "true_rates_equal": True,
        "true_rates": {
            "expected_leads": round(float(expected), 2),
            "channel_mix": {name: float(mix[c]) for c, name in enumerate(CHANNELS)},
            "mql_rate": round(float(mix @ _plan.P_MQL), 4),
            "acceptance_within_sla": {
                name: float(_plan.P_ACCEPT[c]) for c, name in enumerate(CHANNELS)
            },
            "opportunity_rate_within_sla": float(_plan.P_OPPORTUNITY[p]),
            "win_rate": float(_plan.WIN_RATE[p]),
            "price": product.price_year_two,
            "seats_median": float(_plan.SEATS_MEDIAN[p]),
            "won_discount_range": list(_plan.WON_DISCOUNT),
            "cycle_median_days": float(_plan.CYCLE_MEDIAN_DAYS[p]),
        },
        "observed": observed,
    }
    statement = (
        f"{product.name}'s lead volume, conversion rates, win rate and deal size are generated "
        f"identically in {q0} and {q1} (win rate {_plan.WIN_RATE[p]:.0%}, about "
        f"{expected:.0f} leads a quarter), so any change between the two is noise."
    )
    return Truth("noise_change", statement, facts)


def _count_in(cal: Calendar, t: Floats, mask: np.ndarray, q: int) -> int:
    ok = mask & np.isfinite(t)
    return int((cal.quarter_of(np.where(ok, t, 0.0))[ok] == q).sum())


def _closed_in(cal: Calendar, deals: Deals, product: int, q: int) -> np.ndarray:
    ok = (deals.product == product) & np.isfinite(deals.closed)
    return np.asarray(ok & (cal.quarter_of(np.where(ok, deals.closed, 0.0)) == q))


def context(cal: Calendar) -> list[Truth]:
    """Real changes and the order process: what a diagnosis or a model fit should recover."""
    starts = cal.quarter_starts
    launch_day = int(starts[_plan.LAUNCH_QUARTER]) + _plan.LAUNCH_OFFSET_DAYS
    launch = cal.start + timedelta(days=launch_day)
    change = cal.start + timedelta(days=int(starts[_plan.PRICE_CHANGE_QUARTER]))
    cloud = PRODUCTS[CLOUD]
    raised = [p for p in PRODUCTS if p.price_year_two != p.price_year_one]
    mean_days = _plan.PURCHASE_ALPHA / _plan.PURCHASE_R
    return [
        Truth(
            "launch",
            f"{cloud.name} launched on {launch.isoformat()}; it has no leads before that day.",
            {"product_id": cloud.product_id, "launched_on": launch.isoformat()},
        ),
        Truth(
            "price_change",
            f"On {change.isoformat()} list prices rose: "
            + ", ".join(
                f"{p.name} by {p.price_year_two / p.price_year_one - 1:.0%}" for p in raised
            )
            + "; deals created from that day use the new prices.",
            {
                "changed_on": change.isoformat(),
                "prices": {
                    p.product_id: {"before": p.price_year_one, "after": p.price_year_two}
                    for p in raised
                },
            },
        ),
        Truth(
            "repeat_purchases",
            "Apart from the lapsed cohort, customers reorder after their first won deal as in "
            f"BG/NBD (on average every {mean_days:.0f} days while active) with Gamma-Gamma "
            "order values; orders of later won deals come on top.",
            {
                "bgnbd": {
                    "r": _plan.PURCHASE_R,
                    "alpha": _plan.PURCHASE_ALPHA,
                    "a": _plan.DROPOUT_A,
                    "b": _plan.DROPOUT_B,
                    "time_unit": "day",
                },
                "gamma_gamma": {
                    "p": _plan.SPEND_P,
                    "q": _plan.SPEND_Q,
                    "gamma": _plan.SPEND_GAMMA,
                },
                "addon_share": _plan.REPEAT_ADDON_SHARE,
            },
        ),
    ]


def build_truths(
    cal: Calendar,
    leads: Leads,
    deals: Deals,
    orders: Orders,
    experiment: Experiment,
    *,
    account_ids: pa.Array,
    n_leads: int,
) -> list[Truth]:
    return [
        product_gap(cal, deals),
        slow_channel(leads),
        lapsed_accounts(cal, orders, account_ids),
        offer_lift(experiment, cal),
        noise_change(cal, leads, deals, n_leads),
        *context(cal),
    ]
