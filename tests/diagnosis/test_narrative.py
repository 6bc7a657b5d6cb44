"""The narrative speaks of stages and numbers: no blame words, no people, both teams together."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ibis.backends import BaseBackend

from coparent.demo import DemoCompany
from coparent.services.diagnosis import diagnosis_report
from coparent.settings import Settings

from .conftest import SEEDS

BLAME = (
    "blame",
    "blamed",
    "fault",
    "faults",
    "at fault",
    "fail",
    "failed",
    "failing",
    "failure",
    "incompetent",
    "lazy",
    "careless",
    "negligent",
    "culprit",
    "guilty",
    "responsible for the",
    "should have",
    "underperform",
    "underperformed",
    "poor performance",
    "dropped the ball",
    "sales team missed",
    "sales missed",
    "sales failed",
    "marketing failed",
    "marketing missed",
    "marketing's fault",
    "sales's fault",
)
GOAL = Settings(goal_won_revenue=1_200_000.0, marketing_mql_commitment=250)


def _texts(report: dict[str, Any]) -> Iterator[str]:
    yield report["headline"]
    yield report["narrative"]
    yield from report["notes"]
    for v in report["verdicts"]:
        yield from v["evidence"]
        yield from v["went_well"]


@pytest.fixture(scope="module")
def texts(
    demo_con: Callable[[int], BaseBackend],
) -> list[tuple[str, str]]:
    out = []
    for seed in SEEDS:
        con = demo_con(seed)
        for by in ("product", "channel"):
            for against, settings in (("previous", Settings()), ("goal", GOAL)):
                report = diagnosis_report(con, by=by, against=against, settings=settings)  # type: ignore[arg-type]
                out += [(f"seed {seed} {by} {against}", t) for t in _texts(report)]
    return out


def test_no_blame_word_appears_in_any_sentence(texts: list[tuple[str, str]]) -> None:
    found = [
        (where, word, text)
        for where, text in texts
        for word in BLAME
        if re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)
    ]
    assert not found


def test_no_person_of_the_demo_company_is_named(
    texts: list[tuple[str, str]], demo: Callable[[int], DemoCompany]
) -> None:
    names = set()
    for seed in SEEDS:
        for name in demo(seed).tables["people"].column("name").to_pylist():
            names |= {name, *name.split()}
    found = [
        (where, name) for where, text in texts for name in names if re.search(rf"\b{name}\b", text)
    ]
    assert not found


def test_teams_are_only_named_together(texts: list[tuple[str, str]]) -> None:
    for where, text in texts:
        alone = re.sub(r"Sales and Marketing|both teams", "", text)
        assert not re.search(r"\b(Sales|Marketing)\b", alone), (where, text)


def test_the_narrative_names_what_went_well_flags_noise_and_suggests_joint_steps(
    texts: list[tuple[str, str]],
) -> None:
    narratives = [t for _, t in texts if t.count("\n\n") >= 3]
    assert narratives
    for text in narratives:
        assert "What went well, to the credit of both teams:" in text
        assert "within normal variation" in text
        assert "Next steps, together:" in text
