"""Errors of the models, under `coparent.errors.CoparentError`.

CoparentError
└── ModelError               model.error
    ├── NotFittedError       a prediction was asked of a model never fitted
    ├── ConvergenceError     also ValueError; the hint says how to get a fit
    └── UnusableDataError    the data cannot feed the model (what, where, how to fix)
"""

from __future__ import annotations

from typing import ClassVar

from coparent.errors import CoparentError

__all__ = ["ConvergenceError", "ModelError", "NotFittedError", "UnusableDataError"]


class ModelError(CoparentError):
    code: ClassVar[str] = "model.error"
    status: ClassVar[int] = 422


class NotFittedError(ModelError):
    code = "model.not_fitted"
    status = 409

    def __init__(self, model: str) -> None:
        super().__init__(
            f"{model} is not fitted yet",
            hint=f"call {model}().fit(...) first, or build it with {model}.from_params(...)",
        )
        self.model = model


class ConvergenceError(ModelError, ValueError):
    """The likelihood could not be maximised; ``hint`` says what usually fixes it."""

    code = "model.convergence"


class UnusableDataError(ModelError):
    """Data a model cannot use (negative amounts, one variant, no subjects ...).

    ``table`` names the table the data came from; ``count`` how many rows are affected.
    """

    code = "model.unusable_data"

    def __init__(self, message: str, *, table: str, hint: str, count: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.table = table
        self.count = count
