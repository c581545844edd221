"""Coursework's rows of the permission matrix (see cohortkit/tests/permission_roles.py).

The participant is in section A (led by ``facilitator``); ``facilitator_other_section`` leads B
and gets 404 for A's homework, as an outsider would: another section's homework does not exist
for them. Members of the term without a facilitator's or organizer's role get 403.
"""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    ORGANIZER_ONLY,
    TERM_MEMBERS,
)

REDIRECT = 302


def _assignment_of_week_one(term: Any) -> int:
    from cohortkit.coursework.tests.factories import AssignmentFactory
    from cohortkit.programs.models import Track
    from cohortkit.tests.factories import WeekFactory

    assignment = AssignmentFactory(week=WeekFactory(term=term, number=1))
    assignment.tracks.set(Track.objects.filter(term=term))
    return assignment.pk


def _section_a(term: Any) -> int:
    from cohortkit.sections.models import Section

    return Section.objects.get(term=term, facilitator__email="facilitator@example.org").pk


SECTION_HOMEWORK = {
    "anonymous": LOGIN,
    "applicant": NOT_FOUND,
    "participant": FORBIDDEN,
    "facilitator_other_section": NOT_FOUND,
    "facilitator": OK,
    "reviewer": FORBIDDEN,
    "organizer_other_term": NOT_FOUND,
    "organizer": OK,
}

ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    # Members are sent on to this week's page.
    "coursework:home": (
        lambda term: [term.slug],
        {role: REDIRECT if answer == OK else answer for role, answer in TERM_MEMBERS.items()},
    ),
    "coursework:week": (lambda term: [term.slug, 1], TERM_MEMBERS),
    "coursework:assignment": (
        lambda term: [term.slug, _assignment_of_week_one(term)],
        TERM_MEMBERS,
    ),
    "coursework:section_reviews": (lambda term: [term.slug, _section_a(term)], SECTION_HOMEWORK),
    "coursework:due_dates": (lambda term: [term.slug], ORGANIZER_ONLY),
    # The term overview and its exports name every participant: organizers only.
    "coursework:overview": (lambda term: [term.slug], ORGANIZER_ONLY),
    "coursework:overview_attendance_csv": (lambda term: [term.slug], ORGANIZER_ONLY),
    "coursework:overview_at_risk_csv": (lambda term: [term.slug], ORGANIZER_ONLY),
    "coursework:overview_grades_csv": (lambda term: [term.slug], ORGANIZER_ONLY),
}

POST_ONLY: dict[str, Any] = {
    "coursework:item_done": lambda term: [term.slug, 1],
    "coursework:assignment_save": lambda term: [term.slug, 1],
    "coursework:assignment_submit": lambda term: [term.slug, 1],
    "coursework:feedback_give": lambda term: [term.slug, 1, 1],
}
