"""A digest built from small hand-made inputs: every section filled, user text included."""

from __future__ import annotations

from datetime import date
from typing import Any

from coparent.notify import Digest, Missing, digest_build

SCORECARD: dict[str, Any] = {
    "period": {"label": "2026-Q3"},
    "revenue": 912973.0,
    "won": 54,
    "win_rate": 0.2935,
    "goal": {
        "actual": 912973.0,
        "target": 1000000.0,
        "progress": 0.913,
        "forecast": 1010000.0,
        "status": "on track",
    },
    "sla": {
        "marketing": {"mqls_delivered": 574, "committed": 600, "acceptance_rate": 0.516},
        "sales": {"sla_hours": 24.0, "share_within_sla": 0.678, "median_hours": 5.63},
    },
}
DIAGNOSIS: dict[str, Any] = {
    "period": "2026-Q3",
    "baseline": "2026-Q2",
    "headline": "Revenue rose 73% (+385,960) from 2026-Q2 to 2026-Q3",
}
WINS: list[dict[str, Any]] = [
    {
        "kind": "deal_won",
        "date": "2026-09-29",
        "story": "Won Globex <Enterprise> for $48,000 & counting",
        "teams": ["sales", "marketing"],
        "credited": [
            {"name": "Ana Rep", "team": "sales"},
            {"name": "Bo Webinar", "team": "marketing"},
        ],
        "evidence": ["opp-1"],
    },
    {
        "kind": "fast_response",
        "date": "2026-09-30",
        "story": "Lead contacted within 12 minutes",
        "teams": ["sales"],
        "credited": [{"name": "Cy Caller", "team": "sales"}],
        "evidence": ["lead-7"],
    },
]
WAITING: list[dict[str, Any]] = [
    {
        "side": "marketing",
        "label": "Marketing",
        "count": 2,
        "overdue": 1,
        "items": [
            {
                "title": "<script>alert('x')</script> prospects ask for SSO",
                "kind": "field insight",
                "age_hours": 80.0,
                "due_in_hours": -32.0,
            },
            {
                "title": "Why no budget?",
                "kind": "lead rejected",
                "age_hours": 5.0,
                "due_in_hours": 43.0,
            },
        ],
    },
    {"side": "sales", "label": "Sales", "count": 0, "overdue": 0, "items": []},
]
WINBACK: dict[str, Any] = {
    "list_id": "wb-2026-09-30-1",
    "as_of": "2026-09-30",
    "members": 40,
    "to_contact": 36,
    "holdout": 4,
    "assigned": 10,
    "contacted": 3,
    "value_at_stake": 1735989.84,
    "to_contact_value_at_stake": 1562390.86,
    "verdict": "too early: there are no orders after the list's as-of date yet",
}
OFFER: dict[str, Any] = {
    "experiment_id": "offer-2026-q3",
    "verdict": "ship",
    "verdict_reason": "first_month_free +2.80 points against discount_20",
    "winner": "first_month_free",
}
PAIRS: list[dict[str, Any]] = [
    {
        "members": [
            {"person_id": "p1", "name": "Ana Rep", "team": "sales"},
            {"person_id": "p9", "name": "Bo Webinar", "team": "marketing"},
        ],
        "agenda": ["3 of your webinar MQLs were rejected for no budget this month"],
    }
]


def sample_digest(**changes: Any) -> Digest:
    inputs: dict[str, Any] = {
        "week": "2026-W40",
        "company": "Acme <Analytics> & Co",
        "as_of": date(2026, 10, 4),
        "wins_window": (date(2026, 9, 28), date(2026, 10, 4)),
        "scorecard": SCORECARD,
        "diagnosis": DIAGNOSIS,
        "wins": WINS,
        "waiting": WAITING,
        "winback": WINBACK,
        "offer": OFFER,
        "pairs": PAIRS,
    }
    inputs.update(changes)
    return digest_build(**inputs)


def missing(message: str = "no opportunities imported", hint: str = "import them") -> Missing:
    return Missing(message, hint)
