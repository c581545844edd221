"""Template filters that show instants in the viewer's zone with the offset visible."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cohortkit.common.timezones import format_instant, humanize_duration, localize

register = template.Library()


@register.filter
def instant(value: dt.datetime | None, zone_name: str | None = None) -> SafeString | str:
    """``<time datetime=…>Wed, 21 Sep 2022, 17:00 UTC−07:00</time>`` in the active zone."""
    if value is None:
        return ""
    name = zone_name or timezone.get_current_timezone_name()
    return format_html(
        '<time datetime="{}">{}</time>',
        value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        format_instant(value, name),
    )


@register.filter
def local_date(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{localize(value, timezone.get_current_timezone_name()):%a, %d %b %Y}"


@register.filter
def countdown(value: dt.datetime | None) -> SafeString | str:
    """A countdown to the instant that the page script keeps ticking; plain text without it."""
    if value is None:
        return ""
    remaining = value - timezone.now()
    text = f"in {humanize_duration(remaining)}" if remaining.total_seconds() > 0 else "passed"
    return format_html(
        '<span class="countdown" data-until="{}">{}</span>',
        value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        text,
    )


@register.filter
def money(cents: int | None, currency: str = "USD") -> str:
    """Integer cents as ``$1,000`` or ``$12.50``; other currencies by their code."""
    if cents is None:
        return ""
    units, rest = divmod(abs(cents), 100)
    amount = f"{units:,}" if rest == 0 else f"{units:,}.{rest:02d}"
    sign = "-" if cents < 0 else ""
    symbols = {"USD": "$", "EUR": "€", "GBP": "£"}
    if currency in symbols:
        return f"{sign}{symbols[currency]}{amount}"
    return f"{sign}{amount} {currency}"
