from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_average(averages: dict[int, Any], question_id: int) -> str:
    """The average of one question in a section's ratings, as text."""
    average = averages.get(question_id)
    return average.text if average is not None else "—"
