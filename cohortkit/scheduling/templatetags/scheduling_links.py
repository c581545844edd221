"""A link to a page another app may not have yet: empty instead of an error."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_if_exists(name: str, *args: Any) -> str:
    """``reverse(name, args)``, or "" when no such URL is configured (render no link then)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
