"""Template filters: numbers and dates as people read them (see `coparent.metrics.display`).

Loaded as a builtin, so every template can write ``{{ revenue|money }}``,
``{{ share|pct }}``, ``{{ hours|duration_hours }}``, ``{{ item.due_at|due }}``,
and for a registered metric ``{{ report|metric:"win_rate" }}`` (its value in
the report, formatted, "no data (import ...)" when its inputs are missing)
and ``{{ "win_rate"|label }}``. Templates print numbers only through these
filters: Django's ``floatformat`` and friends bypass the one formatter, and
tests/web/test_numbers_on_pages.py fails when a page does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from coparent.metrics import display as fmt
from coparent.metrics.registry import lookup
from coparent.metrics.registry import metric as registered

register = template.Library()


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@register.filter
def money(value: Any) -> str:
    return fmt.money(_number(value))


@register.filter
def money_short(value: Any) -> str:
    return fmt.money(_number(value), short=True)


@register.filter
def money_signed(value: Any) -> str:
    return fmt.money(_number(value), signed=True)


@register.filter
def pct(value: Any) -> str:
    return fmt.percent(_number(value))


@register.filter
def pvalue(value: Any) -> str:
    return fmt.p_value(_number(value))


@register.filter
def pct_signed(value: Any) -> str:
    return fmt.percent(_number(value), signed=True)


@register.filter
def num(value: Any) -> str:
    return fmt.count(_number(value))


@register.filter
def dec(value: Any) -> str:
    """A ratio that is not a share, to one decimal (``2.5``, ``3``)."""
    return fmt.decimal(_number(value))


@register.filter
def metric(report: Any, name: str) -> str:
    """Registered metric ``name``'s value in a report (scorecard JSON), formatted."""
    if not isinstance(report, dict):
        return fmt.missing()
    value = lookup(report, registered(name).path)
    return fmt.value(name, _number(value), no_data=report.get("no_data"))


@register.filter
def label(name: Any, sla_hours: Any = None) -> str:
    """Registered metric ``name``'s label (``{{ "sales_sla_share"|label:sla_hours }}``)."""
    return fmt.label(str(name), sla_hours=_number(sla_hours))


@register.filter
def one_team(text: Any, single_team: Any) -> str:
    """Our words of two teams as one team says them, in single-team mode
    (``{{ win.story|one_team:company.single_team }}``, see `coparent.metrics.display.one_team`).
    """
    return fmt.one_team(str(text)) if single_team else str(text)


@register.filter
def no_data(hint: Any) -> str:
    """``no data (import leads with accepted_at)``."""
    return fmt.missing(str(hint or ""))


@register.filter
def duration_hours(value: Any) -> str:
    return fmt.hours(_number(value))


@register.filter
def duration_days(value: Any) -> str:
    return fmt.days(_number(value))


def _when(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def _days_text(days: float) -> str:
    """A span to the minute under an hour, to the hour under a day, else in days.

    >>> _days_text(2 / 1440), _days_text(0.5), _days_text(1.5)
    ('2 minutes', '12 hours', '1.5 days')
    """
    if days < 1 / 24:
        minutes = max(1, int(days * 1440))
        return f"{fmt.count(minutes)} minute{'s' if minutes != 1 else ''}"
    if days < 1:
        hours = max(1, int(days * 24))
        return f"{fmt.count(hours)} hour{'s' if hours != 1 else ''}"
    return fmt.days(days)


@register.filter
def ago(value: Any) -> str:
    """``2 minutes ago``, ``an hour ago`` (Django's ``naturaltime`` under a day), ``3 days ago``."""
    when = _when(value)
    if when is None:
        return fmt.MISSING
    seconds = (timezone.now() - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 86400:
        return str(naturaltime(when)).replace("\xa0", " ")
    return f"{_days_text(seconds / 86400)} ago"


@register.filter
def due(value: Any) -> str:
    """``due in 2 days`` or ``overdue by 1 day``."""
    when = _when(value)
    if when is None:
        return ""
    days = (when - timezone.now()).total_seconds() / 86400
    return f"due in {_days_text(days)}" if days >= 0 else f"overdue by {_days_text(-days)}"


@register.filter
def overdue(value: Any) -> bool:
    when = _when(value)
    return when is not None and when < timezone.now()


@register.filter
def day(value: Any) -> str:
    """An ISO timestamp as ``30 Sep 2026``."""
    when = _when(value)
    return when.strftime("%-d %b %Y") if when else fmt.MISSING


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ dict|get:key }}``."""
    try:
        return mapping.get(key) if mapping is not None else None
    except AttributeError:
        return None


@register.simple_tag
def bar(share: Any, colour: str = "var(--accent)") -> SafeString:
    """A small progress bar (``share`` 0..1, capped at 100%) for tables and cards."""
    value = _number(share)
    width = 0.0 if value is None else max(0.0, min(1.0, value)) * 100
    # Safe: a number we formatted and a colour token from our own templates.
    return mark_safe(
        f'<span class="bar"><span style="width:{width:.0f}%;background:{colour}"></span></span>'
    )


@register.filter
def words(value: Any) -> str:
    """``on_track`` → ``on track``."""
    return str(value or "").replace("_", " ").replace("-", " ")


@register.filter
def possessive(value: Any) -> str:
    """``Sales`` → ``Sales'``, ``Marketing`` → ``Marketing's``."""
    text = str(value or "")
    return text + ("'" if text.endswith("s") else "'s")


@register.filter
def factor(value: Any) -> str:
    """A revenue-bridge factor as the diagnosis names it (``win_rate`` → ``win rate``)."""
    from coparent.charts.diagnosis import FACTOR_LABELS

    return FACTOR_LABELS.get(str(value), words(value))


@register.filter
def name(user: Any) -> str:
    """A user's full name, else username; empty for nobody (a deleted user)."""
    if not hasattr(user, "get_full_name"):
        return ""
    return str(user.get_full_name() or user.get_username())
