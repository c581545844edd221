"""Markdown a person writes, turned into HTML that is safe to show to anyone: one helper for all.

CommonMark (markdown-it-py, whose parsing is linear in the length of the text, so no input can
hold a worker for minutes) with tables and ~~strikethrough~~, then sanitised with nh3 against an
allowlist. Raw HTML in the text goes through the parser and is then cut down to the allowlist
(``<kbd>``, ``<sub>`` stay; ``<script>`` goes with its content). Render once when the text is
saved and store the HTML beside it; ``sanitise_html`` re-checks stored HTML cheaply when shown.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

# What a person may write at once: a long essay is ~5,000 words; an answer over this is a
# document, better linked than pasted. Every field that takes Markdown is capped at this.
MAX_MARKDOWN_CHARACTERS = 20_000

# Text structure, code, tables and links; no images (a remote image would tell its host who read
# the text, and when), no forms, no scripts, no styles.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _align_cells_without_style(state: StateCore) -> None:
    """Table alignment as ``align="…"``: a ``style`` attribute would break the strict CSP."""
    for token in state.tokens:
        if token.type in {"th_open", "td_open"} and (style := token.attrGet("style")):
            del token.attrs["style"]
            token.attrSet("align", str(style).removeprefix("text-align:"))


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    parser.core.ruler.push("align_cells_without_style", _align_cells_without_style)
    return parser


def sanitise_html(html: str) -> str:
    """Only the allowlisted tags and attributes remain; links are http(s)/mailto/relative and get
    ``rel="noopener noreferrer nofollow"``."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML: whatever a person typed, only harmless HTML remains."""
    return sanitise_html(_parser().render(text or ""))


def markdown_length_problem(text: str, *, what: str = "An answer") -> str | None:
    """The message to show when the text is over the cap, or None when it fits."""
    if len(text) <= MAX_MARKDOWN_CHARACTERS:
        return None
    return (
        f"{what} can be at most {MAX_MARKDOWN_CHARACTERS:,} characters; this one has "
        f"{len(text):,}. Shorten it, or put the long part in a document and link to it."
    )
