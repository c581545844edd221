"""Template helpers of the coursework pages: Markdown made safe, links that may not exist yet."""

from __future__ import annotations

from typing import Any

import markdown as markdown_library
import nh3
from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from cohortkit.coursework.forms import FeedbackForm

register = template.Library()

# What an answer may use: text structure, code, tables and links; no images (a remote image in
# an answer would tell its host who read it, and when), no forms, no scripts, no styles.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised: whatever a person typed, only harmless HTML remains."""
    html = markdown_library.markdown(text or "", extensions=["fenced_code", "tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 - nh3 has just sanitised it


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
