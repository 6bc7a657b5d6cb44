"""The offer lab: offer economics, A/B test analysis of the experiments table, test planning.

`offer_analyze` aggregates the ``experiments`` table per variant in the engine
(subjects, conversions, and the sum and sum of squares of revenue per subject)
and hands those counts to `coparent.models.abtest.analyze`; nothing per
subject leaves the engine. `offer_economics` and `offer_plan` are arithmetic
on the numbers given. All three return JSON-ready dicts (docs/starter-projects.md).

The control is ``control`` when given, else a variant named control,
baseline, original, a or old (any case), else the first variant in
alphabetical order. Without ``experiment_id`` the most recent experiment (by
latest assignment) is analysed and ``notes`` names the others.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis.backends import BaseBackend
from ibis.expr import datatypes as dt
from ibis.expr import types as ir

from coparent import warehouse
from coparent.errors import OfferInputError, UnusableDataError
from coparent.ingest._values import FALSE_WORDS, TRUE_WORDS
from coparent.metrics._guard import require_columns
from coparent.models.abtest import SRM_THRESHOLD, SRM_WATCH, VariantData, analyze
from coparent.models.economics import offer_economics as _economics
from coparent.models.sample_size import sample_size_per_variant

__all__ = [
    "CONTROL_NAMES",
    "OfferInputError",
    "offer_analyze",
    "offer_economics",
    "offer_plan",
    "srm_message",
]

CONTROL_NAMES = ("control", "baseline", "original", "a", "old")

Row = dict[str, Any]


def offer_economics(
    *,
    price: float,
    discount: float,
    margin: float,
    lift: float | None = None,
    baseline: float | None = None,
) -> Row:
    """Break-even conversion lift of an offer and what a given lift earns (models.economics)."""
    try:
        result = _economics(
            price=price, discount=discount, margin=margin, lift=lift, baseline=baseline
        )
    except ValueError as exc:
        raise OfferInputError(
            str(exc), hint="shares are fractions: --discount 0.2 --margin 0.6 for 20% and 60%"
        ) from None
    out = result.to_dict()
    if result.break_even_lift is None:
        out["verdict"] = (
            f"a {discount:.0%} discount at a {margin:.0%} margin loses money on every sale: "
            "no conversion lift pays for it"
        )
    else:
        out["verdict"] = (
            f"the offer pays only if it lifts conversions by more than {result.break_even_lift:.1%}"
        )
    return out


def offer_plan(
    *, baseline: float, mde: float, power: float = 0.8, alpha: float = 0.05, variants: int = 2
) -> Row:
    """Subjects per variant to detect an absolute change ``mde`` in a ``baseline`` rate."""
    if variants < 2:
        raise OfferInputError("a test needs at least two variants", hint="use --variants 2 or more")
    try:
        n = sample_size_per_variant(
            baseline=baseline, mde=mde, power=power, alpha=alpha / (variants - 1)
        )
    except ValueError as exc:
        raise OfferInputError(
            str(exc),
            hint="rates are fractions: --baseline 0.10 --mde 0.02 to detect 10% -> 12%",
        ) from None
    return {
        "baseline": baseline,
        "mde": mde,
        "target_rate": baseline + mde,
        "relative_mde": mde / baseline,
        "power": power,
        "alpha": alpha,
        "variants": variants,
        "n_per_variant": n,
        "total": n * variants,
        "method": "two-sided pooled two-proportion z-test, normal approximation (Fleiss 2003)"
        + (f"; alpha split over {variants - 1} comparisons (Bonferroni)" if variants > 2 else ""),
    }


def _converted(table: ir.Table) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """(converted as boolean, row is not boolean-like) for any column type."""
    col = table.converted
    kind = col.type()
    if kind.is_boolean():
        return col, col.isnull()
    if kind.is_numeric():
        return col == 1, col.isnull() | ~col.isin([0, 1])
    text = col.cast(dt.string).strip().lower()
    return text.isin(list(TRUE_WORDS)), col.isnull() | ~text.isin([*TRUE_WORDS, *FALSE_WORDS])


def _choose_experiment(table: ir.Table, experiment_id: str | None, notes: list[str]) -> str:
    latest = table.assigned_at.max() if "assigned_at" in table.columns else ibis.literal(None)
    rows = (
        table.group_by("experiment_id")
        .aggregate(n=table.count(), latest=latest)
        .order_by([ibis.desc("latest"), ibis.desc("experiment_id")])
        .to_pyarrow()
        .to_pylist()
    )
    ids = [r["experiment_id"] for r in rows]
    if not ids:
        raise UnusableDataError(
            "the experiments table has no subjects",
            table="experiments",
            hint="import experiments: coparent import experiments FILE",
        )
    if experiment_id is not None:
        if experiment_id not in ids:
            raise UnusableDataError(
                f"no experiment {experiment_id!r} (it has no subjects)",
                table="experiments",
                hint="experiments: " + ", ".join(ids[:20]),
            )
        return experiment_id
    if len(ids) > 1:
        notes.append(
            f"Analysed the most recent experiment, {ids[0]}; the others: {', '.join(ids[1:20])} "
            "(choose one with --experiment)."
        )
    return str(ids[0])


def _pick_control(variants: list[str], control: str | None) -> str:
    if control is not None:
        return control
    for name in variants:
        if name.strip().lower() in CONTROL_NAMES:
            return name
    return sorted(variants)[0]


def srm_message(level: str, p_value: float) -> str | None:
    """The sample-ratio signal in words (None when the split is as planned).

    ``alarm`` (p < 0.001) starts with ``WARNING`` and ``watch`` (p < 0.01) with
    ``WATCH``, so the CLI can colour them and the page can mark them.
    """
    p = f"p = {p_value:.2g}"
    if level == "alarm":
        return (
            f"WARNING: sample ratio mismatch ({p}, below {SRM_THRESHOLD:g}): the variants did "
            "not get the planned equal shares of subjects; the assignment is broken, do not "
            "trust this result."
        )
    if level == "watch":
        return (
            f"WATCH: the split between variants looks off ({p}, below {SRM_WATCH:g}; the alarm "
            f"is below {SRM_THRESHOLD:g}): check the assignment (redirects, bots, filters, "
            "late starts of one variant) before trusting the result."
        )
    return None


def offer_analyze(
    con: BaseBackend,
    *,
    experiment_id: str | None = None,
    control: str | None = None,
    alpha: float = 0.05,
    min_lift: float = 0.05,
) -> Row:
    """Per-variant rates, tests, P(best), SRM check and a verdict for one experiment."""
    if not 0.0 < alpha < 0.5 or min_lift < 0:
        raise OfferInputError(
            "alpha must be between 0 and 0.5 and min_lift zero or more",
            hint="for example --alpha 0.05 --min-lift 0.05",
        )
    table = warehouse.read_table(con, "experiments")
    require_columns(
        table,
        {"experiment_id", "subject_id", "variant", "converted"},
        feature="offer analysis",
        table_name="experiments",
    )
    notes: list[str] = []
    chosen = _choose_experiment(table, experiment_id, notes)
    rows = table.filter(table.experiment_id == chosen)
    converted, bad = _converted(rows)
    _check_converted(rows, bad)
    has_revenue = "revenue" in rows.columns
    revenue = rows.revenue.cast("float64").fill_null(0.0) if has_revenue else ibis.literal(0.0)
    metrics: dict[str, Any] = {
        "n": rows.count(),
        "conversions": converted.cast("int64").sum(),
    }
    if has_revenue:
        metrics |= {
            "revenue_sum": revenue.sum(),
            "revenue_sq_sum": (revenue * revenue).sum(),
            "with_revenue": rows.revenue.notnull().sum(),
        }
    per = rows.group_by(variant=rows.variant).aggregate(**metrics).order_by("variant")
    counts = per.to_pyarrow().to_pylist()
    if any(r["variant"] is None for r in counts):
        raise UnusableDataError(
            f"{sum(r['n'] for r in counts if r['variant'] is None):,} subject(s) of {chosen} "
            "have no variant",
            table="experiments",
            hint="every subject needs the variant it was assigned to",
        )
    with_revenue = has_revenue and any(r["with_revenue"] for r in counts)
    data = [
        VariantData(
            r["variant"],
            int(r["n"]),
            int(r["conversions"] or 0),
            float(r["revenue_sum"]) if with_revenue else None,
            float(r["revenue_sq_sum"]) if with_revenue else None,
        )
        for r in counts
    ]
    result = analyze(
        data,
        control=_pick_control([d.variant for d in data], control),
        alpha=alpha,
        min_lift=min_lift,
    )
    srm_note = srm_message(result.srm_level, result.srm_p_value)
    if srm_note is not None:
        notes.insert(0, srm_note)
    c = result.comparison
    return {
        "experiment_id": chosen,
        "control": result.control,
        "challenger": result.challenger,
        "alpha": alpha,
        "level": result.level,
        "min_lift": min_lift,
        "variants": [{k: getattr(v, k) for k in v.__dataclass_fields__} for v in result.variants],
        "lift": {
            "variant": c.variant,
            "absolute": c.difference,
            "ci_low": c.ci_low,
            "ci_high": c.ci_high,
            "relative": c.relative_lift,
        },
        "z": c.z,
        "p_value": c.p_value,
        "prob_best": {v.variant: v.prob_best for v in result.variants},
        "expected_loss": {v.variant: v.expected_loss for v in result.variants},
        "comparisons": [
            {k: getattr(x, k) for k in x.__dataclass_fields__} for x in result.comparisons
        ],
        "revenue": result.to_dict()["revenue"],
        "srm_p_value": result.srm_p_value,
        "sample_ratio_mismatch": result.sample_ratio_mismatch,
        "srm_level": result.srm_level,
        "srm_message": srm_note,
        "verdict": result.verdict,
        "verdict_reason": result.reason,
        "winner": result.winner,
        "notes": notes,
    }


def _check_converted(rows: ir.Table, bad: ir.BooleanValue) -> None:
    problems = rows.filter(bad)
    count = int(problems.count().to_pyarrow().as_py())
    if not count:
        return
    examples = (
        problems.select(value=problems.converted.cast(dt.string)).distinct().limit(5).to_pyarrow()
    )
    shown = ", ".join(repr(v) if v is not None else "empty" for v in examples["value"].to_pylist())
    raise UnusableDataError(
        f"converted must be true or false, but {count:,} subject(s) have {shown}",
        table="experiments",
        count=count,
        hint="use true/false, yes/no or 1/0 in the converted column and import again",
    )
