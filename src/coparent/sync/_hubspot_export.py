"""HubSpot records as HubSpot's own export shows them: the columns the ``hubspot-*`` presets read.

`HubSpotExport` holds what rendering needs besides the records (owner names,
pipeline and stage labels, won/lost from the stage metadata, enumeration
labels), filled by the connector, and writes one object's records as the rows
of its label export: owners by name, stages and pipelines by label,
enumeration values by label, associations as ``;``-separated ids (the primary
company in its own column), and one ``Date entered "<Stage> (<Pipeline>)"``
column per stage from the deal stage history (the latest entry into each).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from coparent.sync._core import Record

__all__ = [
    "ASSOCIATIONS",
    "MODIFIED",
    "HubSpotExport",
    "Stage",
    "later",
    "parse_time",
    "properties",
]


@dataclass(frozen=True)
class _Column:
    header: str
    prop: str
    kind: str = "text"  # text, owner, enum


_COMPANY = (
    _Column("Company name", "name"),
    _Column("Company Domain Name", "domain"),
    _Column("Industry", "industry", "enum"),
    _Column("Number of Employees", "numberofemployees"),
    _Column("Country/Region", "country"),
    _Column("State/Region", "state"),
    _Column("City", "city"),
    _Column("Create Date", "createdate"),
    _Column("Company owner", "hubspot_owner_id", "owner"),
    _Column("Lifecycle Stage", "lifecyclestage", "enum"),
    _Column("Lead Status", "hs_lead_status", "enum"),
    _Column("Original Traffic Source", "hs_analytics_source", "enum"),
    _Column("Last Modified Date", "hs_lastmodifieddate"),
)
_LIFECYCLE = '(Lifecycle Stage Pipeline)"'
_CONTACT = (
    _Column("Email", "email"),
    _Column("First Name", "firstname"),
    _Column("Last Name", "lastname"),
    _Column("Job Title", "jobtitle"),
    _Column("Create Date", "createdate"),
    _Column("Lifecycle Stage", "lifecyclestage", "enum"),
    _Column("Lead Status", "hs_lead_status", "enum"),
    _Column("Original Traffic Source", "hs_analytics_source", "enum"),
    _Column(f'Date entered "Lead {_LIFECYCLE}', "hs_v2_date_entered_lead"),
    _Column(
        f'Date entered "Marketing Qualified Lead {_LIFECYCLE}',
        "hs_v2_date_entered_marketingqualifiedlead",
    ),
    _Column(
        f'Date entered "Sales Qualified Lead {_LIFECYCLE}',
        "hs_v2_date_entered_salesqualifiedlead",
    ),
    _Column("Contact owner", "hubspot_owner_id", "owner"),
    _Column("First outreach date", "hs_first_outreach_date"),
    _Column("Last Modified Date", "lastmodifieddate"),
)
_DEAL = (
    _Column("Deal Name", "dealname"),
    _Column("Amount", "amount"),
    _Column("Create Date", "createdate"),
    _Column("Close Date", "closedate"),
    _Column("Deal owner", "hubspot_owner_id", "owner"),
    _Column("Closed Lost Reason", "closed_lost_reason"),
    _Column("Deal Type", "dealtype", "enum"),
    _Column("Last Modified Date", "hs_lastmodifieddate"),
)
COLUMNS = {"companies": _COMPANY, "contacts": _CONTACT, "deals": _DEAL}
_EXTRA = {"deals": ("pipeline", "dealstage")}
MODIFIED = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}
ASSOCIATIONS = {
    "companies": (),
    "contacts": ("companies", "deals"),
    "deals": ("companies", "contacts"),
}
# Headers of association and derived columns -> the API field they come from.
_DERIVED = {
    "Record ID": "hs_object_id",
    "Primary Associated Company ID": "associations.companies (Primary)",
    "Associated Company IDs (Primary)": "associations.companies (Primary)",
    "Associated Company IDs": "associations.companies",
    "Associated Deal IDs": "associations.deals",
    "Associated Contact IDs": "associations.contacts",
    "Pipeline": "pipeline",
    "Deal Stage": "dealstage",
    "Is Closed Won": "dealstage (pipeline stage metadata)",
    "Is Deal Closed?": "dealstage (pipeline stage metadata)",
}


def properties(obj: str) -> list[str]:
    return sorted({c.prop for c in COLUMNS[obj]} | set(_EXTRA.get(obj, ())))


@dataclass(frozen=True)
class Stage:
    label: str
    pipeline: str
    closed: bool
    won: bool


@dataclass
class HubSpotExport:
    """The lookups rendering needs, and the rendering itself."""

    owners: dict[str, str] = field(default_factory=dict)
    """Owner id -> "First Last" (else the email, else the id)."""
    pipelines: dict[str, str] = field(default_factory=dict)
    """Pipeline id -> label."""
    stages: dict[tuple[str, str], Stage] = field(default_factory=dict)
    """(pipeline id, stage id) -> the stage's label, pipeline label, closed and won."""
    labels: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    """(object, enumeration property) -> value -> label."""

    def render(
        self, obj: str, records: Sequence[Record], *, present: Mapping[str, frozenset[str]]
    ) -> pa.Table:
        cols: dict[str, list[str | None]] = {"Record ID": [r.id for r in records]}
        for c in COLUMNS[obj]:
            cols[c.header] = [self._value(obj, c, r.data["properties"]) for r in records]
        if obj == "deals":
            self._render_deals(records, cols)
        for to in ASSOCIATIONS[obj]:
            known = present.get(to, frozenset())
            linked = [
                [x for x in r.data.get("associations", {}).get(to, []) if x[0] in known]
                for r in records
            ]
            if to == "companies":
                primary = (
                    "Primary Associated Company ID"
                    if obj == "contacts"
                    else ("Associated Company IDs (Primary)")
                )
                cols[primary] = [next((x[0] for x in ls if x[1]), None) for ls in linked]
            header = {
                "companies": "Associated Company IDs",
                "deals": "Associated Deal IDs",
                "contacts": "Associated Contact IDs",
            }[to]
            cols[header] = [
                ";".join(sorted({x[0] for x in ls}, key=id_order)) or None for ls in linked
            ]
        return pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})

    def _render_deals(self, records: Sequence[Record], cols: dict[str, list[str | None]]) -> None:
        pipelines, stages, won, closed = [], [], [], []
        entered: dict[str, list[str | None]] = {}
        for n, r in enumerate(records):
            props = r.data["properties"]
            pipe = str(props.get("pipeline") or "")
            stage_id = str(props.get("dealstage") or "")
            stage = self.stages.get((pipe, stage_id))
            pipelines.append(self.pipelines.get(pipe, pipe) or None)
            stages.append(stage.label if stage else (stage_id or None))
            won.append(None if stage is None else str(stage.won).lower())
            closed.append(None if stage is None else str(stage.closed).lower())
            latest: dict[str, str] = {}
            for value, at in r.data.get("history", []):
                if value not in latest or later(at, latest[value]):
                    latest[value] = at
            for value, at in latest.items():
                s = self.stages.get((pipe, value))
                if s is None:
                    continue  # a stage since deleted from the pipeline: no label to give it
                header = f'Date entered "{s.label} ({s.pipeline})"'
                entered.setdefault(header, [None] * len(records))[n] = at
        cols["Pipeline"] = pipelines
        cols["Deal Stage"] = stages
        cols["Is Closed Won"] = won
        cols["Is Deal Closed?"] = closed
        for header in sorted(entered):
            cols[header] = entered[header]

    def _value(self, obj: str, col: _Column, props: Mapping[str, Any]) -> str | None:
        raw = props.get(col.prop)
        if raw is None or raw == "":
            return None
        text = str(raw)
        if col.kind == "owner":
            return self.owners.get(text, text)
        if col.kind == "enum":
            return self.labels.get((obj, col.prop), {}).get(text, text)
        return text

    def field_of(self, obj: str, header: str) -> str:
        for c in COLUMNS.get(obj, ()):
            if c.header == header:
                return c.prop
        if header.startswith("Date entered"):
            return "dealstage (history)"
        return _DERIVED.get(header, header)


def id_order(text: str) -> tuple[int, str]:
    return (int(text), text) if text.isdigit() else (0, text)


def parse_time(text: str) -> datetime:
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def iso_time(text: str) -> str:
    return parse_time(text).astimezone(UTC).isoformat().replace("+00:00", "Z")


def later(a: str, b: str) -> bool:
    return parse_time(a) > parse_time(b)
