"""The wins engine: rules over facts and app data that find wins and credit both teams; the balance panel."""

from __future__ import annotations
