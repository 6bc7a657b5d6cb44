"""The metric registry: every number a person sees, defined once, by name.

The scorecard, the Funnel & SLA page, the diagnosis, the digest, the API and
the CLI show the same figures; each is one `Metric` here with one name, one
label, one numerator and denominator, one "as of" rule and one unit (which
picks its formatter in `coparent.metrics.display`). Two related numbers that
are both useful get two names and labels that say which they are, e.g.
``acceptance_rate`` (of the *decided* MQLs) and ``mql_to_accepted`` (of *all*
MQLs).

"No data" is not zero: a metric whose inputs were never imported (``inputs``:
each group needs at least one of its columns or tables with data) is null in
JSON, listed in the report's ``no_data`` with `Metric.hint`, and shown as
"no data (import ...)". `unavailable` applies that rule to what a warehouse
holds (`coparent.metrics.coverage` measures it).

Pure data, no Ibis and no Django: docs/metrics.md is generated from it and a
test keeps the two in sync.

Examples
--------
>>> metric("acceptance_rate").label
'Accepted by Sales (of decided MQLs)'
>>> sorted(unavailable({"leads", "opportunities", "leads.accepted_at"}, names={
...     "mqls", "acceptance_rate", "mql_to_accepted", "sales_sla_share"}))
['acceptance_rate', 'sales_sla_share']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "AS_OF_COHORT",
    "AS_OF_DEALS",
    "AS_OF_FLOWS",
    "AS_OF_PIPELINE",
    "AS_OF_SLA",
    "AS_OF_WINBACK",
    "METRICS",
    "Metric",
    "Unit",
    "lookup",
    "metric",
    "unavailable",
]

Unit = Literal["money", "percent", "count", "hours", "days", "decimal"]

AS_OF_DEALS = (
    "deals closed in the period up to the end of the as-of day (default: the data's last date)"
)
AS_OF_PIPELINE = "deals open at the end of the period, or of the as-of day when that is earlier"
AS_OF_COHORT = (
    "the MQLs whose mql_at falls in the period (up to the end of the as-of day), each later "
    "stage counted if it happened by then; the as-of day defaults to, and in the digest never "
    "passes, the data's last date"
)
AS_OF_SLA = (
    AS_OF_COHORT + "; an MQL not yet contacted whose deadline (mql_at + the SLA hours) is after "
    "the as-of moment is pending: neither met nor missed"
)
AS_OF_FLOWS = "each stage counted when it happened inside the period (flows, not a cohort)"
AS_OF_WINBACK = "the list's as-of day (default: the last order's day), spend over the horizon"

_LEADS = (("leads",),)
_CONTACT = (("leads.first_contacted_at", "activities"),)
_ACCEPTED = (("leads.accepted_at",),)
_DECIDED = (("leads.accepted_at",), ("leads.rejected_at",))
_OPPS = (("opportunities",),)
_ORDERS = (("orders",),)

_HINT_LEADS = "import leads (coparent import leads FILE)"
_HINT_CONTACT = "import leads with first_contacted_at, or activities"
_HINT_ACCEPTED = "import leads with accepted_at"
_HINT_DECIDED = "import leads with accepted_at and rejected_at"
_HINT_OPPS = "import opportunities"
_HINT_ORDERS = "import orders"


@dataclass(frozen=True)
class Metric:
    """One number as people see it, and how it is computed.

    ``path`` is where the scorecard report (``coparent scorecard --json``,
    ``GET /api/scorecard``) holds it, "" when the scorecard does not; list
    items are picked by their ``stage`` (``funnel.accepted.conversion``).
    ``label`` may hold ``{sla}``, the SLA in words (`display.label`).
    """

    name: str
    label: str
    unit: Unit
    group: str
    definition: str
    numerator: str
    denominator: str | None
    as_of: str
    path: str
    inputs: tuple[tuple[str, ...], ...]
    hint: str

    def has_inputs(self, present: Iterable[str]) -> bool:
        """Whether each input group has at least one member with data in ``present``."""
        have = set(present)
        return all(any(alt in have for alt in group) for group in self.inputs)


def _m(
    name: str,
    label: str,
    unit: Unit,
    group: str,
    definition: str,
    *,
    numerator: str,
    denominator: str | None = None,
    as_of: str,
    path: str = "",
    inputs: tuple[tuple[str, ...], ...],
    hint: str,
) -> Metric:
    return Metric(
        name, label, unit, group, definition, numerator, denominator, as_of, path, inputs, hint
    )


_DEALS, _COHORT, _SLA, _GOAL, _WINBACK, _FLOWS = (
    "Deals of the period",
    "MQLs of the period (cohort)",
    "Sales SLA and speed to lead",
    "Shared goal",
    "Win-back",
    "Revenue bridge (flows)",
)

METRICS: tuple[Metric, ...] = (
    # --- deals closed in the period
    _m(
        "won_revenue",
        "Won revenue",
        "money",
        _DEALS,
        "Amount of the opportunities won in the period.",
        numerator="sum of amount of opportunities with status won and closed_at in the period",
        as_of=AS_OF_DEALS,
        path="revenue",
        inputs=_OPPS,
        hint=_HINT_OPPS,
    ),
    _m(
        "won_deals",
        "Won deals",
        "count",
        _DEALS,
        "Opportunities won in the period.",
        numerator="opportunities with status won and closed_at in the period",
        as_of=AS_OF_DEALS,
        path="won",
        inputs=_OPPS,
        hint=_HINT_OPPS,
    ),
    _m(
        "lost_deals",
        "Lost deals",
        "count",
        _DEALS,
        "Opportunities lost in the period.",
        numerator="opportunities with status lost and closed_at in the period",
        as_of=AS_OF_DEALS,
        path="lost",
        inputs=_OPPS,
        hint=_HINT_OPPS,
    ),
    _m(
        "win_rate",
        "Win rate",
        "percent",
        _DEALS,
        "Share of the deals closed in the period that were won.",
        numerator="won deals",
        denominator="won + lost deals closed in the period",
        as_of=AS_OF_DEALS,
        path="win_rate",
        inputs=_OPPS,
        hint=_HINT_OPPS,
    ),
    _m(
        "average_deal",
        "Average won deal",
        "money",
        _DEALS,
        "Won revenue per won deal.",
        numerator="won revenue",
        denominator="won deals",
        as_of=AS_OF_DEALS,
        path="average_deal",
        inputs=_OPPS,
        hint=_HINT_OPPS,
    ),
    _m(
        "sales_cycle_days",
        "Median sales cycle",
        "days",
        _DEALS,
        "Median days from created_at to closed_at of the deals won in the period.",
        numerator="median of (closed_at - created_at) in days",
        as_of=AS_OF_DEALS,
        path="sales_cycle_days.median",
        inputs=_OPPS,
        hint=_HINT_OPPS,
    ),
    _m(
        "open_pipeline",
        "Open pipeline",
        "money",
        _DEALS,
        "Known amounts of the opportunities still open (deals without an amount are counted "
        "in the notes).",
        numerator="sum of amount of open opportunities",
        as_of=AS_OF_PIPELINE,
        path="pipeline.amount",
        inputs=_OPPS,
        hint=_HINT_OPPS,
    ),
    # --- the MQLs of the period, followed through the funnel
    _m(
        "mqls",
        "MQLs delivered",
        "count",
        _COHORT,
        "Leads that became MQLs in the period (the same count as a flow).",
        numerator="leads with mql_at in the period",
        as_of=AS_OF_COHORT,
        path="sla.marketing.mqls_delivered",
        inputs=_LEADS,
        hint=_HINT_LEADS,
    ),
    _m(
        "delivery_rate",
        "MQLs delivered of the commitment to date",
        "percent",
        _COHORT,
        "MQLs delivered against Marketing's commitment for the elapsed part of the period.",
        numerator="MQLs delivered",
        denominator="marketing_mql_commitment x months elapsed",
        as_of=AS_OF_COHORT,
        path="sla.marketing.delivery_rate",
        inputs=_LEADS,
        hint=_HINT_LEADS,
    ),
    _m(
        "mqls_accepted",
        "MQLs accepted by Sales",
        "count",
        _COHORT,
        "MQLs of the period accepted by Sales (a lead that reached a later stage was accepted).",
        numerator="MQLs with accepted_at, an opportunity or a won deal",
        as_of=AS_OF_COHORT,
        path="funnel.accepted.count",
        inputs=_ACCEPTED,
        hint=_HINT_ACCEPTED,
    ),
    _m(
        "mqls_rejected",
        "MQLs rejected by Sales",
        "count",
        _COHORT,
        "MQLs of the period that Sales rejected.",
        numerator="MQLs with rejected_at and not accepted",
        as_of=AS_OF_COHORT,
        path="sla.marketing.rejected",
        inputs=_DECIDED,
        hint=_HINT_DECIDED,
    ),
    _m(
        "acceptance_rate",
        "Accepted by Sales (of decided MQLs)",
        "percent",
        _COHORT,
        "Of the period's MQLs that Sales has decided on, the share accepted; undecided MQLs "
        "are left out. Marketing's SLA.",
        numerator="MQLs accepted",
        denominator="MQLs accepted + MQLs rejected",
        as_of=AS_OF_COHORT,
        path="sla.marketing.acceptance_rate",
        inputs=_DECIDED,
        hint=_HINT_DECIDED,
    ),
    _m(
        "mql_to_accepted",
        "Accepted by Sales (of all MQLs)",
        "percent",
        _COHORT,
        "Of all the period's MQLs, the share accepted so far (the funnel's first step).",
        numerator="MQLs accepted",
        denominator="MQLs delivered",
        as_of=AS_OF_COHORT,
        path="funnel.accepted.conversion",
        inputs=_ACCEPTED,
        hint=_HINT_ACCEPTED,
    ),
    _m(
        "mql_opportunities",
        "MQLs that became opportunities",
        "count",
        _COHORT,
        "MQLs of the period with an opportunity (opened by the as-of day).",
        numerator="MQLs with an opportunity_id whose opportunity was created",
        as_of=AS_OF_COHORT,
        path="funnel.opportunity.count",
        inputs=_LEADS,
        hint=_HINT_LEADS,
    ),
    _m(
        "accepted_to_opportunity",
        "Accepted MQLs that became opportunities",
        "percent",
        _COHORT,
        "Of the period's accepted MQLs, the share with an opportunity.",
        numerator="MQLs that became opportunities",
        denominator="MQLs accepted",
        as_of=AS_OF_COHORT,
        path="funnel.opportunity.conversion",
        inputs=_ACCEPTED,
        hint=_HINT_ACCEPTED,
    ),
    _m(
        "mql_won",
        "MQLs won",
        "count",
        _COHORT,
        "MQLs of the period whose opportunity was won (by the as-of day).",
        numerator="MQLs whose opportunity has status won",
        as_of=AS_OF_COHORT,
        path="funnel.won.count",
        inputs=(("leads",), ("opportunities",)),
        hint="import leads and opportunities",
    ),
    _m(
        "opportunity_to_won",
        "MQL opportunities won",
        "percent",
        _COHORT,
        "Of the opportunities of the period's MQLs, the share won so far (not the win rate, "
        "which reads the deals closed in the period).",
        numerator="MQLs won",
        denominator="MQLs that became opportunities",
        as_of=AS_OF_COHORT,
        path="funnel.won.conversion",
        inputs=(("leads",), ("opportunities",)),
        hint="import leads and opportunities",
    ),
    _m(
        "mql_to_won",
        "MQLs won (of all MQLs)",
        "percent",
        _COHORT,
        "Of all the period's MQLs, the share won so far.",
        numerator="MQLs won",
        denominator="MQLs delivered",
        as_of=AS_OF_COHORT,
        inputs=(("leads",), ("opportunities",)),
        hint="import leads and opportunities",
    ),
    # --- Sales' side
    _m(
        "sales_sla_share",
        "Contacted within {sla}",
        "percent",
        _SLA,
        "Of the period's MQLs judged against the Sales SLA, the share first contacted within "
        "sales_sla_hours of mql_at. Sales' SLA.",
        numerator="MQLs met (first contact, from first_contacted_at or activities, within the SLA)",
        denominator="MQLs met + MQLs missed (pending MQLs are not judged yet)",
        as_of=AS_OF_SLA,
        path="sla.sales.share_within_sla",
        inputs=_CONTACT,
        hint=_HINT_CONTACT,
    ),
    _m(
        "median_hours_to_contact",
        "Median time to first contact",
        "hours",
        _SLA,
        "Median hours from mql_at to the first contact, over the contacted MQLs.",
        numerator="median of (first contact - mql_at) in hours, 0 for a contact before mql_at",
        as_of=AS_OF_SLA,
        path="sla.sales.median_hours",
        inputs=_CONTACT,
        hint=_HINT_CONTACT,
    ),
    _m(
        "attempts_per_mql",
        "Attempts per MQL",
        "decimal",
        _SLA,
        "Sales activities logged on the period's MQLs after they became MQLs, per MQL.",
        numerator="activities of the MQLs after mql_at",
        denominator="MQLs delivered",
        as_of=AS_OF_COHORT,
        path="sla.sales.attempts_per_mql",
        inputs=(("leads",), ("activities",)),
        hint="import activities",
    ),
    # --- the shared goal
    _m(
        "goal_progress",
        "Progress to the shared goal",
        "percent",
        _GOAL,
        "Won revenue so far against the period's won-revenue goal.",
        numerator="won revenue",
        denominator="the goal of the period",
        as_of=AS_OF_DEALS,
        path="goal.progress",
        inputs=_OPPS,
        hint="set the shared goal (Setup, or goal_won_revenue)",
    ),
    _m(
        "goal_forecast",
        "Forecast at period end",
        "money",
        _GOAL,
        "Won revenue at the period's end at the run rate so far.",
        numerator="won revenue x period days / elapsed days",
        as_of=AS_OF_DEALS,
        path="goal.forecast",
        inputs=_OPPS,
        hint="set the shared goal (Setup, or goal_won_revenue)",
    ),
    # --- win-back
    _m(
        "winback_list_value_at_stake",
        "Value at stake in the list (with the holdout)",
        "money",
        _WINBACK,
        "Expected spend over the horizon of every account in a frozen win-back list, those to "
        "contact and those held out (`coparent winback create`'s value_at_stake).",
        numerator="sum of value_at_stake of the list's members",
        as_of=AS_OF_WINBACK,
        inputs=_ORDERS,
        hint=_HINT_ORDERS,
    ),
    _m(
        "winback_to_contact_value_at_stake",
        "Value at stake in the accounts to contact",
        "money",
        _WINBACK,
        "Expected spend over the horizon of the accounts of a frozen list that are to be "
        "contacted (the holdout left out): what the win-back effort works on.",
        numerator="sum of value_at_stake of the list's members in the contacted group",
        as_of=AS_OF_WINBACK,
        inputs=_ORDERS,
        hint=_HINT_ORDERS,
    ),
    _m(
        "winback_lapsing_value_at_stake",
        "Value at stake of all lapsing accounts",
        "money",
        _WINBACK,
        "Expected spend over the horizon of every lapsing account, ranked or not "
        "(`coparent winback`'s total_value_at_stake).",
        numerator="sum of value_at_stake of the accounts at most max_p_alive likely to buy",
        as_of=AS_OF_WINBACK,
        inputs=_ORDERS,
        hint=_HINT_ORDERS,
    ),
    # --- the revenue bridge's flow ratios (coparent diagnose)
    _m(
        "flow_acceptance",
        "Accepted per MQL (flows in the period)",
        "percent",
        _FLOWS,
        "Leads accepted in the period per lead that became an MQL in it; both are flows, so "
        "it differs from the cohort's mql_to_accepted and can pass 100%.",
        numerator="leads with accepted_at in the period",
        denominator="leads with mql_at in the period",
        as_of=AS_OF_FLOWS,
        inputs=_ACCEPTED,
        hint=_HINT_ACCEPTED,
    ),
    _m(
        "flow_conversion",
        "Opportunities opened per accepted lead (flows in the period)",
        "percent",
        _FLOWS,
        "Opportunities created in the period per lead accepted in it.",
        numerator="opportunities with created_at in the period",
        denominator="leads with accepted_at in the period",
        as_of=AS_OF_FLOWS,
        inputs=(("leads.accepted_at",), ("opportunities",)),
        hint="import leads with accepted_at, and opportunities",
    ),
    _m(
        "flow_pace",
        "Deals closed per opportunity opened (flows in the period)",
        "decimal",
        _FLOWS,
        "Opportunities closed (won or lost) in the period per opportunity created in it.",
        numerator="opportunities with closed_at in the period",
        denominator="opportunities with created_at in the period",
        as_of=AS_OF_FLOWS,
        inputs=_OPPS,
        hint=_HINT_OPPS,
    ),
)

_BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}


def metric(name: str) -> Metric:
    """The registered metric ``name``; `KeyError` for a name that is not registered."""
    return _BY_NAME[name]


def unavailable(present: Iterable[str], *, names: Iterable[str] | None = None) -> dict[str, str]:
    """The metrics (of ``names``, default all) lacking inputs in ``present``, with their hints.

    ``present`` holds the tables with rows (``leads``) and the columns with at
    least one value (``leads.accepted_at``), as `coparent.metrics.coverage`
    measures them.
    """
    have = set(present)
    chosen = METRICS if names is None else [metric(n) for n in names]
    return {m.name: m.hint for m in chosen if not m.has_inputs(have)}


def lookup(report: Mapping[str, Any] | None, path: str) -> Any:
    """The value at ``path`` (dotted) in a JSON-like report; list items are found by ``stage``.

    >>> lookup({"funnel": [{"stage": "mql", "count": 3}]}, "funnel.mql.count")
    3
    >>> lookup({"sla": None}, "sla.sales.share_within_sla") is None
    True
    """
    value: Any = report
    for key in path.split("."):
        if isinstance(value, list):
            value = next((item for item in value if item.get("stage") == key), None)
        elif isinstance(value, Mapping):
            value = value.get(key)
        else:
            return None
    return value
