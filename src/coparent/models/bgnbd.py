"""BG/NBD: how many purchases a customer makes, and whether the customer is still there.

While alive, a customer buys as a Poisson process with rate
``lambda ~ Gamma(r, alpha)``; after each repeat purchase it drops out for good
with probability ``p ~ Beta(a, b)``. A customer's history is summarised by
(x, t_x, T): repeat purchases, the time of the last one and the age, all
measured from the first purchase (`coparent.models.customer_base`).

The likelihood (Fader, Hardie & Lee 2005, eq. 6) is evaluated in log space,
``ln L = A1 + A2 + logaddexp(A3, A4)``, so it neither overflows nor loses
precision for large x; its gradient is analytic (digamma terms). A1 and A2
depend on x alone, A3 on (x, T) and A4 on (x, t_x): each is computed once per
distinct value or pair and gathered, and only the log-sum-exp runs per
triple. Fits run on unique (x, t_x, T) triples with counts, which the engine
aggregates (`coparent.models.customer_base.triples`); raw arrays are grouped
exactly first.

Input: arrays ``frequency`` (x), ``recency`` (t_x) and ``T`` in one time unit,
optional ``weights`` (customers per row). Output: ``params_`` with ``r``,
``alpha`` (in the time unit), ``a``, ``b``; ``log_likelihood_``.

Examples
--------
Fitted on CDNOW (tests/models/test_bgnbd.py) the model gives the paper's
estimates; here with them pinned, for CDNOW's customer 1 (x = 2, t_x = 30.43,
T = 38.86 weeks):

>>> m = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> round(float(m.probability_alive(2, 30.43, 38.86)[0]), 4)
0.7266
>>> round(float(m.conditional_expected_purchases(39, 2, 30.43, 38.86)[0]), 3)
1.226

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers"
the easy way: an alternative to the Pareto/NBD model. Marketing Science 24(2),
275-284.
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2008). Computing P(alive) using
the BG/NBD model. http://brucehardie.com/notes/021/
Fader, P. S., Hardie, B. G. S. (2013). Overcoming the BG/NBD model's #NUM!
error problem. http://brucehardie.com/notes/027/
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from ibis.expr import types as ir
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from coparent.errors import UnusableDataError
from coparent.models._base import FloatArray, Model, as_float_array, dot, maximise
from coparent.models._compress import Compressed, compress

__all__ = ["CONVERGENCE_HINT", "BetaGeo"]

IntArray = npt.NDArray[np.intp]

CONVERGENCE_HINT = (
    "BG/NBD needs repeat buyers and some who stopped buying: use a longer history "
    "(an earlier start or a later --as-of), add a small penalizer (BetaGeo(penalizer_coef=0.01)), "
    "or rank by RFM scores instead (the win-back finder falls back to RFM on its own)"
)


class BetaGeo(Model):
    """The BG/NBD model (Fader, Hardie & Lee 2005), fitted by maximum likelihood."""

    PARAMS = ("r", "alpha", "a", "b")

    def fit(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        weights: Any = None,
    ) -> Self:
        """Fit to (x, t_x, T) rows, optionally weighted by the customers each row stands for."""
        data = _Pairs.build(_validate(frequency, recency, T, weights))
        scale = 10.0 / float(np.max(data.t)) if np.max(data.t) > 0 else 1.0
        scaled = data.scaled(scale)
        pen = self.penalizer_coef

        def objective_scaled(theta: np.ndarray) -> tuple[float, np.ndarray]:
            return _negative_log_likelihood(theta, scaled, pen)

        theta = maximise(
            objective_scaled,
            np.zeros(4),
            total_weight=data.total,
            hint=CONVERGENCE_HINT,
            names=self.PARAMS,
        )
        theta[1] -= np.log(scale)  # alpha is in time units; the others are unit-free

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            return _negative_log_likelihood(theta, data, pen)

        params = np.exp(theta)
        self.params_ = dict(zip(self.PARAMS, (float(v) for v in params), strict=True))
        self.log_likelihood_ = -_negative_log_likelihood(theta, data, 0.0)[0]
        self.n_customers_ = data.total
        self._objective_fn = objective
        return self

    def log_likelihood(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> float:
        """Total log-likelihood of rows at the model's parameters."""
        data = _Pairs.build(_validate(frequency, recency, T, weights))
        return -_negative_log_likelihood(np.log(np.array(self._values())), data, 0.0)[0]

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> FloatArray:
        """P(alive | x, t_x, T) (Fader, Hardie & Lee 2008, eq. 2), stable in log space."""
        r, alpha, a, b = self._values()
        x, t_x, age = _arrays(frequency, recency, T)
        log_odds_dead = np.log(a / (b + np.maximum(x, 1.0) - 1.0)) + (r + x) * (
            np.log(alpha + age) - np.log(alpha + t_x)
        )
        return np.where(x == 0, 1.0, expit(-log_odds_dead))

    def probability_alive_expr(
        self,
        frequency: ir.NumericValue,
        recency: ir.NumericValue,
        T: ir.NumericValue,
    ) -> ir.FloatingValue:
        """`probability_alive` as an Ibis expression, for scoring in the engine."""
        r, alpha, a, b = self._values()
        log_odds_dead = (a / (frequency.clip(lower=1) + (b - 1.0))).ln() + (r + frequency) * (
            (T + alpha).ln() - (recency + alpha).ln()
        )
        alive = (log_odds_dead.clip(upper=700.0).exp() + 1.0) ** -1.0
        return (frequency == 0).ifelse(1.0, alive)

    def expected_purchases(self, t: Any) -> FloatArray:
        """E[X(t)]: expected repeat purchases of a new customer in (0, t] (eq. 9)."""
        r, alpha, a, b = self._values()
        t_ = as_float_array(t, "t")
        z = t_ / (alpha + t_)
        hyp = hyp2f1(r, b, a + b - 1.0, z)
        return np.asarray((a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t_)) ** r * hyp))

    def conditional_expected_purchases(
        self,
        t: Any,
        frequency: Any,
        recency: Any,
        T: Any,
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next t (eq. 10).

        The Gaussian hypergeometric term falls back to Euler's transformation
        where it overflows (Fader & Hardie 2013), as lifetimes does.
        """
        r, alpha, a, b = self._values()
        x, t_x, age = _arrays(frequency, recency, T)
        t_ = as_float_array(t, "t")
        ra, rb, rc = r + x, b + x, a + b + x - 1.0
        z = t_ / (alpha + age + t_)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            ln_hyp = np.log(hyp2f1(ra, rb, rc, z))
            ln_alt = np.log(hyp2f1(rc - ra, rc - rb, rc, z)) + (rc - ra - rb) * np.log1p(-z)
            ln_hyp = np.where(np.isfinite(ln_hyp), ln_hyp, ln_alt)
            second = -np.expm1(ln_hyp + ra * (np.log(alpha + age) - np.log(alpha + age + t_)))
            numerator = (a + b + x - 1.0) / (a - 1.0) * second
        return np.asarray(numerator * self.probability_alive(x, t_x, age))

    def probability_of_purchases(self, t: float, n: Any) -> FloatArray:
        """P(X(t) = n): n repeat purchases by a new customer in (0, t] (eq. 8), in log space."""
        r, alpha, a, b = self._values()
        counts = np.asarray(n, dtype=np.float64).reshape(-1)
        if np.any(counts < 0) or np.any(counts != np.round(counts)):
            raise ValueError("n must hold whole numbers of purchases, zero or more")
        log_q = np.log(alpha / (alpha + t))
        log_u = np.log(t) - np.log(alpha + t) if t > 0 else -np.inf
        with np.errstate(divide="ignore", invalid="ignore"):
            first = (
                betaln(a, b + counts)
                - betaln(a, b)
                + gammaln(r + counts)
                - gammaln(r)
                - gammaln(counts + 1.0)
                + r * log_q
                + counts * log_u
            )
        out = np.exp(first)
        top = int(counts.max(initial=0))
        if top > 0:
            j = np.arange(top, dtype=np.float64)
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.exp(
                    gammaln(r + j) - gammaln(r) - gammaln(j + 1.0) + j * log_u + r * log_q
                )
            partial = np.concatenate([[0.0], np.cumsum(terms)])  # partial[k] = sum_{j<k}
            tail = 1.0 - partial[counts.astype(np.intp)]
            second = np.exp(betaln(a + 1.0, b + np.maximum(counts, 1.0) - 1.0) - betaln(a, b))
            out = out + np.where(counts > 0, second * tail, 0.0)
        return np.asarray(out)


def _arrays(frequency: Any, recency: Any, T: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = as_float_array(frequency, "frequency")
    t_x = as_float_array(recency, "recency")
    age = as_float_array(T, "T")
    x, t_x, age = np.broadcast_arrays(x, t_x, age)
    return x, t_x, age


def _validate(frequency: Any, recency: Any, T: Any, weights: Any) -> Compressed:
    x, t_x, age = (np.ascontiguousarray(v) for v in _arrays(frequency, recency, T))
    w = np.ones(x.size) if weights is None else as_float_array(weights, "weights")
    if w.shape != x.shape:
        raise ValueError("weights must have one value per row")
    problems = []
    if x.size == 0 or w.sum() <= 0:
        problems.append("there are no customers")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(t_x)) and np.all(np.isfinite(age))):
        problems.append("some values are missing or infinite")
    elif np.any(x < 0) or np.any(x != np.round(x)):
        problems.append("frequency must count repeat purchases (whole numbers, zero or more)")
    elif np.any(t_x < 0) or np.any(t_x > age):
        problems.append("recency must lie between 0 and T (the last purchase within the age)")
    elif np.any((x == 0) & (t_x != 0)):
        problems.append("recency must be 0 for customers without repeat purchases")
    elif not np.any(x > 0):
        problems.append("nobody bought more than once, so nothing shows how customers drop out")
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        problems.append("weights must be positive counts")
    if problems:
        raise UnusableDataError(
            "BG/NBD cannot use this customer base: " + "; ".join(problems),
            table="orders",
            hint="build frequency, recency and T with coparent.models.customer_base from orders",
        )
    return compress((x, t_x, age), w)


@dataclass(frozen=True)
class _Pairs:
    """Unique triples seen through their (x, T) and (x, t_x) pairs.

    A3 depends on (x, T) only and A4 on (x, t_x) only, and there are far fewer
    such pairs than triples (a few thousand against 10^5 for a million
    customers), so each evaluation computes them per pair, gathers them per
    triple for the log-sum-exp, and sums the weighted responsibilities back per
    pair with one `numpy.bincount` each.
    """

    xs: FloatArray  # distinct x
    x_weight: FloatArray  # customers per distinct x
    t_x: IntArray  # per (x, T) pair: index into xs
    t: FloatArray  # per (x, T) pair: T
    t_weight: FloatArray  # customers per (x, T) pair
    r_x: IntArray  # per (x, t_x) pair: index into xs
    r: FloatArray  # per (x, t_x) pair: t_x
    row_t: IntArray  # per triple: its (x, T) pair
    row_r: IntArray  # per triple: its (x, t_x) pair
    w: FloatArray  # customers per triple

    @classmethod
    def build(cls, data: Compressed) -> _Pairs:
        ix, ir_, it = data.index
        xs, rs, ts = data.values
        t_codes, t_keys = pd.factorize(ix * ts.size + it)
        r_codes, r_keys = pd.factorize(ix * rs.size + ir_)
        t_keys = np.asarray(t_keys, dtype=np.intp)
        r_keys = np.asarray(r_keys, dtype=np.intp)
        row_t = np.asarray(t_codes, dtype=np.intp)
        w = data.weight
        return cls(
            xs=xs,
            x_weight=np.bincount(ix, weights=w, minlength=xs.size).astype(np.float64),
            t_x=t_keys // ts.size,
            t=ts[t_keys % ts.size],
            t_weight=np.bincount(row_t, weights=w, minlength=t_keys.size).astype(np.float64),
            r_x=r_keys // rs.size,
            r=rs[r_keys % rs.size],
            row_t=row_t,
            row_r=np.asarray(r_codes, dtype=np.intp),
            w=w,
        )

    @property
    def total(self) -> float:
        return float(self.w.sum())

    def scaled(self, factor: float) -> _Pairs:
        """The same data with times multiplied by ``factor`` (alpha scales with them)."""
        return replace(self, t=self.t * factor, r=self.r * factor)


def _negative_log_likelihood(
    theta: np.ndarray, data: _Pairs, penalizer: float
) -> tuple[float, np.ndarray]:
    """Weighted negative log-likelihood and its gradient in log-parameters."""
    params = np.exp(theta)
    r, alpha, a, b = params
    xs, wx = data.xs, data.x_weight
    n = float(wx.sum())
    b_x = b + np.maximum(xs, 1.0) - 1.0

    # Terms of x alone (a few dozen distinct values).
    a12 = gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xs) - betaln(a, b)
    # A3 per (x, T) pair and A4 per (x, t_x) pair; A4 only exists for x > 0.
    rx_t = (r + xs)[data.t_x]
    rx_r = (r + xs)[data.r_x]
    log_t = np.log(alpha + data.t)
    log_r = np.log(alpha + data.r)
    a3 = -rx_t * log_t
    a4 = np.where(xs[data.r_x] > 0, np.log(a) - np.log(b_x)[data.r_x] - rx_r * log_r, -np.inf)
    # Per triple: the log-sum-exp and the share of the likelihood from "dropped out at t_x".
    a3_row, a4_row = a3[data.row_t], a4[data.row_r]
    s = np.logaddexp(a3_row, a4_row)
    w4 = data.w * np.exp(a4_row - s)
    ll = dot(wx, a12) + dot(data.w, s)
    w4_t = np.bincount(data.row_t, weights=w4, minlength=data.t.size)
    w4_r = np.bincount(data.row_r, weights=w4, minlength=data.r.size)
    w3_t = data.t_weight - w4_t

    psi_ab = digamma(a + b)
    psi_abx = digamma(a + b + xs)
    d_r = (
        dot(wx, digamma(r + xs) - digamma(r) + np.log(alpha)) - dot(w3_t, log_t) - dot(w4_r, log_r)
    )
    d_alpha = (
        n * r / alpha - dot(w3_t, rx_t / (alpha + data.t)) - dot(w4_r, rx_r / (alpha + data.r))
    )
    d_a = dot(wx, psi_ab - psi_abx) + float(w4_r.sum()) / a
    d_b = dot(wx, psi_ab + digamma(b + xs) - digamma(b) - psi_abx) - dot(w4_r, 1.0 / b_x[data.r_x])
    grad = -np.array([d_r, d_alpha, d_a, d_b]) * params
    value = -ll + penalizer * n * float(np.sum(params * params))
    grad = grad + penalizer * n * 2.0 * params * params
    return value, grad
