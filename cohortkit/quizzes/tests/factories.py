"""Quizzes, questions and their keys for the quizzes app's tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from cohortkit.programs.models import Quiz, Term, Week
from cohortkit.quizzes.models import (
    AcceptedAnswer,
    AcceptedText,
    Choice,
    Question,
    QuestionKind,
)
from cohortkit.tests.factories import WeekFactory


class QuizFactory(factory.django.DjangoModelFactory[Quiz]):
    class Meta:
        model = Quiz

    week = factory.SubFactory(WeekFactory)
    title = factory.Sequence(lambda n: f"Quiz {n}")
    max_attempts = 2


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    position = factory.Sequence(lambda n: n)
    kind = QuestionKind.NUMERIC
    prompt = factory.Sequence(lambda n: f"Question {n}?")
    points = 1


def quiz_in(term: Term, *, week_number: int = 1, **fields: Any) -> Quiz:
    """A quiz in the given week of the term (the week is made if the term has none yet)."""
    week, _ = Week.objects.get_or_create(
        term=term, number=week_number, defaults={"title": f"Week {week_number}"}
    )
    return QuizFactory.create(week=week, **fields)


def numeric_question(
    quiz: Quiz, *accepted: tuple[str, str, str] | str, points: int = 1, prompt: str = ""
) -> Question:
    """A numeric question; each accepted answer is ``value`` or ``(value, tolerance, kind)``."""
    question = QuestionFactory.create(quiz=quiz, kind=QuestionKind.NUMERIC, points=points)
    if prompt:
        question.prompt = prompt
        question.save()
    for item in accepted:
        value, tolerance, kind = (item, "0", "absolute") if isinstance(item, str) else item
        AcceptedAnswer.objects.create(
            question=question,
            value=Decimal(value),
            tolerance=Decimal(tolerance),
            tolerance_kind=kind,
        )
    return question


def choice_question(
    quiz: Quiz, choices: list[tuple[str, bool]], *, points: int = 1, **fields: Any
) -> Question:
    question = QuestionFactory.create(
        quiz=quiz, kind=QuestionKind.MULTIPLE_CHOICE, points=points, **fields
    )
    for position, (text, correct) in enumerate(choices):
        Choice.objects.create(question=question, position=position, text=text, correct=correct)
    return question


def text_question(quiz: Quiz, texts: list[tuple[str, bool]], *, points: int = 1) -> Question:
    question = QuestionFactory.create(quiz=quiz, kind=QuestionKind.SHORT_TEXT, points=points)
    for text, case_sensitive in texts:
        AcceptedText.objects.create(question=question, text=text, case_sensitive=case_sensitive)
    return question
