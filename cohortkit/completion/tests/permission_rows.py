"""Completion's rows of the permission matrix: the completion page, the rule and the feedback
summary are the term's organizers' alone; the feedback form is for participants; the section
ratings for facilitators (their own sections) and organizers."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import FORBIDDEN, LOGIN, NOT_FOUND, OK, ORGANIZER_ONLY

PARTICIPANTS_ONLY = {
    "anonymous": LOGIN,
    "applicant": NOT_FOUND,
    "participant": OK,
    "facilitator_other_section": FORBIDDEN,
    "facilitator": FORBIDDEN,
    "reviewer": FORBIDDEN,
    "organizer_other_term": NOT_FOUND,
    "organizer": FORBIDDEN,
}
FACILITATORS_AND_ORGANIZERS = {**ORGANIZER_ONLY, "facilitator": OK, "facilitator_other_section": OK}


def _with_feedback_form(term: Any) -> list[str]:
    from cohortkit.completion.services import feedback_form_default

    feedback_form_default(term=term)
    return [term.slug]


ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "completion:my_progress": (lambda term: [term.slug], PARTICIPANTS_ONLY),
    "completion:page": (lambda term: [term.slug], ORGANIZER_ONLY),
    "completion:rule": (lambda term: [term.slug], ORGANIZER_ONLY),
    "completion:feedback": (lambda term: [term.slug], PARTICIPANTS_ONLY),
    "completion:feedback_summary": (lambda term: [term.slug], ORGANIZER_ONLY),
    "completion:feedback_csv": (_with_feedback_form, ORGANIZER_ONLY),
    "completion:section_feedback": (lambda term: [term.slug], FACILITATORS_AND_ORGANIZERS),
}

POST_ONLY: dict[str, Any] = {
    "completion:confirm": lambda term: [term.slug],
    "completion:override": lambda term: [term.slug, 1],
    "completion:resolve": lambda term: [term.slug, 1],
    "completion:pass_mark": lambda term: [term.slug, 1],
    "completion:feedback_create": lambda term: [term.slug],
}
