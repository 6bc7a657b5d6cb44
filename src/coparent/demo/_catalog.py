"""What the demo company sells, where, through which channels, and the words its CRM uses.

Everything here is a vocabulary; the rates that drive the story live in `_plan`.
Tuples fix the order, so indices are stable across runs and processes.
"""

from __future__ import annotations

from dataclasses import dataclass

EMAIL_DOMAIN = "brightlane.io"


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    family: str
    price_year_one: float
    """Price per seat and year (per pack for the add-on) before the price change."""
    price_year_two: float
    """Price after the price change (the products table shows this, the current list price)."""


PRODUCTS: tuple[Product, ...] = (
    Product("insight-starter", "Insight Starter", "Insight", 360.0, 360.0),
    Product("insight-pro", "Insight Pro", "Insight", 900.0, 990.0),
    Product("insight-enterprise", "Insight Enterprise", "Insight", 1800.0, 1980.0),
    Product("insight-cloud", "Insight Cloud", "Insight", 720.0, 720.0),
    Product("connectors-pack", "Connectors Pack", "Add-ons", 4800.0, 4800.0),
)
STARTER, PRO, ENTERPRISE, CLOUD, CONNECTORS = range(5)
PRODUCT_IDS = tuple(p.product_id for p in PRODUCTS)

CHANNELS = ("paid_search", "organic", "webinar", "events", "referral", "outbound")
PAID_SEARCH, ORGANIC, WEBINAR, EVENTS, REFERRAL, OUTBOUND = range(6)

REGIONS = ("North America", "EMEA", "APAC", "LATAM")
NORTH_AMERICA, EMEA, APAC, LATAM = range(4)
REGION_WEIGHT = (0.45, 0.32, 0.13, 0.10)
REGION_HOUR_UTC = (16.0, 10.5, 3.0, 15.0)
"""Centre of the working day in UTC, so leads arrive when each region is at work."""
LEGAL_FORMS = (
    ("Inc.", "LLC", "Corp."),
    ("GmbH", "Ltd", "SAS", "B.V.", "AB"),
    ("Pty Ltd", "Pte Ltd", "K.K."),
    ("S.A.", "Ltda.", "S.A. de C.V."),
)

INDUSTRIES = (
    "Software", "Retail", "Manufacturing", "Financial services", "Healthcare",
    "Logistics", "Education", "Media", "Professional services", "Energy",
)  # fmt: skip
INDUSTRY_WEIGHT = (0.2, 0.13, 0.13, 0.1, 0.09, 0.08, 0.06, 0.06, 0.1, 0.05)

NAME_HEADS = (
    "North", "Blue", "Silver", "Green", "Red", "Iron", "Bright", "Clear", "Swift", "True",
    "High", "Stone", "Oak", "Pine", "River", "Summit", "Harbor", "Cedar", "Maple", "Golden",
    "Nova", "Terra", "Aqua", "Sun", "Moon", "Star", "Cloud", "Frost", "Ember", "Coral",
    "Granite", "Willow", "Falcon", "Lynx", "Otter", "Raven", "Copper", "Amber", "Indigo", "Jade",
    "Alder", "Birch", "Crest", "Delta", "Echo", "Fern", "Glen", "Haven", "Isle", "Juniper",
    "Kestrel", "Lumen", "Meadow", "Nimbus", "Orchard", "Prairie", "Quarry", "Sage", "Tidal",
    "Vale",
)  # fmt: skip
NAME_TAILS = (
    "field", "wave", "line", "point", "gate", "bridge", "peak", "path", "forge", "light",
    "works", "stream", "ridge", "core", "leaf", "bay", "rock", "wood", "mark", "port",
    "view", "stone", "brook", "crest", "dale", "fox", "hill", "hurst", "lake", "land",
    "mere", "mill", "moor", "ton", "well", "wick", "worth", "shore", "side", "vale",
    "spring", "haven", "ford", "grove", "haus", "lab", "loop", "nest", "pulse", "quest",
    "scape", "shift", "sky", "span", "sphere", "tree", "ware", "way", "wind", "yard",
)  # fmt: skip
NAME_SECTORS = (
    "Analytics", "Systems", "Foods", "Health", "Logistics", "Retail", "Energy", "Media",
    "Partners", "Manufacturing", "Finance", "Labs",
)  # fmt: skip

TOUCH_KINDS = (
    "visit", "email_click", "webinar", "ad_click", "event_badge_scan", "content_download",
)  # fmt: skip
VISIT, EMAIL_CLICK, WEBINAR_KIND, AD_CLICK, BADGE_SCAN, DOWNLOAD = range(6)
TOUCH_KIND_WEIGHT = (
    # visit email webinar ad badge download, per channel
    (0.3, 0.0, 0.0, 0.7, 0.0, 0.0),
    (0.6, 0.1, 0.0, 0.0, 0.0, 0.3),
    (0.0, 0.4, 0.6, 0.0, 0.0, 0.0),
    (0.2, 0.0, 0.0, 0.0, 0.8, 0.0),
    (1.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    (0.15, 0.85, 0.0, 0.0, 0.0, 0.0),
)
FIRST_TOUCH_KIND = (AD_CLICK, DOWNLOAD, WEBINAR_KIND, BADGE_SCAN, VISIT, EMAIL_CLICK)
"""The touch that created a lead, per channel of the lead."""

ACTIVITY_KINDS = ("call", "email", "meeting")

STAGES = ("Discovery", "Demo", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
OPEN_STAGES = 4
CLOSED_WON, CLOSED_LOST = 4, 5

REJECTION_REASONS = (
    "No budget", "Not a decision maker", "Bad contact data", "Student / not a company",
    "Existing customer", "Competitor", "No need", "Duplicate",
)  # fmt: skip
STUDENT, BAD_CONTACT = 3, 2
REJECTION_WEIGHT = (
    # budget, not DM, bad data, student, customer, competitor, no need, duplicate; per channel
    (0.12, 0.14, 0.16, 0.22, 0.04, 0.05, 0.2, 0.07),
    (0.1, 0.14, 0.1, 0.26, 0.05, 0.07, 0.22, 0.06),
    (0.14, 0.3, 0.06, 0.08, 0.06, 0.04, 0.26, 0.06),
    (0.1, 0.22, 0.3, 0.08, 0.06, 0.06, 0.14, 0.04),
    (0.14, 0.14, 0.04, 0.02, 0.3, 0.02, 0.28, 0.06),
    (0.24, 0.3, 0.12, 0.0, 0.04, 0.02, 0.26, 0.02),
)

# Loss reasons by category, spelled as a real CRM's free text has them.
LOSS_REASONS_PRODUCT = (
    "Missing feature", "missing feature", "Integration not available", "missing integration",
    "No Snowflake connector", "Product quality", "Missing Feature - scheduled reports",
)  # fmt: skip
LOSS_WEIGHT_PRODUCT = (0.2, 0.08, 0.3, 0.17, 0.1, 0.08, 0.07)
LOSS_REASONS_MARKET = (
    "Price", "price", "Too expensive", "Lost to competitor", "Competition",
    "competitor (Tableau)", "No budget", "Budget cut", "Timing", "No decision",
    "No decision / status quo",
)  # fmt: skip
LOSS_WEIGHT_MARKET = (0.16, 0.05, 0.06, 0.15, 0.08, 0.05, 0.12, 0.05, 0.1, 0.1, 0.08)
LOSS_REASONS_PROCESS = (
    "Went dark", "Unresponsive", "No follow-up", "No follow up", "Long sales cycle",
    "Poor qualification",
)  # fmt: skip
LOSS_WEIGHT_PROCESS = (0.25, 0.15, 0.2, 0.07, 0.2, 0.13)
LOSS_REASONS_UNCLASSIFIED = ("Other", "other")
LOSS_WEIGHT_UNCLASSIFIED = (0.8, 0.2)
LOSS_CATEGORIES = ("product", "market", "process", "unclassified")
