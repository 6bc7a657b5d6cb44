"""What every customer-base model shares: pinned or fitted parameters, repr, summary, the optimiser.

Models maximise their log-likelihood over log-parameters (so every parameter
stays positive) with BFGS and an analytic gradient, on data compressed to
unique rows with weights. Standard errors come from a numerical Hessian of the
log-likelihood in log-parameters (central differences of the analytic
gradient) and the delta method, as lifetimes reports them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import minimize

from coparent.errors import ConvergenceError, NotFittedError

__all__ = ["FloatArray", "Model", "Objective", "as_float_array", "dot", "maximise"]

FloatArray = npt.NDArray[np.float64]
Objective = Callable[[FloatArray], tuple[float, FloatArray]]
"""Negative log-likelihood (summed over weighted rows) and its gradient, in log-parameters."""

_Z95 = 1.959963984540054
_RUNAWAY = math.log(1e5)


def dot(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> float:
    """Inner product without BLAS.

    A BLAS ``ddot`` is multi-threaded in OpenBLAS and on a busy machine each
    call can wait milliseconds for its threads; a likelihood makes a dozen of
    them per evaluation, so a plain loop (einsum) is faster here.
    """
    return float(np.einsum("i,i->", a, b))


def as_float_array(values: Any, name: str) -> FloatArray:
    """``values`` as a 1-d float array; `ValueError` (API misuse) when it is not numeric."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def maximise(
    objective: Objective,
    theta0: FloatArray,
    *,
    total_weight: float,
    hint: str,
    names: tuple[str, ...] = (),
) -> FloatArray:
    """Log-parameters maximising the likelihood; `ConvergenceError` (with ``hint``) otherwise.

    The optimiser sees the mean negative log-likelihood per customer, so its
    tolerances mean the same thing for 2,000 customers and for 2,000,000.
    ``names`` name the parameters, so the error says in words which one failed.
    """

    def mean(theta: FloatArray) -> tuple[float, FloatArray]:
        value, grad = objective(theta)
        return value / total_weight, grad / total_weight

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # BFGS in numpy rather than L-BFGS-B: the Fortran L-BFGS-B calls a threaded BLAS
        # for its 4-dimensional algebra, which on a busy machine costs more than the
        # likelihood itself; BFGS needs a few more evaluations and no BLAS threads.
        result = minimize(
            mean, theta0, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 2000}
        )
        theta = np.asarray(result.x, dtype=np.float64)
        value, grad = mean(theta)
    failure = nonconvergence(theta, value, grad, names=names)
    if failure is not None:
        raise ConvergenceError(f"the maximum-likelihood fit did not converge: {failure}", hint=hint)
    return theta


def nonconvergence(
    theta: FloatArray, value: float, grad: FloatArray, *, names: tuple[str, ...] = ()
) -> str | None:
    """What failed, in words, when ``theta`` is no maximum of the likelihood; None when it is.

    The optimiser's own message ("Optimization terminated successfully") can
    contradict the checks that matter, so it is never shown.
    """
    labels = [names[i] if i < len(names) else f"parameter {i + 1}" for i in range(len(theta))]
    if not (np.all(np.isfinite(theta)) and math.isfinite(value) and np.all(np.isfinite(grad))):
        return "the likelihood became infinite or undefined (a parameter left the range of numbers)"
    # A parameter running off towards 0 or infinity (beyond 1e-5 .. 1e5 in the scaled
    # units) means the data do not identify it: a flat likelihood, not an estimate.
    runaway = [
        f"{label} ran off towards {'infinity' if t > 0 else 'zero'}"
        for label, t in zip(labels, theta, strict=True)
        if abs(float(t)) >= _RUNAWAY
    ]
    if runaway:
        return (
            "; ".join(runaway)
            + " (beyond 1e-5 .. 1e5 in the scaled units): the data do not pin it down"
        )
    steep = float(np.max(np.abs(grad)))
    if steep >= 1e-5:
        worst = labels[int(np.argmax(np.abs(grad)))]
        return (
            f"the optimiser stopped where the likelihood still slopes (steepest along {worst}, "
            f"gradient {steep:.1e} per customer, needs below 1e-05)"
        )
    return None


class Model:
    """Base of the fitted models: ``params_``, ``log_likelihood_``, ``n_customers_``.

    Subclasses set `PARAMS` and implement `_objective` on their compressed data.
    """

    PARAMS: ClassVar[tuple[str, ...]] = ()

    params_: dict[str, float]
    log_likelihood_: float
    n_customers_: float

    def __init__(self, *, penalizer_coef: float = 0.0) -> None:
        if not penalizer_coef >= 0.0:
            raise ValueError("penalizer_coef must be zero or positive")
        self.penalizer_coef = penalizer_coef
        self._objective_fn: Objective | None = None

    @classmethod
    def from_params(cls, **params: float) -> Self:
        """A model with pinned parameters (no fit): for predictions and fast tests."""
        if set(params) != set(cls.PARAMS):
            raise ValueError(f"{cls.__name__} needs exactly the parameters {', '.join(cls.PARAMS)}")
        values = {k: float(params[k]) for k in cls.PARAMS}
        if not all(math.isfinite(v) and v > 0 for v in values.values()):
            raise ValueError(f"{cls.__name__} parameters must be positive and finite: {values}")
        model = cls()
        model.params_ = values
        return model

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "params_")

    def _values(self) -> tuple[float, ...]:
        if not self.is_fitted:
            raise NotFittedError(type(self).__name__)
        return tuple(self.params_[k] for k in self.PARAMS)

    def __repr__(self) -> str:
        name = type(self).__name__
        if not self.is_fitted:
            return f"<{name}: not fitted>"
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        if not hasattr(self, "n_customers_"):
            return f"<{name}: pinned parameters, not fitted to data; {params}>"
        return f"<{name}: fitted on {self.n_customers_:,.0f} customers; {params}>"

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% intervals (NaN when the model was not fitted).

        >>> from coparent.models.bgnbd import BetaGeo
        >>> BetaGeo.from_params(r=0.24, alpha=4.4, a=0.79, b=2.4).summary()["estimate"].tolist()
        [0.24, 4.4, 0.79, 2.4]
        """
        values = np.array(self._values())
        errors = self._standard_errors(values)
        return pd.DataFrame(
            {
                "estimate": values,
                "std_error": errors,
                "ci_low": values - _Z95 * errors,
                "ci_high": values + _Z95 * errors,
            },
            index=pd.Index(list(self.PARAMS), name="param"),
        )

    def _standard_errors(self, values: FloatArray) -> FloatArray:
        if self._objective_fn is None:
            return np.full(values.size, np.nan)
        theta = np.log(values)
        k = theta.size
        hessian = np.empty((k, k))
        for j in range(k):
            step = np.zeros(k)
            step[j] = 1e-5
            hessian[:, j] = (
                self._objective_fn(theta + step)[1] - self._objective_fn(theta - step)[1]
            ) / 2e-5
        hessian = (hessian + hessian.T) / 2
        try:
            var_theta = np.diag(np.linalg.inv(hessian))
        except np.linalg.LinAlgError:
            return np.full(values.size, np.nan)
        with np.errstate(invalid="ignore"):
            return np.asarray(values * np.sqrt(var_theta), dtype=np.float64)
