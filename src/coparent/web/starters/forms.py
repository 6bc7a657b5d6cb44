"""The offer lab's two calculators and the win-back freeze, as forms (rates typed in percent)."""

from __future__ import annotations

from typing import Any

from django import forms

__all__ = ["EconomicsForm", "FreezeForm", "PlanForm", "RankForm"]


def _pct(label: str, *, required: bool = True, low: float = 0.0, high: float = 100.0) -> Any:
    return forms.FloatField(
        label=label, required=required, min_value=low, max_value=high, widget=_number()
    )


def _number() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})


class PlanForm(forms.Form):
    """Subjects per variant (`coparent offer plan`); GET, prefix ``plan``."""

    baseline = _pct("Current conversion rate (%)")
    mde = _pct("Smallest change worth detecting (percentage points)", high=100.0)
    power = _pct("Power (%)", low=1.0, high=99.9)
    alpha = _pct("Significance level (%)", low=0.01, high=49.9)
    variants = forms.IntegerField(label="Variants (control included)", min_value=2, max_value=20)

    def arguments(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "baseline": d["baseline"] / 100,
            "mde": d["mde"] / 100,
            "power": d["power"] / 100,
            "alpha": d["alpha"] / 100,
            "variants": d["variants"],
        }


class EconomicsForm(forms.Form):
    """Break-even lift and profit (`coparent offer economics`); GET, prefix ``econ``."""

    price = forms.FloatField(label="Price of a sale", min_value=0.0, widget=_number())
    discount = _pct("Discount (% of the price)")
    margin = _pct("Gross margin (% of the price)")
    lift = _pct("Expected conversion lift (%, optional)", required=False, high=10_000.0)
    baseline = _pct("Conversion rate without the offer (%, optional)", required=False)

    def arguments(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "price": d["price"],
            "discount": d["discount"] / 100,
            "margin": d["margin"] / 100,
            "lift": None if d["lift"] is None else d["lift"] / 100,
            "baseline": None if d["baseline"] is None else d["baseline"] / 100,
        }


class RankForm(forms.Form):
    """The win-back ranking's threshold; GET: the preview, the freeze form repeats it."""

    max_p_alive = _pct("Lapsing: P(alive) at most (%)", low=0.01)

    def threshold(self) -> float:
        return float(self.cleaned_data["max_p_alive"]) / 100


class FreezeForm(RankForm):
    """Freeze a new win-back list (POST)."""

    top = forms.IntegerField(label="Accounts on the list", min_value=1, max_value=10_000)
    holdout = _pct("Held out, not contacted (%)", high=90.0)
