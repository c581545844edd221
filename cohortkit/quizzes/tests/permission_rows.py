"""Quiz pages in the permission matrix: participants take quizzes, organizers edit them."""

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


def _quiz(term: Any) -> Any:
    from cohortkit.quizzes.tests.factories import numeric_question, quiz_in

    quiz = quiz_in(term)
    numeric_question(quiz, "-0.25")
    return quiz


def _quiz_attempted_by_the_participant(term: Any) -> Any:
    from cohortkit.accounts.models import User
    from cohortkit.quizzes.services import attempt_submit

    quiz = _quiz(term)
    participant = User.objects.get(email="participant@example.org")
    attempt_submit(quiz=quiz, user=participant, answers={}, submit_token="matrix")
    return quiz


ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "quizzes:take": (lambda term: [term.slug, _quiz(term).pk], PARTICIPANTS_ONLY),
    # The participant's own attempt 1; nobody else has an attempt 1 to read.
    "quizzes:attempt": (
        lambda term: [term.slug, _quiz_attempted_by_the_participant(term).pk, 1],
        PARTICIPANTS_ONLY,
    ),
    "quizzes:edit": (lambda term: [term.slug, _quiz(term).pk], ORGANIZER_ONLY),
}

POST_ONLY: dict[str, Any] = {
    "quizzes:submit": lambda term: [term.slug, 1],
    "quizzes:question_add": lambda term: [term.slug, 1],
    "quizzes:question_save": lambda term: [term.slug, 1, 1],
    "quizzes:regrade": lambda term: [term.slug, 1],
}
