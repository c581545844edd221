"""Permission rows of the community URLs (collected by cohortkit/tests/test_permissions.py).

The matrix term is published, so its questions page and contact form are public. A conversation
is its person's alone: the applicant's own is 404 to everyone else, organizers included (they
read it in the inbox, which is the term's organizers' only). Facilitators may open the
announcement form (it offers only their own sections; posting to another's is refused, see
test_announcements).
"""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import (
    LOGIN,
    NOT_FOUND,
    OK,
    ORGANIZER_ONLY,
    PUBLIC,
    TERM_MEMBERS,
    everyone_but_anonymous,
)
from conftest import ROLES


def _conversation_of_the_applicant(term: Any) -> Any:
    from cohortkit.accounts.models import User
    from cohortkit.community.services import conversation_start

    applicant = User.objects.get(email="applicant@example.org")
    return conversation_start(
        term=term, topic="other", body="Can I join a section in person?", person=applicant
    )


ANNOUNCERS = {**ORGANIZER_ONLY, "facilitator": OK, "facilitator_other_section": OK}

ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "community:questions": (lambda term: [term.slug], PUBLIC),
    "community:contact": (lambda term: [term.slug], PUBLIC),
    "community:my_conversations": (lambda term: [term.slug], everyone_but_anonymous(OK)),
    "community:conversation_detail": (
        lambda term: [term.slug, _conversation_of_the_applicant(term).pk],
        {**everyone_but_anonymous(NOT_FOUND), "anonymous": LOGIN, "applicant": OK},
    ),
    # A link that is not one is 404 for everyone; a real one is tested in test_conversations.
    "community:conversation_by_link": (
        lambda term: ["1-not-a-secret"],
        dict.fromkeys(ROLES, NOT_FOUND),
    ),
    "community:questions_moderate": (lambda term: [term.slug], ORGANIZER_ONLY),
    "community:inbox": (lambda term: [term.slug], ORGANIZER_ONLY),
    "community:inbox_detail": (
        lambda term: [term.slug, _conversation_of_the_applicant(term).pk],
        ORGANIZER_ONLY,
    ),
    "community:announcements": (lambda term: [term.slug], TERM_MEMBERS),
    "community:announcement_new": (lambda term: [term.slug], ANNOUNCERS),
}

POST_ONLY: dict[str, Any] = {
    "community:question_ask": lambda term: [term.slug],
    "community:question_action": lambda term: [term.slug, 1],
}
