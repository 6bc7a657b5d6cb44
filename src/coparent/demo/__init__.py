"""A seeded synthetic demo company, with planted truths the analytics should find.

Brightlane sells *Insight*, an analytics product, to small and mid-sized
companies in North America, EMEA, APAC and LATAM: three editions (Starter, Pro,
Enterprise), a fourth (Insight Cloud) launched in the second year, and the
Connectors Pack add-on, sold mostly as an upsell to customers. Two years of history
end on the last day of a quarter (default 2026-09-30): leads with a slow summer
and a growing volume, a quarter-end push and a strong December, a 10% price
rise for Pro and Enterprise halfway through year two (2026-01-01), a Marketing
team of six and a Sales team of twelve (or, with ``single_team=True``, one team
of seven doing both jobs).

    >>> from coparent.demo import Scale, generate
    >>> company = generate(Scale(leads=200, accounts=80, experiment_subjects=40), seed=3)
    >>> sorted(company.tables) == sorted(["people", "products", "campaigns", "accounts",
    ...     "leads", "touches", "activities", "opportunities", "stage_changes", "orders",
    ...     "experiments"])
    True
    >>> [t.kind for t in company.truths][:5]
    ['product_gap', 'slow_channel', 'lapsed_accounts', 'offer_lift', 'noise_change']

The planted truths (``company.truths``; each `Truth` has ``kind``, a one-sentence
``statement`` and JSON-ready ``facts`` with the true rates and the observed counts):

``product_gap``
    In the latest quarter (the one ending at ``end``) Insight Cloud's win rate
    drops from 38% to 12% and 90% of its losses cite product gaps ("Missing
    feature", "Integration not available", "missing integration" ...), against
    24% the quarter before; every other product keeps its win rate and a
    market/process-led loss mix (12% product gaps). Planted by drawing each
    deal's outcome and loss reason from its product's rates *in the quarter it
    closes*. Facts: ``product_id``, ``quarter``, ``baseline_quarter``,
    ``product_gap_reasons``, ``true_win_rate``, ``true_product_gap_share``,
    ``other_true_win_rate``, ``observed`` / ``observed_others`` (won, lost, win
    rate, product-gap share per quarter).
``slow_channel``
    Webinar MQLs wait a median ~52 h for first contact (SLA 24 h); the other
    channels a median of 2.5-5 h, ~95% within the SLA. Late contact multiplies
    acceptance by 0.7 and conversion to opportunity by 0.8, so webinar leads
    convert worse. Facts: ``channel``, ``sla_hours``,
    ``true_median_hours_to_first_contact``, ``true_acceptance_within_sla``, the
    late factors, ``observed`` per channel (median hours, share within SLA,
    acceptance rate, opportunities per MQL).
``lapsed_accounts``
    A cohort of early customers (``Scale.lapsed_accounts``; 40 at small) who
    first won on or before a year before the lapse date, then bought every
    21-42 days at four times the usual order value, and placed no order on or
    after the lapse date, six months before the end's month (2026-03-01 by
    default). Facts: ``account_ids``, ``lapse_date``, ``first_win_on_or_before``,
    ``typical_interval_days``, ``interval_days_range``, ``spend_multiplier``.
``offer_lift``
    Experiment ``offer-<year>-q<n>`` in the latest quarter: ``first_month_free``
    converts 13% of visitors against 10% for the ``discount_20`` control (+3
    points, +30%), with ``Scale.experiment_subjects`` visitors per variant.
    Facts: ``experiment_id``, ``variants``, ``true_conversion_rate``,
    ``true_absolute_lift``, ``true_relative_lift``, ``sample_sizes``, observed rates.
``noise_change``
    Insight Starter's generating process is identical in the latest quarter and
    the one before (and the one before that): the same expected lead volume,
    spread evenly over weekdays, the same channel mix, conversion, win rate,
    prices and deal sizes. Any change between them is noise. Facts:
    ``segment``, ``baseline_quarter``, ``quarter``, ``true_rates_equal``,
    ``true_rates``, ``observed`` per quarter.

Three context truths follow: ``launch`` (Insight Cloud's launch date) and
``price_change`` (old and new prices), real changes a diagnosis should attribute
correctly, and ``repeat_purchases`` (the BG/NBD and Gamma-Gamma parameters the
repeat orders were drawn with, for model fits to recover).

Tables conform to `coparent.schema` exactly. Generation is vectorised; the
``small`` scale (6,000 leads) takes about a second, ``large`` (1,000,000
leads, ~10M touches) well under a minute.
"""

from __future__ import annotations

from coparent.demo._scale import SCALES, Scale
from coparent.demo._truths import Truth
from coparent.demo.company import DEFAULT_END, DemoCompany, generate

__all__ = ["DEFAULT_END", "SCALES", "DemoCompany", "Scale", "Truth", "generate"]
