"""The metric registry: names unique, formats known, paths real, docs/metrics.md in sync.

Run with COPARENT_UPDATE_DOCS=1 to regenerate the registry block of docs/metrics.md.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from coparent.metrics import display
from coparent.metrics.registry import METRICS, Metric, lookup, metric, unavailable
from coparent.services.scorecard import scorecard_report
from coparent.settings import Settings
from tests.conftest import REPO
from tests.metrics._tables import demo_con

DOCS = REPO / "docs" / "metrics.md"
START, END = "<!-- registry -->", "<!-- /registry -->"
_EXAMPLE = {"money": 912973.0, "percent": 0.516, "count": 574, "hours": 5.63, "days": 30.2}
_EXAMPLE["decimal"] = 2.37


def _entry(m: Metric) -> str:
    lines = [
        f"### `{m.name}`: {m.label.replace('{sla}', 'the SLA (24 hours)')}",
        "",
        m.definition,
        "",
        f"- **Numerator**: {m.numerator}",
    ]
    if m.denominator:
        lines.append(f"- **Denominator**: {m.denominator}")
    lines += [
        f"- **As of**: {m.as_of}",
        f"- **Shown as**: {m.unit}, e.g. {display.unit_format(m.unit, _EXAMPLE[m.unit])}",
    ]
    if m.path:
        lines.append(f"- **Scorecard JSON**: `{m.path}`")
    lines.append(f"- **Without its inputs**: no data ({m.hint})")
    return "\n".join(lines)


def registry_markdown() -> str:
    """The registry as docs/metrics.md shows it, grouped as the registry groups it."""
    parts: list[str] = []
    group = None
    for m in METRICS:
        if m.group != group:
            group = m.group
            parts.append(f"## {group}")
        parts.append(_entry(m))
    return "\n\n".join(parts) + "\n"


def test_names_are_unique_snake_case_and_labels_unique() -> None:
    names = [m.name for m in METRICS]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)
    labels = [m.label for m in METRICS]
    assert len(labels) == len(set(labels)), "two metrics, one label: say which each is"


def test_two_acceptance_figures_have_two_names_and_say_their_denominator() -> None:
    decided, of_all = metric("acceptance_rate"), metric("mql_to_accepted")
    assert "decided" in decided.label
    assert decided.denominator == "MQLs accepted + MQLs rejected"
    assert "all MQLs" in of_all.label
    assert of_all.denominator == "MQLs delivered"


def test_every_unit_has_a_formatter_and_none_reads_no_data() -> None:
    for m in METRICS:
        assert display.value(m.name, None) == "no data"
        assert display.value(m.name, None, no_data={m.name: m.hint}) == f"no data ({m.hint})"
        assert display.unit_format(m.unit, _EXAMPLE[m.unit])


@pytest.fixture(scope="module")
def full_report() -> dict[str, Any]:
    settings = Settings(goal_won_revenue=1_000_000.0, marketing_mql_commitment=200)
    return scorecard_report(demo_con(), settings=settings)


def test_every_scorecard_path_holds_a_number_in_the_demo(full_report: dict[str, Any]) -> None:
    for m in METRICS:
        if m.path:
            assert isinstance(lookup(full_report, m.path), int | float), m.name


def test_missing_inputs_are_named_per_metric() -> None:
    everything = {
        "leads",
        "opportunities",
        "activities",
        "orders",
        "leads.first_contacted_at",
        "leads.accepted_at",
        "leads.rejected_at",
    }
    assert unavailable(everything) == {}
    no_contact = unavailable(everything - {"leads.first_contacted_at", "activities"})
    assert {"sales_sla_share", "median_hours_to_contact"} <= set(no_contact)
    assert "acceptance_rate" not in no_contact
    no_rejections = unavailable(everything - {"leads.rejected_at"})
    assert set(no_rejections) == {"acceptance_rate", "mqls_rejected"}
    assert "leads with first_contacted_at, or activities" in no_contact["sales_sla_share"]


def test_docs_metrics_lists_the_registry() -> None:
    text = DOCS.read_text()
    block = f"{START}\n{registry_markdown()}{END}"
    if os.environ.get("COPARENT_UPDATE_DOCS"):
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
        DOCS.write_text(text)
    assert block in text, "docs/metrics.md is out of date; rerun with COPARENT_UPDATE_DOCS=1"
