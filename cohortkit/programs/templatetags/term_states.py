"""``{% term_state_badge term %}``: the term's state, shown on every page that has a term."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from cohortkit.programs.models import Term
from cohortkit.programs.states import TermState, term_is_over, term_state

register = template.Library()

NOTES = {
    TermState.DRAFT: "Only the term's staff can see it until an organizer publishes it.",
    TermState.FINISHED: "Read-only except money and certificates.",
    TermState.ARCHIVED: "Read-only and hidden from every list.",
}


@register.simple_tag
def term_state_badge(term: Any) -> str:
    if not isinstance(term, Term) or term.pk is None:
        return ""
    state = term_state(term)
    note = NOTES.get(state, "")
    if state is TermState.RUNNING and term_is_over(term):
        note = "Its last day is over."
    return format_html(
        '<p class="term-state term-state-{}" data-testid="term-state">'
        '<span class="badge">{}</span>{}</p>',
        str(state),
        state.label,
        format_html(' <span class="muted">{}</span>', note) if note else "",
    )


@register.filter
def term_state_label(term: Any) -> str:
    return term_state(term).label if isinstance(term, Term) else ""
