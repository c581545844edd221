"""``{{ amount|amount:currency }}`` (``1000.00 USD``) and one's stipend status on the term page."""

from __future__ import annotations

from typing import Any

from django import template

from cohortkit.common.currencies import CURRENCIES, format_minor

register = template.Library()


@register.filter
def amount(minor: int | None, currency: str = "USD") -> str:
    if minor is None:
        return ""
    if currency not in CURRENCIES:
        return f"{minor} {currency} minor units"
    return f"{format_minor(int(minor), currency)} {currency}"


@register.filter
def hours(minutes: int | None) -> str:
    """Minutes as hours: ``90`` → ``1.5 h``."""
    if not minutes:
        return "0 h"
    return f"{minutes / 60:g} h"


@register.simple_tag
def stipend_status_for(term: Any, user: Any) -> Any:
    """The participant's stipend status (``payments.selectors.stipend_status``)."""
    from cohortkit.payments.selectors import stipend_status

    return stipend_status(term, user)
