"""The one Markdown helper: CommonMark out, only harmless HTML left, whatever was typed."""

import re

import pytest

from cohortkit.bench.markdown import hostile_inputs
from cohortkit.common.markdown import (
    MAX_MARKDOWN_CHARACTERS,
    markdown_length_problem,
    render_markdown,
)

TAG = re.compile(r"<\s*([a-zA-Z0-9]+)")
ALLOWED = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


ATTRIBUTE = re.compile(r"<[a-z0-9]+((?:\s+[a-z-]+=\"[^\"]*\")*)\s*/?>")
SAFE_HREF = re.compile(r"(https?://|mailto:|/)")


def assert_harmless(html: str) -> None:
    """Only allowlisted tags, no event handlers or styles, and links only to the web or mail.

    Text that merely reads like code (``[x](javascript:…)`` left as text) is escaped, harmless."""
    assert not {tag.lower() for tag in TAG.findall(html)} - ALLOWED
    for attributes in ATTRIBUTE.findall(html):
        names = re.findall(r"([a-z-]+)=", attributes)
        assert set(names) <= {"href", "title", "rel", "align", "start"}, attributes
        for href in re.findall(r'href="([^"]*)"', attributes):
            assert SAFE_HREF.match(href), href
    assert "<script" not in html.lower() and "<img" not in html.lower()


def test_markdown_becomes_html():
    html = render_markdown(
        "## Plan\n\n**Bold**, *italic*, ~~struck~~, `code`\n\n1. one\n2. two\n\n"
        "> quoted\n\n```\nx < y\n```\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n"
    )

    assert "<h2>Plan</h2>" in html
    assert "<strong>Bold</strong>, <em>italic</em>, <s>struck</s>, <code>code</code>" in html
    assert "<ol>\n<li>one</li>\n<li>two</li>\n</ol>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<pre><code>x &lt; y\n</code></pre>" in html
    assert '<th align="left">a</th>' in html and '<td align="right">2</td>' in html
    assert "style=" not in html  # a style attribute would break the strict CSP


@pytest.mark.parametrize(
    "hostile",
    [
        '<script>alert("stolen")</script>',
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<p onclick="alert(1)" style="color:red">x</p>',
        "<iframe src=https://evil.example></iframe>",
        "<style>body{display:none}</style>",
        '<form action="https://evil.example"><input name=p></form>',
        "![tracker](https://evil.example/pixel.png)",
        '<svg onload="alert(1)"></svg>',
        "[x](<javascript:alert(1)>)",
        '<a href="&#106;avascript:alert(1)">x</a>',
    ],
)
def test_nothing_that_runs_or_calls_out_survives(hostile):
    html = render_markdown(f"Before {hostile} after")

    assert "Before" in html and "after" in html
    assert_harmless(html)


def test_links_are_kept_safe():
    html = render_markdown(
        '[paper](https://arxiv.org/abs/1706.06083 "Madry") [mail](mailto:a@example.org) '
        "[here](/terms/x/week/) <https://example.org>"
    )

    assert (
        '<a href="https://arxiv.org/abs/1706.06083" title="Madry" '
        'rel="noopener noreferrer nofollow">paper</a>'
    ) in html
    assert '<a href="mailto:a@example.org" rel="noopener noreferrer nofollow">mail</a>' in html
    assert '<a href="/terms/x/week/" rel="noopener noreferrer nofollow">here</a>' in html
    assert html.count('rel="noopener noreferrer nofollow"') == 4


def test_allowed_inline_html_stays():
    html = render_markdown('Press <kbd>Ctrl</kbd>; H<sub>2</sub>O; <abbr title="x">ML</abbr>')

    assert "<kbd>Ctrl</kbd>" in html and "<sub>2</sub>" in html
    assert '<abbr title="x">ML</abbr>' in html


@pytest.mark.parametrize("name", list(hostile_inputs()))
def test_hostile_inputs_at_the_cap_render_to_harmless_html(name):
    text = hostile_inputs()[name]

    html = render_markdown(text)

    assert len(text) == MAX_MARKDOWN_CHARACTERS
    assert_harmless(html)


def test_the_cap_is_a_clear_message():
    assert markdown_length_problem("x" * MAX_MARKDOWN_CHARACTERS) is None
    assert markdown_length_problem("x" * 20_001, what="An answer") == (
        "An answer can be at most 20,000 characters; this one has 20,001. "
        "Shorten it, or put the long part in a document and link to it."
    )
