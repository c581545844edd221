"""Permission rows of the facilitators' pages, attendance, apologies and switching sections.

Section A of the matrix term is led by ``facilitator`` with ``participant`` as a member; section B
by ``facilitator_other_section``: A's attendance is 404 to B's facilitator (not theirs to know
about) and 403 to members without the right (participants, reviewers).
"""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import FORBIDDEN, NOT_FOUND, OK, ORGANIZER_ONLY


def _section_a(term: Any) -> Any:
    return term.sections.get(name="Introductory A")


def _meeting_of_a(term: Any) -> Any:
    return _section_a(term).meetings.get(week=1)


def _participant_in_a(term: Any) -> list[Any]:
    from cohortkit.accounts.models import User

    participant = User.objects.get(email="participant@example.org")
    return [term.slug, _section_a(term).pk, participant.pk]


FACILITATORS_AND_ORGANIZERS = {
    **ORGANIZER_ONLY,
    "facilitator": OK,
    "facilitator_other_section": OK,
}
SECTION_LEAD_AND_ORGANIZERS = {
    **ORGANIZER_ONLY,
    "facilitator": OK,
    "facilitator_other_section": NOT_FOUND,
}
PARTICIPANTS_ONLY = {
    **ORGANIZER_ONLY,
    "participant": OK,
    "organizer": FORBIDDEN,
}

ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "sections:facilitator_sections": (lambda term: [term.slug], FACILITATORS_AND_ORGANIZERS),
    "sections:attendance": (
        lambda term: [term.slug, _section_a(term).pk, 1],
        SECTION_LEAD_AND_ORGANIZERS,
    ),
    "sections:switch": (lambda term: [term.slug], PARTICIPANTS_ONLY),
    # An organizer's confirmation of removing the participant from section A.
    "sections:member_remove": (_participant_in_a, ORGANIZER_ONLY),
    # An organizer's confirmation of removing section A's facilitator.
    "sections:facilitator_remove": (lambda term: [term.slug, _section_a(term).pk], ORGANIZER_ONLY),
    # An organizer's choice of a facilitator for section A (it has one: the page says so).
    "sections:facilitator_assign": (lambda term: [term.slug, _section_a(term).pk], ORGANIZER_ONLY),
}

POST_ONLY: dict[str, Any] = {
    "sections:apology": lambda term: [term.slug, _meeting_of_a(term).pk],
}
