"""The demo's questions: a small FAQ on the program page and one question waiting for an
organizer, made through the same services a person's clicks call. Loading again changes nothing."""

from __future__ import annotations

from typing import Any

from cohortkit.accounts.models import User
from cohortkit.community import services
from cohortkit.community.models import PublicQuestion

# (question, answer, pinned): the answers are the reference course's facts (DESIGN.md).
DEMO_QUESTIONS = [
    (
        "Can someone who is not a student participate?",
        "Yes! Students and non-students are welcome.",
        True,
    ),
    (
        "How much time does the course take each week?",
        "About 5 hours: roughly 1 hour of lectures, 1–2 hours of readings, 1–2 hours of written "
        "assignments and a 1-hour discussion section.",
        True,
    ),
    (
        "Who receives the stipend?",
        "Participants who complete the course and are **eligible to work in the US** receive a "
        "$1000 stipend.",
        True,
    ),
    (
        "I am not sure I meet the prerequisites. Should I still apply?",
        "Yes: applicants who are unsure are encouraged to apply.",
        False,
    ),
]
WAITING_QUESTION = "Will the lectures be recorded for people in other time zones?"


def demo_questions_load(*, term: Any, asker: User, organizer: User) -> int:
    """Ask, answer and pin the demo's questions on the term's program (once); returns how many
    questions it created."""
    if PublicQuestion.objects.filter(program_id=term.program_id).exists():
        return 0
    for body, answer, pinned in DEMO_QUESTIONS:
        question = services.question_ask(term=term, asker=asker, body=body)
        services.question_answer(question=question, actor=organizer, answer=answer)
        if pinned:
            services.question_pin(question=question, actor=organizer, pinned=True)
    services.question_ask(term=term, asker=asker, body=WAITING_QUESTION)
    return len(DEMO_QUESTIONS) + 1
