"""How community text (questions, answers, messages, announcements) becomes safe HTML.

One function, so the renderer can be swapped in one place: today it is the homework renderer
(Markdown, then sanitised with nh3); when the shared ``cohortkit.common.markdown`` lands, point
``render_markdown`` at it.
"""

from __future__ import annotations

from cohortkit.coursework.templatetags.coursework_tags import render_markdown as _homework_render


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML: whatever a person typed, only harmless HTML remains."""
    return _homework_render(text)
