"""Offer economics: how much more must an offer sell to pay for its discount?

An offer takes a share ``discount`` off the price of a sale with gross margin
``margin`` (both shares of the price): profit per sale falls from
``price * margin`` to ``price * (margin - discount)``. To earn the same from
the same prospects, conversions must rise by the **break-even lift**

    margin / (margin - discount) - 1 = discount / (margin - discount)

(relative), and a lift L changes profit per prospect by
``(1 + L) (margin - discount) / margin - 1``. A discount at or above the
margin loses money on every sale: no lift breaks even.

A first month free on an annual plan is ``discount = 1/12``.

Examples
--------
>>> e = offer_economics(price=100.0, discount=0.2, margin=0.6)
>>> round(e.break_even_lift, 4)
0.5
>>> round(offer_economics(price=100.0, discount=0.2, margin=0.6, lift=0.6).profit_change, 4)
0.0667
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["OfferEconomics", "offer_economics"]


@dataclass(frozen=True)
class OfferEconomics:
    price: float
    discount: float
    margin: float
    profit_per_sale: float
    """Profit of one sale at full price."""
    profit_per_sale_with_offer: float
    break_even_lift: float | None
    """Relative rise in conversions the offer needs to earn as much; None: never."""
    lift: float | None = None
    profit_change: float | None = None
    """Relative change of profit per prospect at ``lift``."""
    baseline: float | None = None
    profit_per_1000_prospects: float | None = None
    profit_per_1000_prospects_with_offer: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def offer_economics(
    *,
    price: float,
    discount: float,
    margin: float,
    lift: float | None = None,
    baseline: float | None = None,
) -> OfferEconomics:
    """Break-even lift of an offer and, given a ``lift`` (relative), what it earns.

    With a ``baseline`` conversion rate, profit per 1,000 prospects with and
    without the offer (the latter needs ``lift``). `ValueError` on values out
    of range; the service words them for users.
    """
    if not price > 0:
        raise ValueError("price must be positive")
    if not 0.0 <= discount < 1.0:
        raise ValueError("discount must be a share of the price, from 0 up to 1 (0.2 for 20%)")
    if not 0.0 < margin <= 1.0:
        raise ValueError("margin must be a share of the price, above 0 and at most 1")
    if lift is not None and not lift > -1.0:
        raise ValueError("lift must be above -1 (-100%)")
    if baseline is not None and not 0.0 < baseline <= 1.0:
        raise ValueError("baseline must be a conversion rate between 0 and 1")
    full = price * margin
    offer = price * (margin - discount)
    break_even = discount / (margin - discount) if margin > discount else None
    change = (1.0 + lift) * (margin - discount) / margin - 1.0 if lift is not None else None
    per_1000 = 1000.0 * baseline * full if baseline is not None else None
    per_1000_offer = (
        1000.0 * baseline * (1.0 + lift) * offer
        if baseline is not None and lift is not None
        else None
    )
    return OfferEconomics(
        price,
        discount,
        margin,
        full,
        offer,
        break_even,
        lift,
        change,
        baseline,
        per_1000,
        per_1000_offer,
    )
