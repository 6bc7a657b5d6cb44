"""Cross-team pairing: rounds that pair every sales person with a marketing person, repeats avoided."""

from __future__ import annotations
