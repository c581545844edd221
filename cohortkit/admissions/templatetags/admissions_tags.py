from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key, "")


@register.filter
def choice_label(column: Any, answer: Any) -> str:
    """An answer to a choice or yes/no question by the labels people read, not stored values."""
    if not answer or answer.value is None:
        return ""
    labels = dict(column.choices)
    values = answer.value if isinstance(answer.value, list) else [answer.value]
    shown = []
    for value in values:
        key = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        shown.append(labels.get(key, key))
    return ", ".join(shown)


@register.filter
def normalize(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def blind_label(application_id: int) -> str:
    """How blind review names an application: a stable code that reveals neither who applied
    nor in which order (the database id would)."""
    from cohortkit.admissions.selectors.reviewing import blind_label as label

    return label(application_id)
