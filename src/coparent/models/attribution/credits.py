"""Credits: what one attribution model gives each channel (or campaign).

Every model returns the same shape, so the CLI, the API and the web page show
all models side by side from one type, and the property tests check one
invariant for all of them: credits add up to the conversions and the value
that were attributed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["MODELS", "Credits", "FloatArray"]

FloatArray = npt.NDArray[np.float64]

MODELS: tuple[str, ...] = ("first", "last", "linear", "position", "time-decay", "markov")
"""Model names as the CLI and the JSON spell them, in the order reports show them."""


@dataclass(frozen=True)
class Credits:
    """Conversions and value credited to each label by one model.

    ``labels`` are channel names (or campaign labels); ``conversions`` and
    ``value`` align with them. The Markov model also fills ``removal_effect``
    (share of conversions lost without the label) and ``removal_effect_value``
    (the same for conversion value).
    """

    model: str
    labels: tuple[str, ...]
    conversions: FloatArray
    value: FloatArray
    removal_effect: FloatArray | None = None
    removal_effect_value: FloatArray | None = None

    def __post_init__(self) -> None:
        n = len(self.labels)
        arrays = (self.conversions, self.value, self.removal_effect, self.removal_effect_value)
        for array in arrays:
            if array is not None and array.shape != (n,):
                raise ValueError(f"credit arrays must have shape ({n},), got {array.shape}")

    @property
    def total_conversions(self) -> float:
        return float(self.conversions.sum())

    @property
    def total_value(self) -> float:
        return float(self.value.sum())

    def by_label(self) -> dict[str, tuple[float, float]]:
        """``{label: (conversions, value)}``, handy in tests and notebooks."""
        return {
            label: (float(c), float(v))
            for label, c, v in zip(self.labels, self.conversions, self.value, strict=True)
        }

    def rows(self) -> list[dict[str, Any]]:
        """One JSON-ready row per label, largest credit first (ties by label)."""
        order = sorted(
            range(len(self.labels)), key=lambda i: (-self.conversions[i], self.labels[i])
        )
        out: list[dict[str, Any]] = []
        for i in order:
            row: dict[str, Any] = {
                "model": self.model,
                "channel": self.labels[i],
                "conversions": float(self.conversions[i]),
                "value": float(self.value[i]),
            }
            if self.removal_effect is not None:
                row["removal_effect"] = float(self.removal_effect[i])
            if self.removal_effect_value is not None:
                row["removal_effect_value"] = float(self.removal_effect_value[i])
            out.append(row)
        return out
