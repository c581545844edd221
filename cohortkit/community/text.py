"""How community text (questions, answers, messages, announcements) becomes safe HTML.

One function, so the renderer can be swapped in one place: the shared CommonMark renderer of
``cohortkit.common.markdown`` (markdown-it-py, linear time, then sanitised with nh3).
"""

from __future__ import annotations

from cohortkit.common.markdown import render_markdown as _render_markdown


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML: whatever a person typed, only harmless HTML remains."""
    return _render_markdown(text)
