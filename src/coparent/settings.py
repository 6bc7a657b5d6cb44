"""Settings as data: one `SETTINGS` table of (name, default, help).

Later sources override earlier ones: the defaults below, the workspace's
``settings.toml``, the environment (``COPARENT_<NAME>``), the decisions kept
in the app database (the shared goal and the SLA terms set in Setup, handed
in as ``app``), then the CLI's ``--setting name=value``. Each value is
checked against the type of its default; a bad value names the setting and
the source it came from. `load_settings_sourced` also says which source each
value came from, so a report can say where its goal came from.
``docs/settings.md`` documents every setting (a test checks).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from coparent.errors import SettingsError

__all__ = [
    "SETTINGS",
    "Setting",
    "SettingSource",
    "Settings",
    "load_settings",
    "load_settings_sourced",
    "parse_setting_value",
    "source_words",
]

SettingSource = Literal["default", "settings_file", "environment", "app", "setting"]
"""Where a value came from, lowest precedence first (reports show it, e.g. ``goal.source``)."""


def source_words(source: str, name: str) -> str:
    """Where a setting's value came from, for people.

    >>> source_words("app", "goal_won_revenue"), source_words("setting", "goal_won_revenue")
    ("the app's Setup", '--setting goal_won_revenue')
    """
    return {
        "default": "the default",
        "settings_file": f"{name} in the workspace's settings.toml",
        "environment": f"the environment variable COPARENT_{name.upper()}",
        "app": "the app's Setup",
        "setting": f"--setting {name}",
    }.get(source, source)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "warehouse_url",
        "",
        "Ibis URL of the warehouse. Empty means duckdb:///<workspace>/warehouse.duckdb.",
    ),
    Setting(
        "warehouse_wait_seconds",
        20.0,
        "Seconds to wait for a DuckDB warehouse another process holds (an import) before giving "
        "up with warehouse.busy.",
    ),
    Setting(
        "timezone",
        "UTC",
        "Time zone of timestamps without an offset in imported files; stored as UTC.",
    ),
    Setting(
        "fiscal_year_start_month",
        1,
        "Month (1-12) the fiscal year starts in; quarters and years follow it.",
    ),
    Setting(
        "sales_sla_hours",
        24.0,
        "Sales SLA: hours from MQL to first contact.",
    ),
    Setting(
        "marketing_mql_commitment",
        0,
        "Marketing SLA: MQLs committed per month (0: no commitment set).",
    ),
    Setting(
        "goal_won_revenue",
        0.0,
        "Shared goal: won revenue per quarter (0: no goal set; the app's goals replace it).",
    ),
    Setting(
        "loss_reason_categories",
        {},
        "Overrides of the loss-reason taxonomy: reason text -> product, process, market "
        "or unclassified.",
    ),
    Setting(
        "rejection_reason_categories",
        {},
        "Overrides of the lead-rejection taxonomy: reason text -> product, process, market "
        "or unclassified.",
    ),
    Setting(
        "import_max_examples",
        20,
        "How many problems of each code an import lists; the rest are counted.",
    ),
    Setting(
        "import_max_field_chars",
        32767,
        "Longest text accepted in one cell (a spreadsheet's own limit); longer is ingest.E209.",
    ),
    Setting(
        "import_max_file_mb",
        4096,
        "Largest file an import reads (on disk, and once unpacked from .gz or .zip), in MB; "
        "larger is ingest.E110.",
    ),
    Setting(
        "import_max_line_kb",
        1024,
        "Longest line a text file may have, in KB; longer is ingest.E110 (a file without "
        "line breaks, or binary data).",
    ),
    Setting(
        "import_null_values",
        ["", "NULL", "null", "N/A", "n/a", "#N/A", "(No value)"],
        "Cell texts read as empty in imported files.",
    ),
    Setting(
        "import_progress_seconds",
        1.0,
        "Show a progress bar when an import is expected to take longer than this.",
    ),
    Setting(
        "sync_timeout_seconds",
        30.0,
        "Live CRM sync: seconds one HTTP request may take (connect and read) before it is retried.",
    ),
    Setting(
        "sync_deadline_seconds",
        300.0,
        "Live CRM sync: seconds one API call may take with all its retries (rate limits, 5xx).",
    ),
    Setting(
        "sync_overlap_seconds",
        600.0,
        "Live CRM sync: an incremental sync re-reads records modified this long before the cursor.",
    ),
    Setting("wins_rules_off", [], "Wins rules turned off, by name (docs/wins.md lists them)."),
    Setting("wins_lookback_days", 180, "Wins: how many days back the engine looks for wins."),
    Setting("wins_streak_weeks", 4, "Wins: weeks in a row on target that make an SLA streak."),
    Setting(
        "wins_sales_sla_target",
        0.7,
        "Wins: share of a week's MQLs contacted within the Sales SLA that is on target.",
    ),
    Setting(
        "wins_acceptance_target",
        0.5,
        "Wins: acceptance rate of a week's MQLs that is on target for Marketing (0: not judged).",
    ),
    Setting("wins_fast_contact_minutes", 60, "Wins: an MQL contacted within this many minutes."),
    Setting(
        "wins_campaign_min_mqls",
        10,
        "Wins: decided MQLs a campaign needs before its acceptance rate is celebrated.",
    ),
    Setting(
        "wins_fast_answer_hours", 24.0, "Wins: a feedback item answered within this many hours."
    ),
    Setting(
        "wins_record_month_min_months",
        3,
        "Wins: earlier months with won revenue needed before a record month counts.",
    ),
    Setting(
        "wins_early_days_weeks",
        8,
        "Wins: weeks after setup in which firsts are celebrated too (0: early-days mode off).",
    ),
    Setting(
        "wins_balance_max_share",
        0.65,
        "Balance panel: warn when one team gets more than this share of the recognition.",
    ),
    Setting("wins_balance_weeks", 8, "Balance panel: the last N weeks the warning looks at."),
    Setting(
        "wins_balance_min_items",
        5,
        "Balance panel: no warning before this many wins and kudos in those weeks.",
    ),
    Setting(
        "smtp_host",
        "",
        "SMTP server the weekly digest is emailed through (empty: no email).",
    ),
    Setting("smtp_port", 587, "Port of the SMTP server (587 with STARTTLS, 465 with SSL)."),
    Setting("smtp_user", "", "User name to log in to the SMTP server (empty: no login)."),
    Setting("smtp_password", "", "Password for smtp_user; prefer COPARENT_SMTP_PASSWORD."),
    Setting("smtp_use_tls", True, "Upgrade the SMTP connection with STARTTLS."),
    Setting("smtp_use_ssl", False, "Connect to the SMTP server over SSL/TLS from the start."),
    Setting("digest_from", "coparent@localhost", "From address of the digest email."),
    Setting(
        "digest_recipients",
        [],
        "Email addresses the digest goes to (empty: every active app user with an email).",
    ),
    Setting(
        "slack_webhook_url",
        "",
        "Slack incoming-webhook URL the digest is posted to (empty: no Slack).",
    ),
    Setting("digest_retry_attempts", 4, "Attempts per channel before a delivery counts as failed."),
    Setting(
        "digest_retry_base_seconds",
        2.0,
        "Wait after the first failed attempt; it doubles after each further failure.",
    ),
    Setting("digest_timeout_seconds", 10.0, "Seconds to wait for the SMTP server or Slack."),
    Setting(
        "notify_from",
        "",
        "From address of notification emails (empty: digest_from).",
    ),
    Setting(
        "notify_app_url",
        "",
        "The web app's address for links in notifications, e.g. https://coparent.example.com "
        "(empty: no links).",
    ),
    Setting(
        "notify_slack_sales_url",
        "",
        "Slack incoming webhook of Sales' channel for notifications (empty: slack_webhook_url).",
    ),
    Setting(
        "notify_slack_marketing_url",
        "",
        "Slack incoming webhook of Marketing's channel for notifications "
        "(empty: slack_webhook_url).",
    ),
    Setting(
        "notify_slack_wins_url",
        "",
        "Slack incoming webhook kudos and big wins are posted to (empty: not posted).",
    ),
    Setting(
        "notify_big_wins",
        ["biggest_deal", "record_month", "goal_milestone", "first_joint_win"],
        "Kinds of wins posted to notify_slack_wins_url (docs/wins.md lists the kinds).",
    ),
    Setting(
        "notify_reminder_hours",
        24.0,
        "Remind the side an item waits for this many hours before it is due (0: no reminder).",
    ),
    Setting(
        "notify_summary_hour",
        8,
        "Hour of the day (0-23, in the timezone setting) the daily summaries go out.",
    ),
    Setting(
        "notify_mql_days",
        7,
        "MQLs older than this many days when an import first shows them are not announced.",
    ),
    Setting(
        "notify_retry_attempts",
        5,
        "Runs of coparent notify run that try a notification before it counts as failed.",
    ),
    Setting(
        "notify_retry_base_seconds",
        60.0,
        "Wait before a failed notification is tried again; it doubles after each failure.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}

_CATEGORIES = {"product", "process", "market", "unclassified"}
_VALID: dict[str, tuple[Callable[[Any], bool], str]] = {
    "warehouse_wait_seconds": (lambda v: 0 <= v <= 3600, "0 to 3600 seconds"),
    "fiscal_year_start_month": (lambda v: 1 <= v <= 12, "a month number from 1 to 12"),
    "sales_sla_hours": (lambda v: v > 0, "a positive number of hours"),
    "marketing_mql_commitment": (lambda v: v >= 0, "zero or a positive count"),
    "goal_won_revenue": (lambda v: v >= 0, "zero or a positive amount"),
    "import_max_examples": (lambda v: v >= 1, "at least 1"),
    "import_max_field_chars": (lambda v: v >= 1, "at least 1"),
    "import_max_file_mb": (lambda v: v >= 1, "at least 1 MB"),
    "import_max_line_kb": (lambda v: v >= 1, "at least 1 KB"),
    "sync_timeout_seconds": (lambda v: 0 < v <= 3600, "above 0, at most 3600 seconds"),
    "sync_deadline_seconds": (lambda v: 0 < v <= 86400, "above 0, at most 86400 seconds"),
    "sync_overlap_seconds": (lambda v: 0 <= v <= 86400, "0 to 86400 seconds"),
    "wins_lookback_days": (lambda v: v >= 1, "at least 1 day"),
    "wins_streak_weeks": (lambda v: v >= 2, "at least 2 weeks"),
    "wins_sales_sla_target": (lambda v: 0 < v <= 1, "a share above 0, at most 1"),
    "wins_acceptance_target": (lambda v: 0 <= v <= 1, "a share from 0 to 1"),
    "wins_fast_contact_minutes": (lambda v: v >= 1, "at least 1 minute"),
    "wins_campaign_min_mqls": (lambda v: v >= 1, "at least 1"),
    "wins_fast_answer_hours": (lambda v: v > 0, "a positive number of hours"),
    "wins_record_month_min_months": (lambda v: v >= 1, "at least 1 month"),
    "wins_early_days_weeks": (lambda v: v >= 0, "zero (off) or a number of weeks"),
    "wins_balance_max_share": (lambda v: 0.5 <= v < 1, "a share from 0.5 up to (not including) 1"),
    "wins_balance_weeks": (lambda v: v >= 1, "at least 1 week"),
    "wins_balance_min_items": (lambda v: v >= 1, "at least 1"),
    "smtp_port": (lambda v: 1 <= v <= 65535, "a port number from 1 to 65535"),
    "digest_recipients": (lambda v: all("@" in r for r in v), "email addresses"),
    "slack_webhook_url": (
        lambda v: v == "" or v.startswith(("https://", "http://")),
        "an https:// URL (or empty)",
    ),
    "digest_retry_attempts": (lambda v: 1 <= v <= 20, "from 1 to 20 attempts"),
    "digest_retry_base_seconds": (lambda v: 0 <= v <= 3600, "0 to 3600 seconds"),
    "digest_timeout_seconds": (lambda v: v > 0, "a positive number of seconds"),
    "notify_app_url": (
        lambda v: v == "" or v.startswith(("https://", "http://")),
        "an https:// URL (or empty)",
    ),
    "notify_slack_sales_url": (
        lambda v: v == "" or v.startswith(("https://", "http://")),
        "an https:// URL (or empty)",
    ),
    "notify_slack_marketing_url": (
        lambda v: v == "" or v.startswith(("https://", "http://")),
        "an https:// URL (or empty)",
    ),
    "notify_slack_wins_url": (
        lambda v: v == "" or v.startswith(("https://", "http://")),
        "an https:// URL (or empty)",
    ),
    "notify_reminder_hours": (lambda v: 0 <= v <= 24 * 30, "0 to 720 hours"),
    "notify_summary_hour": (lambda v: 0 <= v <= 23, "an hour from 0 to 23"),
    "notify_mql_days": (lambda v: v >= 1, "at least 1 day"),
    "notify_retry_attempts": (lambda v: 1 <= v <= 50, "from 1 to 50 attempts"),
    "notify_retry_base_seconds": (lambda v: 0 <= v <= 86400, "0 to 86400 seconds"),
    "loss_reason_categories": (
        lambda v: set(v.values()) <= _CATEGORIES,
        "categories among " + ", ".join(sorted(_CATEGORIES)),
    ),
    "rejection_reason_categories": (
        lambda v: set(v.values()) <= _CATEGORIES,
        "categories among " + ", ".join(sorted(_CATEGORIES)),
    ),
}


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build it with `load_settings`."""

    warehouse_url: str = ""
    warehouse_wait_seconds: float = 20.0
    timezone: str = "UTC"
    fiscal_year_start_month: int = 1
    sales_sla_hours: float = 24.0
    marketing_mql_commitment: int = 0
    goal_won_revenue: float = 0.0
    loss_reason_categories: Mapping[str, str] = field(default_factory=dict)
    rejection_reason_categories: Mapping[str, str] = field(default_factory=dict)
    import_max_examples: int = 20
    import_max_field_chars: int = 32767
    import_max_file_mb: int = 4096
    import_max_line_kb: int = 1024
    import_null_values: tuple[str, ...] = ("", "NULL", "null", "N/A", "n/a", "#N/A", "(No value)")
    import_progress_seconds: float = 1.0
    sync_timeout_seconds: float = 30.0
    sync_deadline_seconds: float = 300.0
    sync_overlap_seconds: float = 600.0
    wins_rules_off: tuple[str, ...] = ()
    wins_lookback_days: int = 180
    wins_streak_weeks: int = 4
    wins_sales_sla_target: float = 0.7
    wins_acceptance_target: float = 0.5
    wins_fast_contact_minutes: int = 60
    wins_campaign_min_mqls: int = 10
    wins_fast_answer_hours: float = 24.0
    wins_record_month_min_months: int = 3
    wins_early_days_weeks: int = 8
    wins_balance_max_share: float = 0.65
    wins_balance_weeks: int = 8
    wins_balance_min_items: int = 5
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_use_tls: bool = True
    smtp_use_ssl: bool = False
    digest_from: str = "coparent@localhost"
    digest_recipients: tuple[str, ...] = ()
    slack_webhook_url: str = field(default="", repr=False)  # the URL is the secret
    digest_retry_attempts: int = 4
    digest_retry_base_seconds: float = 2.0
    digest_timeout_seconds: float = 10.0
    notify_from: str = ""
    notify_app_url: str = ""
    notify_slack_sales_url: str = field(default="", repr=False)
    notify_slack_marketing_url: str = field(default="", repr=False)
    notify_slack_wins_url: str = field(default="", repr=False)
    notify_big_wins: tuple[str, ...] = (
        "biggest_deal",
        "record_month",
        "goal_milestone",
        "first_joint_win",
    )
    notify_reminder_hours: float = 24.0
    notify_summary_hour: int = 8
    notify_mql_days: int = 7
    notify_retry_attempts: int = 5
    notify_retry_base_seconds: float = 60.0


def _coerce(name: str, value: Any, *, source: str) -> Any:
    result = _convert(name, value, source=source)
    check = _VALID.get(name)
    if check is not None and not check[0](result):
        raise SettingsError(
            f"{value!r} is not valid: expected {check[1]}",
            setting=name,
            source=source,
            hint=f"{name}: {_BY_NAME[name].help}",
        )
    return result


def _convert(name: str, value: Any, *, source: str) -> Any:
    default = _BY_NAME[name].default
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                low = value.strip().lower()
                if low in ("1", "true", "yes", "on"):
                    return True
                if low in ("0", "false", "no", "off"):
                    return False
                raise ValueError(value)
            return bool(value)
        if isinstance(default, int):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, dict):
            if isinstance(value, str):
                value = json.loads(value)
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise ValueError(value)
            return dict(value)
        if isinstance(default, list):
            if isinstance(value, str):
                value = json.loads(value)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(value)
            return tuple(value)
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    except (ValueError, TypeError, json.JSONDecodeError):
        kind = type(default).__name__
        if isinstance(default, list):
            kind = "list of texts (JSON in the environment)"
        if isinstance(default, dict):
            kind = "table of text to text (JSON in the environment)"
        raise SettingsError(
            f"{value!r} is not a valid {kind}",
            setting=name,
            source=source,
            hint=f"{name}: {_BY_NAME[name].help}",
        ) from None


def parse_setting_value(text: str) -> tuple[str, str]:
    """Split a CLI ``name=value`` pair."""
    name, sep, value = text.partition("=")
    if not sep:
        raise SettingsError(
            "expected name=value",
            setting=text,
            source="--setting",
            hint="for example --setting timezone=Europe/Paris",
        )
    return name.strip(), value


def load_settings(
    settings_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    app: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from defaults, the file, the environment, ``app`` and overrides."""
    return load_settings_sourced(settings_file, environ=environ, overrides=overrides, app=app)[0]


def load_settings_sourced(
    settings_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    app: Mapping[str, str] | None = None,
) -> tuple[Settings, dict[str, SettingSource]]:
    """`load_settings`, and the source of every setting's value (``default`` when unset).

    ``app`` holds the app database's decisions for the period at hand (goal,
    SLA terms): they override the file and the environment, the deployment's
    standing configuration, and yield to ``overrides`` (``--setting``), the
    one-off choice of this run.
    """
    values: dict[str, Any] = {}
    sources: dict[str, SettingSource] = {s.name: "default" for s in SETTINGS}
    if settings_file is not None and settings_file.exists():
        try:
            data = tomllib.loads(settings_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(
                f"not valid TOML: {exc}",
                setting="*",
                source=str(settings_file),
                hint="fix the file, or delete it to go back to the defaults",
            ) from None
        for name, value in data.items():
            _check_known(name, str(settings_file))
            values[name] = _coerce(name, value, source=str(settings_file))
            sources[name] = "settings_file"
    env = os.environ if environ is None else environ
    for s in SETTINGS:
        key = f"COPARENT_{s.name.upper()}"
        if key in env:
            values[s.name] = _coerce(s.name, env[key], source=f"environment {key}")
            sources[s.name] = "environment"
    for name, value in (app or {}).items():
        _check_known(name, "the app database")
        values[name] = _coerce(name, value, source="the app database")
        sources[name] = "app"
    for name, value in (overrides or {}).items():
        _check_known(name, "--setting")
        values[name] = _coerce(name, value, source="--setting")
        sources[name] = "setting"
    return Settings(**values), sources


def _check_known(name: str, source: str) -> None:
    if name not in _BY_NAME:
        raise SettingsError(
            "unknown setting",
            setting=name,
            source=source,
            hint="known settings: " + ", ".join(_BY_NAME),
        )


def _check_table_matches_dataclass() -> None:
    # The dataclass exists for typing; the table is the truth. Keep them in step.
    declared = {
        f.name: f.default_factory() if f.default is MISSING else f.default  # type: ignore[misc]
        for f in fields(Settings)
    }
    table = {
        s.name: tuple(s.default) if isinstance(s.default, list) else s.default for s in SETTINGS
    }
    if declared != table:  # pragma: no cover - fails at import, so every test catches it
        raise RuntimeError("Settings dataclass and SETTINGS table disagree")


_check_table_matches_dataclass()
