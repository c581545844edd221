"""Reads of quizzes that cross relations, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from cohortkit.common.numbers import format_number
from cohortkit.programs.models import Quiz, Term
from cohortkit.quizzes.grading import NumberKey, QuestionKey, TextKey
from cohortkit.quizzes.models import (
    AcceptedAnswer,
    Attempt,
    AttemptAnswer,
    Question,
    Regrade,
    ToleranceKind,
)


def quiz_get(*, term: Term, quiz_id: int) -> Quiz:
    """The quiz of that term, or 404 (a quiz of another term does not exist here)."""
    return get_object_or_404(Quiz.objects.select_related("week__term"), pk=quiz_id, week__term=term)


def questions_with_keys(*, quiz: Quiz) -> QuerySet[Question]:
    """The quiz's questions with their choices and accepted answers: four queries in all."""
    return Question.objects.filter(quiz=quiz).prefetch_related(
        "choices", "accepted_answers", "accepted_texts"
    )


def question_key(question: Question) -> QuestionKey:
    """The grading key of a question (uses the prefetched related rows)."""
    choices = list(question.choices.all())
    return QuestionKey(
        kind=question.kind,
        points=question.points,
        numbers=tuple(
            NumberKey(value=a.value, tolerance=a.tolerance, tolerance_kind=a.tolerance_kind)
            for a in question.accepted_answers.all()
        ),
        choice_ids=tuple(choice.pk for choice in choices),
        correct_choice_ids=tuple(choice.pk for choice in choices if choice.correct),
        texts=tuple(
            TextKey(text=t.text, case_sensitive=t.case_sensitive)
            for t in question.accepted_texts.all()
        ),
    )


def accepted_answer_text(answer: AcceptedAnswer, *, number_format: str) -> str:
    """``-1500 ± 5`` or ``0,25 ± 1 %`` in the term's decimal format."""
    value = format_number(answer.value, number_format=number_format)
    if not answer.tolerance:
        return value
    if answer.tolerance_kind == ToleranceKind.RELATIVE:
        percent = format_number(answer.tolerance * 100, number_format=number_format)
        return f"{value} ± {percent} %"
    return f"{value} ± {format_number(answer.tolerance, number_format=number_format)}"


def accepted_answers_text(question: Question, *, number_format: str) -> list[str]:
    """What the feedback page shows as the right answer(s) of a question."""
    if question.kind == "numeric":
        return [
            accepted_answer_text(answer, number_format=number_format)
            for answer in question.accepted_answers.all()
        ]
    if question.kind == "multiple_choice":
        return [choice.text for choice in question.choices.all() if choice.correct]
    return [text.text for text in question.accepted_texts.all()]


def counted_best(attempts: Iterable[Attempt]) -> Attempt | None:
    """The attempt that is the person's score: the best of those submitted by the due date.

    Best means the highest share of the maximum (a regrade can change the maximum), the earlier
    attempt on a tie. A late attempt never counts, however good: after the due date the accepted
    answers are shown, and a late attempt could copy them.
    """
    best: Attempt | None = None
    for attempt in attempts:
        if attempt.is_late:
            continue
        if best is None or attempt.score * max(best.max_score, 1) > best.score * max(
            attempt.max_score, 1
        ):
            best = attempt
    return best


def attempts_of(*, quiz: Quiz, user: Any) -> list[Attempt]:
    return list(Attempt.objects.filter(quiz=quiz, user=user).order_by("number"))


def attempt_with_answers(*, quiz: Quiz, user: Any, number: int) -> Attempt:
    """One of the person's own attempts, its answers and their questions' keys; 404 otherwise."""
    answers = AttemptAnswer.objects.select_related("question", "choice").prefetch_related(
        "question__choices", "question__accepted_answers", "question__accepted_texts"
    )
    return get_object_or_404(
        Attempt.objects.prefetch_related(Prefetch("answers", queryset=answers)),
        quiz=quiz,
        user=user,
        number=number,
    )


def quiz_attempt_count(*, quiz: Quiz) -> int:
    return Attempt.objects.filter(quiz=quiz).count()


def regrade_latest(*, quiz: Quiz) -> Regrade | None:
    return Regrade.objects.filter(quiz=quiz).first()
