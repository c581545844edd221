"""``{{ text|markdown }}`` renders Markdown now; ``{{ html|stored_html }}`` shows HTML that was
rendered when it was saved. Both give sanitised HTML (cohortkit.common.markdown)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from cohortkit.common.markdown import render_markdown, sanitise_html

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """For short texts written by organizers (a prompt); answers store their HTML instead."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - nh3 has just sanitised it


@register.filter
def stored_html(html: str | None) -> SafeString:
    """HTML rendered when saved, sanitised again on the way out (cheap, and a row edited in the
    database by hand still cannot inject anything)."""
    return mark_safe(sanitise_html(html or ""))  # noqa: S308 - nh3 has just sanitised it
