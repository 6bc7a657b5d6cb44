"""Fixture exports under tests/data/crm, written from the documented headers of each CRM."""

from __future__ import annotations

from pathlib import Path

CRM = Path(__file__).parents[2] / "data" / "crm"
