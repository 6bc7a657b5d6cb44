"""The generating rates of the demo company, with the planted truths as explicit levers.

Every rate a truth depends on is a named constant here, so `_truths` can state
it and the tests can find it in the tables. Indices follow `_catalog`
(products: starter, pro, enterprise, cloud, connectors; channels: paid_search,
organic, webinar, events, referral, outbound). Quarters are 0-7, 7 the latest.
"""

from __future__ import annotations

import numpy as np

from coparent.demo._calendar import Floats
from coparent.demo._catalog import CLOUD, STARTER, WEBINAR

# --- calendar of the story (as offsets from quarter starts) ---
LAUNCH_QUARTER = 4
"""Insight Cloud launches in the first quarter of year two ..."""
LAUNCH_OFFSET_DAYS = 34
"""... on its 35th day (4 November for a calendar that starts in October)."""
PRICE_CHANGE_QUARTER = 5
"""Pro and Enterprise list prices rise on the first day of this quarter."""
LATEST, BASELINE = 7, 6
NOISE_PRODUCT = STARTER
NOISE_QUARTERS = (5, 6, 7)
"""Quarters in which the noise product's lead volume is flat (equal expected counts)."""
GROWTH_OVER_TWO_YEARS = 0.3

# --- leads ---
PRODUCT_SHARE_BEFORE_LAUNCH = np.array([0.44, 0.36, 0.15, 0.0, 0.05])
PRODUCT_SHARE_AFTER_LAUNCH = np.array([0.32, 0.22, 0.11, 0.31, 0.04])
CHANNEL_MIX = np.array(
    [
        [0.34, 0.26, 0.16, 0.04, 0.08, 0.12],
        [0.26, 0.20, 0.20, 0.10, 0.10, 0.14],
        [0.14, 0.10, 0.16, 0.22, 0.14, 0.24],
        [0.24, 0.16, 0.30, 0.10, 0.08, 0.12],
        [0.10, 0.30, 0.30, 0.05, 0.20, 0.05],
    ]
)
"""Channel mix per product, constant over time."""
CAMPAIGN_SHARE = np.array([0.95, 0.55, 0.97, 0.95, 0.6, 0.7])
"""Share of a channel's leads attributed to a campaign (organic and referral often have none)."""
P_MQL = np.array([0.78, 0.72, 0.92, 0.86, 0.9, 0.8])
MQL_DELAY_MEDIAN_DAYS, MQL_DELAY_SIGMA = 0.4, 1.0
P_NO_PRODUCT_UNQUALIFIED = 0.3
"""Share of leads that never become MQLs whose product of interest is unknown."""

# --- speed to lead (the slow channel) ---
SLA_HOURS = 24.0
SLOW_CHANNEL = WEBINAR
P_CONTACTED = 0.95
CONTACT_MEDIAN_HOURS = np.array([3.5, 4.0, 52.0, 5.0, 3.0, 2.5])
CONTACT_SIGMA = np.array([1.1, 1.1, 0.35, 1.1, 1.1, 1.1])
DECISION_MEDIAN_DAYS, DECISION_SIGMA = 1.5, 0.8
P_ACCEPT = np.array([0.60, 0.56, 0.62, 0.58, 0.74, 0.52])
"""Acceptance when first contact is within the SLA ..."""
LATE_ACCEPT_FACTOR = 0.7
"""... times this when it is late: a late call finds a colder lead."""
P_OPPORTUNITY = np.array([0.58, 0.55, 0.50, 0.55, 0.50])
"""Accepted lead to opportunity, per product, when contacted within the SLA ..."""
LATE_OPPORTUNITY_FACTOR = 0.8
OPP_DELAY_MEDIAN_DAYS, OPP_DELAY_SIGMA = 3.0, 0.7

# --- deals ---
CYCLE_MEDIAN_DAYS = np.array([24.0, 40.0, 70.0, 32.0, 21.0])
CYCLE_SIGMA = 0.55
QUARTER_END_PULL = 0.3
"""Chance a deal due in the first 21 days of a quarter closes in the last 10 of the one before."""
DECEMBER_PULL = 0.55
"""The same in December: the year-end push."""
WIN_RATE = np.array([0.38, 0.30, 0.24, 0.38, 0.55])
CLOUD_WIN_RATE_LATEST = 0.12
LOSS_MIX = np.array([0.12, 0.58, 0.26, 0.04])
"""Loss-reason category mix (product, market, process, unclassified) for all but the truth."""
CLOUD_LOSS_MIX = np.array([0.24, 0.50, 0.22, 0.04])
CLOUD_LOSS_MIX_LATEST = np.array([0.9, 0.06, 0.02, 0.02])
SEATS_MEDIAN = np.array([5.0, 12.0, 40.0, 10.0, 1.3])
SEATS_SIGMA = np.array([0.6, 0.6, 0.7, 0.6, 0.4])
WON_DISCOUNT = (0.0, 0.2)
"""A won deal's amount is list value times 1 - U(0, 0.2)."""
P_NO_AMOUNT_DISCOVERY = 0.3
"""Share of open deals still in Discovery that have no amount in the CRM yet."""
P_EXPANSION = 0.3
EXPANSION_DELAY_MEAN_DAYS = 100.0
"""New customers who later open a Connectors Pack upsell, and how long after their first win."""

# --- repeat orders (BG/NBD purchase and dropout, Gamma-Gamma spend) ---
PURCHASE_R, PURCHASE_ALPHA = 0.9, 8.0
"""Purchase rate per day ~ Gamma(r, scale=1/alpha): on average an order every ~9 days
(usage-based add-on purchases), so the large scale reaches about 1.3M orders."""
DROPOUT_A, DROPOUT_B = 1.0, 30.0
"""Dropout probability after each repeat order ~ Beta(a, b): mean 1 in 31."""
SPEND_P, SPEND_Q, SPEND_GAMMA = 6.0, 4.0, 300.0
"""Order value ~ Gamma(p, scale=1/nu), nu ~ Gamma(q, scale=1/gamma): mean p*gamma/(q-1) = 600."""
REPEAT_ADDON_SHARE = 0.1

# --- lapsed accounts ---
LAPSE_MONTHS_BEFORE_END = 6
LAPSED_INTERVAL_DAYS = (21.0, 42.0)
LAPSED_INTERVAL_SHAPE = 16.0
LAPSED_SPEND_MULTIPLIER = 4.0
LAPSED_MIN_HISTORY_DAYS = 365

# --- offer experiment ---
EXPERIMENT_ID = "offer-{year}-q{quarter}"
CONTROL, TREATMENT = "discount_20", "first_month_free"
P_CONVERT = {CONTROL: 0.10, TREATMENT: 0.13}
ANNUAL_VALUE_SHAPE, ANNUAL_VALUE_MEAN = 4.0, 1800.0
REVENUE_FACTOR = {CONTROL: 0.8, TREATMENT: 11.0 / 12.0}
EXPERIMENT_TAIL_DAYS = 14
"""The experiment stops assigning this many days before the end, so outcomes are known."""


def win_rate(product: int, quarter: int) -> float:
    if product == CLOUD and quarter == LATEST:
        return CLOUD_WIN_RATE_LATEST
    return float(WIN_RATE[product])


def loss_mix(product: int, quarter: int) -> Floats:
    if product == CLOUD:
        return CLOUD_LOSS_MIX_LATEST if quarter == LATEST else CLOUD_LOSS_MIX
    return LOSS_MIX


def product_share(quarter: int) -> Floats:
    return PRODUCT_SHARE_BEFORE_LAUNCH if quarter < LAUNCH_QUARTER else PRODUCT_SHARE_AFTER_LAUNCH
