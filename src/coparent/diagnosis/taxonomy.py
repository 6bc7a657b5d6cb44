"""Loss and rejection reasons, in the CRM's own words, sorted into four categories.

``product`` (the offer did not fit: missing feature, integration, quality),
``process`` (the way a lead or deal was worked: no follow-up, slow response,
weak qualification, lost contact), ``market`` (the buyer's situation: price,
competitor, budget, timing, no decision) and ``unclassified``. The split lets
the diagnosis say *which kind* of loss grew, a question about stages and
offers, never about people.

Matching is case- and punctuation-insensitive: both the reason and the table
are normalised (casefold, punctuation to spaces, spaces collapsed). A reason
matches, in order:

1. a settings override (``loss_reason_categories`` /
   ``rejection_reason_categories``) equal to it, then a default phrase equal
   to it;
2. otherwise the longest phrase (override or default, overrides first on a
   tie) contained in it as whole words: ``"Missing Feature - scheduled
   reports"`` contains ``missing feature``; ``"no decision maker"`` beats
   ``"no decision"``.

A reason nothing matches is ``unclassified`` *and reported* (`Taxonomy.known`
is False), so the user can add it to the settings; it is never dropped. An
empty reason is ``unclassified`` too.

Rejections (Sales turning down a lead) use the same table with a few
differences: a lead from a competitor, an existing customer or a duplicate is
a routing or qualification matter (``process``), where a deal lost to a
competitor is ``market``.

Examples
--------
>>> normalise_reason("  Missing Feature - scheduled REPORTS! ")
'missing feature scheduled reports'
>>> loss = Taxonomy.for_losses()
>>> [loss.category(r) for r in ("No follow-up", "competitor (Tableau)", "No Snowflake connector")]
['process', 'market', 'product']
>>> loss.category("Other"), loss.known("Other")
('unclassified', False)
>>> Taxonomy.for_losses({"Other": "market"}).category("other!")
'market'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CATEGORIES",
    "DEFAULT_LOSS_PHRASES",
    "DEFAULT_REJECTION_PHRASES",
    "Category",
    "Taxonomy",
    "normalise_reason",
]

Category = Literal["product", "process", "market", "unclassified"]
CATEGORIES: tuple[Category, ...] = ("product", "process", "market", "unclassified")

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_reason(text: str) -> str:
    """Casefold, turn punctuation into spaces and collapse spaces (idempotent)."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


def _table(groups: Mapping[Category, str]) -> dict[str, Category]:
    out: dict[str, Category] = {}
    for category, phrases in groups.items():
        for phrase in phrases.split(";"):
            out[normalise_reason(phrase)] = category
    return out


DEFAULT_LOSS_PHRASES: dict[str, Category] = _table(
    {
        "product": (
            "missing feature; feature; features; feature gap; product gap; missing integration;"
            "integration; integrations; connector; api; product quality; quality; bug; bugs;"
            "not a fit; poor fit; product fit; fit; functionality; performance; reliability;"
            "usability; scalability; security; compliance; requirements not met; roadmap;"
            "technical"
        ),
        "process": (
            "no follow up; follow up; slow response; response time; late response;"
            "weak qualification; poor qualification; bad qualification; qualification;"
            "not qualified; unqualified; lost contact; went dark; unresponsive; no response;"
            "ghosted; no decision maker; not a decision maker; no access to decision maker;"
            "no champion; long sales cycle; sales cycle; missed deadline; proposal late;"
            "bad contact data; wrong contact; duplicate; handoff; hand off"
        ),
        "market": (
            "price; pricing; too expensive; expensive; cost; lost to competitor; competitor;"
            "competition; competitive; budget; no budget; budget cut; timing; bad timing;"
            "not now; no decision; status quo; do nothing; no need; not interested;"
            "economy; economic; funding; procurement; in house; built in house; acquired;"
            "merger; reorganisation; reorganization"
        ),
    }
)

DEFAULT_REJECTION_PHRASES: dict[str, Category] = {
    **DEFAULT_LOSS_PHRASES,
    **_table(
        {
            "process": (
                "competitor; existing customer; current customer; duplicate; student;"
                "not a company; bad contact data; fake; spam; wrong country; wrong region"
            ),
            "product": "wrong product; not a fit for the product; product not suitable",
        }
    ),
}


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


@dataclass(frozen=True)
class Taxonomy:
    """Reason text to category, with settings overrides on top of a default table."""

    defaults: Mapping[str, Category]
    overrides: Mapping[str, Category] = field(default_factory=dict)

    @classmethod
    def for_losses(cls, overrides: Mapping[str, str] | None = None) -> Taxonomy:
        """Loss reasons, with ``Settings.loss_reason_categories`` as overrides."""
        return cls(DEFAULT_LOSS_PHRASES, _normalised(overrides or {}))

    @classmethod
    def for_rejections(cls, overrides: Mapping[str, str] | None = None) -> Taxonomy:
        """Lead rejection reasons, with ``Settings.rejection_reason_categories`` as overrides."""
        return cls(DEFAULT_REJECTION_PHRASES, _normalised(overrides or {}))

    def _match(self, reason: str | None) -> Category | None:
        if reason is None:
            return None
        text = normalise_reason(reason)
        if not text:
            return None
        for table in (self.overrides, self.defaults):
            if text in table:
                return table[text]
        words = tuple(text.split())
        best: tuple[int, Category] | None = None
        for table in (self.overrides, self.defaults):
            for phrase, category in table.items():
                size = len(phrase.split())
                if (best is None or size > best[0]) and _contains(words, tuple(phrase.split())):
                    best = (size, category)
        return best[1] if best else None

    def category(self, reason: str | None) -> Category:
        """The category of ``reason``; ``unclassified`` when nothing matches or it is empty."""
        return self._match(reason) or "unclassified"

    def known(self, reason: str | None) -> bool:
        """Whether a rule matched (an unmatched reason is listed in the report)."""
        return self._match(reason) is not None


def _normalised(overrides: Mapping[str, str]) -> dict[str, Category]:
    out: dict[str, Category] = {}
    by_name: dict[str, Category] = {c: c for c in CATEGORIES}
    for reason, category in overrides.items():
        if category not in by_name:
            raise ValueError(f"unknown category {category!r} for {reason!r}; use {CATEGORIES}")
        out[normalise_reason(reason)] = by_name[category]
    return out
