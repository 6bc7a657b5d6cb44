"""How big the demo company is: explicit counts; everything else follows from its rates."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SCALES", "Scale", "resolve_scale"]


@dataclass(frozen=True)
class Scale:
    """Sizes of the demo company.

    ``leads`` is met exactly; opportunities, orders and activities follow from
    the funnel's conversion rates and the repeat-purchase process, so they vary
    a little with the seed.
    """

    leads: int
    """Leads created over the two years (exact)."""
    accounts: int
    """Companies in the CRM, customers and prospects (exact)."""
    touches_per_lead: float = 10.0
    """Mean marketing touches per lead (at least one each)."""
    experiment_subjects: int = 3_000
    """Subjects per variant of the offer experiment (exact)."""
    lapsed_accounts: int = 40
    """Formerly frequent customers planted as lapsed (fewer if too few early customers exist)."""

    def __post_init__(self) -> None:
        if self.leads < 1 or self.accounts < 1:
            raise ValueError("a Scale needs at least one lead and one account")
        if self.touches_per_lead < 1:
            raise ValueError("touches_per_lead must be at least 1 (every lead has a first touch)")
        if self.experiment_subjects < 1 or self.lapsed_accounts < 0:
            raise ValueError("experiment_subjects must be >= 1 and lapsed_accounts >= 0")


SCALES: dict[str, Scale] = {
    "small": Scale(leads=6_000, accounts=2_400, experiment_subjects=3_000, lapsed_accounts=40),
    "medium": Scale(
        leads=100_000, accounts=35_000, experiment_subjects=20_000, lapsed_accounts=600
    ),
    "large": Scale(
        leads=1_000_000, accounts=300_000, experiment_subjects=100_000, lapsed_accounts=5_000
    ),
}


def resolve_scale(scale: str | Scale) -> Scale:
    if isinstance(scale, Scale):
        return scale
    try:
        return SCALES[scale]
    except KeyError:
        known = sorted(SCALES)
        raise ValueError(f"unknown scale {scale!r}; use one of {known} or a Scale") from None
