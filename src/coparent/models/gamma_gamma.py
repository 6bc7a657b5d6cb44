"""Gamma-Gamma: how much a customer spends per purchase, and what the customer is worth.

Each purchase value is ``Gamma(p, nu)``; the customer's rate ``nu`` is
``Gamma(q, v)`` across customers, independent of the purchase process. A
customer is summarised by x repeat purchases and their mean value m (the
first purchase is left out, as in the paper). Customers without repeat
purchases carry no information about spend and are left out of the fit.

The likelihood (Fader, Hardie & Lee 2005b, appendix) is fitted on unique
(x, m) pairs with counts, with an analytic gradient; terms that depend on x
alone are computed once per distinct x, and the constant terms in m once.

Input: ``frequency`` (x) and ``monetary_value`` (m, positive where x > 0),
optional ``weights``. Output: ``params_`` with ``p``, ``q``, ``v`` (``v`` in
money units; lifetimes and some papers call it gamma).

Examples
--------
>>> gg = GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
>>> round(float(gg.conditional_expected_average_spend(2, 22.35)[0]), 2)
24.66

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: using
iso-value curves for customer base analysis. Journal of Marketing Research
42(4), 415-430.
Fader, P. S., & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary
value. http://brucehardie.com/notes/025/
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from ibis.expr import types as ir
from scipy.special import digamma, gammaln

from coparent.errors import UnusableDataError
from coparent.models._base import FloatArray, Model, as_float_array, dot, maximise
from coparent.models._compress import Compressed, compress
from coparent.models.bgnbd import BetaGeo

__all__ = ["CONVERGENCE_HINT", "GammaGamma"]

CONVERGENCE_HINT = (
    "Gamma-Gamma needs repeat buyers whose order values vary: use a longer history, "
    "add a small penalizer (GammaGamma(penalizer_coef=0.01)), or leave spend out"
)


class GammaGamma(Model):
    """The Gamma-Gamma spend model, fitted by maximum likelihood on repeat buyers."""

    PARAMS = ("p", "q", "v")

    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None) -> Self:
        """Fit to (x, m) rows; rows with x = 0 are left out (they say nothing about spend)."""
        data = _validate(frequency, monetary_value, weights)
        scale = 1.0 / float(np.average(data.column(1), weights=data.weight))
        scaled = Compressed((data.values[0], data.values[1] * scale), data.index, data.weight)
        pen = self.penalizer_coef
        consts_scaled = _constants(scaled)

        def objective_scaled(theta: np.ndarray) -> tuple[float, np.ndarray]:
            return _negative_log_likelihood(theta, scaled, consts_scaled, pen)

        theta = maximise(
            objective_scaled,
            np.zeros(3),
            total_weight=data.total,
            hint=CONVERGENCE_HINT,
            names=self.PARAMS,
        )
        theta[2] -= np.log(scale)  # v is in money units
        consts = _constants(data)

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            return _negative_log_likelihood(theta, data, consts, pen)

        self.params_ = dict(zip(self.PARAMS, (float(v) for v in np.exp(theta)), strict=True))
        self.log_likelihood_ = -_negative_log_likelihood(theta, data, consts, 0.0)[0]
        self.n_customers_ = data.total
        self._objective_fn = objective
        return self

    def conditional_expected_average_spend(self, frequency: Any, monetary_value: Any) -> FloatArray:
        """E[Z | x, m]: expected value of the customer's future purchases (needs q > 1).

        A weighted mean of the population mean ``p v / (q - 1)`` and the
        customer's own mean m, with weight ``p x / (p x + q - 1)`` on m.
        """
        p, q, v = self._check_q()
        x = as_float_array(frequency, "frequency")
        m = as_float_array(monetary_value, "monetary_value")
        weight = p * x / (p * x + q - 1.0)
        return np.asarray((1.0 - weight) * (p * v / (q - 1.0)) + weight * np.where(x > 0, m, 0.0))

    def conditional_expected_average_spend_expr(
        self, frequency: ir.NumericValue, monetary_value: ir.NumericValue
    ) -> ir.FloatingValue:
        """`conditional_expected_average_spend` as an Ibis expression, for the engine."""
        p, q, v = self._check_q()
        weight = frequency * p / (frequency * p + (q - 1.0))
        own = (frequency > 0).ifelse(monetary_value, 0.0)
        return (1.0 - weight) * (p * v / (q - 1.0)) + weight * own

    def customer_lifetime_value(
        self,
        transactions: BetaGeo,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary_value: Any,
        *,
        periods: int = 12,
        period_length: float = 4.345,
        discount_rate: float = 0.01,
        margin: float = 1.0,
    ) -> FloatArray:
        """Discounted margin over ``periods`` periods of ``period_length`` time units each.

        ``CLV = margin * E[Z] * sum_i (E[Y(i L)] - E[Y((i-1) L)]) / (1 + d)^i``
        with E[Y] from the BG/NBD model and d the discount rate per period; the
        defaults are 12 months of 4.345 weeks at 1% a month, as in lifetimes.
        """
        if periods < 1 or period_length <= 0 or discount_rate <= -1 or not 0 < margin <= 1:
            raise ValueError(
                "need periods >= 1, period_length > 0, discount_rate > -1, 0 < margin <= 1"
            )
        spend = self.conditional_expected_average_spend(frequency, monetary_value)
        value = np.zeros_like(spend)
        previous = np.zeros_like(spend)
        for i in range(1, periods + 1):
            cumulative = transactions.conditional_expected_purchases(
                i * period_length, frequency, recency, T
            )
            value += spend * (cumulative - previous) / (1.0 + discount_rate) ** i
            previous = cumulative
        return np.asarray(margin * value)

    def population_mean_spend(self) -> float:
        """Mean order value across customers, ``p v / (q - 1)``; needs q > 1."""
        p, q, v = self._check_q()
        return p * v / (q - 1.0)

    def _check_q(self) -> tuple[float, float, float]:
        p, q, v = self._values()
        if q <= 1.0:
            raise UnusableDataError(
                f"the spend model has q = {q:.3g} <= 1, so expected spend is unbounded",
                table="orders",
                hint="order values are too heavy-tailed for Gamma-Gamma: cap outliers or add a "
                "penalizer (GammaGamma(penalizer_coef=0.01))",
            )
        return p, q, v


def _validate(frequency: Any, monetary_value: Any, weights: Any) -> Compressed:
    x = as_float_array(frequency, "frequency")
    m = as_float_array(monetary_value, "monetary_value")
    if m.shape != x.shape:
        raise ValueError("frequency and monetary_value must have the same length")
    w = np.ones(x.size) if weights is None else as_float_array(weights, "weights")
    if w.shape != x.shape:
        raise ValueError("weights must have one value per row")
    keep = x > 0
    problems = []
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(m)) and np.all(np.isfinite(w))):
        problems.append("some values are missing or infinite")
    elif not keep.any():
        problems.append("no customer has a repeat purchase")
    elif np.any(m[keep] <= 0):
        problems.append(
            f"{int((m[keep] <= 0).sum())} repeat buyer(s) have a mean spend of 0 or less"
        )
    elif np.any(w <= 0):
        problems.append("weights must be positive counts")
    if problems:
        raise UnusableDataError(
            "Gamma-Gamma cannot use this data: " + "; ".join(problems),
            table="orders",
            hint="fit on repeat buyers with positive order values "
            "(coparent.models.customer_base builds them from orders)",
        )
    return compress((np.ascontiguousarray(x[keep]), np.ascontiguousarray(m[keep])), w[keep])


def _constants(data: Compressed) -> tuple[float, float, float]:
    """Sums that do not depend on the parameters: sum w x ln m, sum w ln m, sum w x ln x."""
    x, m = data.column(0), data.column(1)
    log_m = np.log(m)
    w = data.weight
    return dot(w, x * log_m), dot(w, log_m), dot(w, x * np.log(x))


def _negative_log_likelihood(
    theta: np.ndarray, data: Compressed, consts: tuple[float, float, float], penalizer: float
) -> tuple[float, np.ndarray]:
    params = np.exp(theta)
    p, q, v = params
    xs, ms = data.values
    ix, im = data.index
    w = data.weight
    wx = np.bincount(ix, weights=w, minlength=xs.size)
    sum_x_log_m, sum_log_m, sum_x_log_x = consts
    x = xs[ix]
    xm_v = x * ms[im] + v
    log_xm_v = np.log(xm_v)
    px = p * xs
    per_x = gammaln(px + q) - gammaln(px) - gammaln(q)
    n = float(wx.sum())
    ll = (
        dot(wx, per_x)
        + n * q * np.log(v)
        + p * sum_x_log_m
        - sum_log_m
        + p * sum_x_log_x
        - dot(w, (p * x + q) * log_xm_v)
    )
    psi_pxq = digamma(px + q)
    d_p = dot(wx, xs * (psi_pxq - digamma(px))) + sum_x_log_m + sum_x_log_x - dot(w, x * log_xm_v)
    d_q = dot(wx, psi_pxq - digamma(q)) + n * np.log(v) - dot(w, log_xm_v)
    d_v = n * q / v - dot(w, (p * x + q) / xm_v)
    value = -float(ll) + penalizer * n * float(np.sum(params * params))
    grad = -np.array([d_p, d_q, d_v]) * params + penalizer * n * 2.0 * params * params
    return value, grad
