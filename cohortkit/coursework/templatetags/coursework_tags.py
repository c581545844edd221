"""Template helpers of the coursework pages: Markdown made safe, links that may not exist yet."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from cohortkit.common.templatetags.cohortkit_markdown import markdown_filter, stored_html
from cohortkit.coursework.forms import FeedbackForm

register = template.Library()
# The shared Markdown filters, for the coursework templates that load only this library.
register.filter("markdown", markdown_filter)
register.filter("stored_html", stored_html)


@register.simple_tag
def url_if_exists(name: str, *args: Any) -> str:
    """The URL, or "" when no such URL name is installed (a page of an app still being built)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def is_done(item: Any, done: set[tuple[str, int]]) -> bool:
    return (item._meta.model_name, item.pk) in done


@register.filter
def get_count(counts: dict[int, int], key: int) -> int:
    return counts.get(key, 0)


@register.filter
def feedback_form(bound: dict[int, Any], version: Any) -> Any:
    """The review form of a version: the one just posted (with its errors) or an empty one."""
    return bound.get(version.pk) or FeedbackForm(prefix=f"v{version.pk}")
