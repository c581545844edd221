"""Building a finished term's evidence through the real services, for the completion tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from cohortkit.coursework.services import feedback_give, submission_submit
from cohortkit.programs.models import Assignment, Quiz, Term, Track, Week
from cohortkit.quizzes.grading import NumberKey
from cohortkit.quizzes.services import attempt_submit, question_add, question_update
from cohortkit.sections.attendance import Mark, attendance_record
from cohortkit.sections.models import Meeting, Section

AFTER_THE_TERM = dt.datetime(2022, 12, 1, 12, 0, tzinfo=dt.UTC)


def week_of(term: Term, number: int) -> Week:
    week, _ = Week.objects.get_or_create(
        term=term, number=number, defaults={"title": f"Week {number}"}
    )
    return week


def attend(section: Section, user: Any, statuses: list[str], *, first_week: int = 1) -> None:
    """Record ``statuses`` for ``user`` at the section's meetings from ``first_week`` on."""
    for offset, status in enumerate(statuses):
        meeting = Meeting.objects.get(section=section, week=first_week + offset)
        attendance_record(
            meeting=meeting,
            actor=section.facilitator,
            marks={user.pk: Mark(status=status)},
            now=meeting.ends_at,
        )


def assignments(term: Term, count: int) -> list[Assignment]:
    made = []
    for number in range(1, count + 1):
        assignment = Assignment.objects.create(
            week=week_of(term, number), title=f"Assignment {number}", prompt="Why?", minutes=60
        )
        assignment.tracks.set(Track.objects.filter(term=term))
        made.append(assignment)
    return made


def hand_in(assignment: Assignment, user: Any, facilitator: Any, verdict: str = "complete") -> None:
    submitted = submission_submit(
        assignment=assignment,
        user=user,
        body_markdown=f"My answer to {assignment.title}.",
        now=dt.datetime.combine(
            assignment.week.term.week_starts_on(assignment.week.number),
            dt.time(12, 0),
            tzinfo=dt.UTC,
        ),
    )
    feedback_give(
        version=submitted.version,
        facilitator=facilitator,
        verdict=verdict,
        comment="" if verdict == "complete" else "Say more.",
        now=AFTER_THE_TERM - dt.timedelta(days=5),
    )


def two_point_quiz(term: Term, organizer: Any, *, week: int = 1) -> Quiz:
    """A quiz of two one-point numeric questions (answers 1 and 2)."""
    quiz = Quiz.objects.create(week=week_of(term, week), title=f"Quiz {week}", max_attempts=1)
    quiz.tracks.set(Track.objects.filter(term=term))
    for value in ("1", "2"):
        question = question_add(quiz=quiz, actor=organizer, kind="numeric", prompt=f"Say {value}")
        question_update(
            question=question,
            actor=organizer,
            prompt=question.prompt,
            points=1,
            numbers=[NumberKey(value=Decimal(value), tolerance=Decimal("0"))],
        )
    return quiz


def take(quiz: Quiz, user: Any, answers: list[str]) -> None:
    questions = list(quiz.questions.order_by("position", "id"))
    attempt_submit(
        quiz=quiz,
        user=user,
        answers={question.pk: answer for question, answer in zip(questions, answers, strict=True)},
        submit_token=f"test-{quiz.pk}-{user.pk}",
        now=AFTER_THE_TERM - dt.timedelta(days=10),
    )
