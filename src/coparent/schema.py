"""The canonical fact tables, as data: the single source of truth.

Import validates against it, the demo generates it, the warehouse stores it and
every analytic reads only these tables and columns. Ids are strings;
timestamps are UTC, stored without a time zone (importers convert to UTC).

Reference rule (checked on import): a column with ``ref`` must name an existing
row of the referenced table *when that table is already in the warehouse*;
when it is not, the import warns (``ingest.W301``) that the references were not
checked. Import tables in the order of `IMPORT_ORDER` to have them all checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

__all__ = [
    "IMPORT_ORDER",
    "TABLES",
    "Column",
    "ColumnType",
    "Table",
    "get_table",
]

ColumnType = Literal["string", "timestamp", "date", "float64", "int64", "boolean"]

_ARROW: dict[str, pa.DataType] = {
    "string": pa.string(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
    "float64": pa.float64(),
    "int64": pa.int64(),
    "boolean": pa.bool_(),
}


@dataclass(frozen=True)
class Column:
    """One canonical column.

    ``warn_null`` marks a nullable column that analytics rely on: imports load
    rows where it is empty but say how many (``ingest.W201``), so gaps are
    never silent.
    """

    name: str
    type: ColumnType
    doc: str
    nullable: bool = False
    key: bool = False
    ref: str | None = None
    values: tuple[str, ...] | None = None
    min_value: float | None = None
    warn_null: bool = False

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW[self.type]

    @property
    def ref_table(self) -> str | None:
        return self.ref.split(".")[0] if self.ref else None

    @property
    def ref_column(self) -> str | None:
        return self.ref.split(".")[1] if self.ref else None


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, its key and what it is for."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    order: tuple[tuple[str, str], ...] = field(default=())
    """Pairs (earlier, later) of timestamp columns that should be in that order."""

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.nullable)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self])


def _c(name: str, type_: ColumnType, doc: str, **kw: object) -> Column:
    return Column(name, type_, doc, **kw)  # type: ignore[arg-type]


TEAMS = ("sales", "marketing", "both")
STATUSES = ("open", "won", "lost")

_TABLES = (
    Table(
        "people",
        "People in Sales and Marketing (and anyone owning leads, deals or campaigns).",
        (
            _c("person_id", "string", "Natural id from the CRM (or the email).", key=True),
            _c("name", "string", "Display name."),
            _c("email", "string", "Work email; links a person to an app user.", nullable=True),
            _c("team", "string", "Which team the person belongs to.", values=TEAMS),
            _c("title", "string", "Job title, e.g. 'SDR', 'Account Executive'.", nullable=True),
            _c("active", "boolean", "Still with the company."),
        ),
    ),
    Table(
        "products",
        "Products and editions: the 'children' both teams raise.",
        (
            _c("product_id", "string", "Natural id (often the product name).", key=True),
            _c("name", "string", "Display name."),
            _c("family", "string", "Product line or series.", nullable=True),
            _c(
                "list_price",
                "float64",
                "List price per unit or year.",
                nullable=True,
                min_value=0.0,
            ),
        ),
    ),
    Table(
        "campaigns",
        "Marketing campaigns, each in one channel, with its cost and owner.",
        (
            _c("campaign_id", "string", "Natural id from the marketing tool.", key=True),
            _c("name", "string", "Display name."),
            _c(
                "channel",
                "string",
                "Channel, e.g. paid_search, organic, webinar, events, referral, outbound.",
            ),
            _c("started_on", "date", "First day of the campaign."),
            _c("ended_on", "date", "Last day; empty while running.", nullable=True),
            _c(
                "cost",
                "float64",
                "Total cost in the company currency.",
                nullable=True,
                min_value=0.0,
            ),
            _c("owner_id", "string", "Marketing owner.", nullable=True, ref="people.person_id"),
        ),
        order=(("started_on", "ended_on"),),
    ),
    Table(
        "accounts",
        "Customer and prospect companies.",
        (
            _c("account_id", "string", "Natural id from the CRM.", key=True),
            _c("name", "string", "Company name."),
            _c("industry", "string", "Industry or sector.", nullable=True),
            _c("employees", "int64", "Head count.", nullable=True, min_value=0.0),
            _c("region", "string", "Sales region or country.", nullable=True),
            _c("created_at", "timestamp", "When the account appeared (or was founded)."),
        ),
    ),
    Table(
        "leads",
        "Leads and their life cycle: created, MQL, contacted, accepted or rejected.",
        (
            _c("lead_id", "string", "Natural id from the CRM.", key=True),
            _c(
                "account_id",
                "string",
                "Company of the lead.",
                nullable=True,
                ref="accounts.account_id",
            ),
            _c("created_at", "timestamp", "When the lead was created."),
            _c("channel", "string", "Channel that brought the lead."),
            _c(
                "campaign_id",
                "string",
                "Campaign that brought the lead.",
                nullable=True,
                ref="campaigns.campaign_id",
            ),
            _c(
                "product_id",
                "string",
                "Product of interest.",
                nullable=True,
                ref="products.product_id",
            ),
            _c("mql_at", "timestamp", "When Marketing qualified it (MQL).", nullable=True),
            _c("owner_id", "string", "Sales owner.", nullable=True, ref="people.person_id"),
            _c("first_contacted_at", "timestamp", "First contact by Sales.", nullable=True),
            _c("accepted_at", "timestamp", "When Sales accepted it (SAL).", nullable=True),
            _c("rejected_at", "timestamp", "When Sales rejected it.", nullable=True),
            _c("rejection_reason", "string", "Why Sales rejected it.", nullable=True),
            _c(
                "opportunity_id",
                "string",
                "Opportunity it turned into.",
                nullable=True,
                ref="opportunities.opportunity_id",
            ),
        ),
        order=(("created_at", "mql_at"),),
    ),
    Table(
        "touches",
        "Marketing touches: a visit, an email click, a webinar attended, an ad click.",
        (
            _c("touch_id", "string", "Natural id (or a row number).", key=True),
            _c("lead_id", "string", "Lead touched.", nullable=True, ref="leads.lead_id"),
            _c(
                "account_id", "string", "Account touched.", nullable=True, ref="accounts.account_id"
            ),
            _c("occurred_at", "timestamp", "When it happened."),
            _c("channel", "string", "Channel of the touch."),
            _c(
                "campaign_id",
                "string",
                "Campaign of the touch.",
                nullable=True,
                ref="campaigns.campaign_id",
            ),
            _c("kind", "string", "What happened, e.g. visit, email_click, webinar, ad_click."),
        ),
    ),
    Table(
        "activities",
        "Sales activities: calls, emails, meetings.",
        (
            _c("activity_id", "string", "Natural id from the CRM.", key=True),
            _c("lead_id", "string", "Lead worked.", nullable=True, ref="leads.lead_id"),
            _c(
                "opportunity_id",
                "string",
                "Opportunity worked.",
                nullable=True,
                ref="opportunities.opportunity_id",
            ),
            _c("person_id", "string", "Who did it.", ref="people.person_id"),
            _c("occurred_at", "timestamp", "When it happened."),
            _c("kind", "string", "call, email, meeting, ..."),
        ),
    ),
    Table(
        "opportunities",
        "Deals: created, moved through stages, closed won or lost.",
        (
            _c("opportunity_id", "string", "Natural id from the CRM.", key=True),
            _c(
                "account_id",
                "string",
                "Company buying. Empty when the CRM has none yet (early open deals).",
                nullable=True,
                warn_null=True,
                ref="accounts.account_id",
            ),
            _c("lead_id", "string", "Lead it came from.", nullable=True, ref="leads.lead_id"),
            _c("product_id", "string", "Product sold.", nullable=True, ref="products.product_id"),
            _c("owner_id", "string", "Sales owner.", nullable=True, ref="people.person_id"),
            _c(
                "created_at",
                "timestamp",
                "When the deal was created or engaged. Empty when the CRM records none; such "
                "deals count in open pipeline but in no period's flow.",
                nullable=True,
                warn_null=True,
            ),
            _c(
                "closed_at",
                "timestamp",
                "When it was won or lost; empty while open.",
                nullable=True,
            ),
            _c("stage", "string", "Stage name as the CRM calls it."),
            _c("status", "string", "Outcome: open, won or lost.", values=STATUSES),
            _c(
                "amount",
                "float64",
                "Deal value (the won amount once won). Empty when the CRM has no value yet.",
                nullable=True,
                warn_null=True,
                min_value=0.0,
            ),
            _c("loss_reason", "string", "Why it was lost, in the CRM's words.", nullable=True),
        ),
        order=(("created_at", "closed_at"),),
    ),
    Table(
        "stage_changes",
        "Stage history of opportunities: one row each time a deal entered a stage.",
        (
            _c(
                "opportunity_id",
                "string",
                "Opportunity.",
                key=True,
                ref="opportunities.opportunity_id",
            ),
            _c("stage", "string", "Stage entered.", key=True),
            _c("entered_at", "timestamp", "When it entered the stage.", key=True),
        ),
    ),
    Table(
        "orders",
        "Orders (first and repeat purchases) per account.",
        (
            _c("order_id", "string", "Natural id (or derived from the row number).", key=True),
            _c("account_id", "string", "Buying account.", ref="accounts.account_id"),
            _c("ordered_at", "timestamp", "When it was ordered."),
            _c("amount", "float64", "Order value.", min_value=0.0),
            _c(
                "product_id", "string", "Product ordered.", nullable=True, ref="products.product_id"
            ),
        ),
    ),
    Table(
        "experiments",
        "A/B test assignments and outcomes: one row per subject per experiment.",
        (
            _c("experiment_id", "string", "Experiment.", key=True),
            _c("subject_id", "string", "Who was assigned (lead, account or visitor).", key=True),
            _c("variant", "string", "Variant name, e.g. control, discount_20."),
            _c("assigned_at", "timestamp", "When the subject was assigned."),
            _c("converted", "boolean", "Whether the subject converted."),
            _c(
                "revenue",
                "float64",
                "Revenue from the subject, when known.",
                nullable=True,
                min_value=0.0,
            ),
        ),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in _TABLES}

IMPORT_ORDER: tuple[str, ...] = (
    "people",
    "products",
    "campaigns",
    "accounts",
    "leads",
    "opportunities",
    "stage_changes",
    "touches",
    "activities",
    "orders",
    "experiments",
)


def get_table(name: str) -> Table:
    """The canonical table ``name``; `UnknownTableError` lists the others."""
    from coparent.errors import UnknownTableError

    try:
        return TABLES[name]
    except KeyError:
        raise UnknownTableError(name, available=list(TABLES)) from None
