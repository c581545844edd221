"""Grading one answer against one question's key: a pure function, no database.

Numbers are read by the shared number rule (``cohortkit.common.numbers``) in the term's format and
compared as ``Decimal``: an answer ``a`` matches an accepted value ``v`` when ``|a − v| ≤ t``
(absolute tolerance) or ``|a − v| ≤ t·|v|`` (relative). A number the rule cannot read is wrong,
and the rule's message (which shows an accepted example) becomes the feedback. Multiple choice
is right when the chosen choice is one marked correct. Short text is right when, trimmed and in
Unicode NFC, it equals an accepted text exactly, or ignoring case where that text allows it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from cohortkit.common.numbers import NumberError, parse_number

NUMERIC, MULTIPLE_CHOICE, SHORT_TEXT = "numeric", "multiple_choice", "short_text"
ABSOLUTE, RELATIVE = "absolute", "relative"

NO_ANSWER = "No answer."
NOT_A_CHOICE = "That is not one of the choices."


@dataclass(frozen=True)
class NumberKey:
    value: Decimal
    tolerance: Decimal = Decimal(0)
    tolerance_kind: str = ABSOLUTE


@dataclass(frozen=True)
class TextKey:
    text: str
    case_sensitive: bool = False


@dataclass(frozen=True)
class QuestionKey:
    """Everything grading needs to know about a question."""

    kind: str
    points: int = 1
    numbers: Sequence[NumberKey] = ()
    choice_ids: Sequence[int] = ()  # every choice of the question
    correct_choice_ids: Sequence[int] = ()
    texts: Sequence[TextKey] = ()


@dataclass(frozen=True)
class Graded:
    correct: bool
    points: int
    parsed_number: Decimal | None = None
    choice_id: int | None = None
    feedback: str = field(default="")


def number_matches(answer: Decimal, key: NumberKey) -> bool:
    """Whether ``answer`` is within the key's tolerance of its value, computed exactly."""
    # Values have up to 25 digits; a product of two needs 50, and the default context rounds at
    # 28, which could let an answer just outside the tolerance in.
    with localcontext() as context:
        context.prec = 80
        distance = abs(answer - key.value)
        if key.tolerance_kind == RELATIVE:
            return distance <= key.tolerance * abs(key.value)
        return distance <= key.tolerance


def _normal_text(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def text_matches(answer: str, key: TextKey) -> bool:
    given, accepted = _normal_text(answer), _normal_text(key.text)
    if key.case_sensitive:
        return given == accepted
    return given.casefold() == accepted.casefold()


def grade(question: QuestionKey, raw: str, *, number_format: str = "point") -> Graded:
    """Grade the raw text of one answer (for multiple choice, the chosen choice's id)."""
    if not raw.strip():
        return Graded(correct=False, points=0, feedback=NO_ANSWER)
    if question.kind == NUMERIC:
        return _grade_number(question, raw, number_format=number_format)
    if question.kind == MULTIPLE_CHOICE:
        return _grade_choice(question, raw)
    if question.kind == SHORT_TEXT:
        right = any(text_matches(raw, key) for key in question.texts)
        return Graded(correct=right, points=question.points if right else 0)
    raise ValueError(f"unknown question kind {question.kind!r}")


def _grade_number(question: QuestionKey, raw: str, *, number_format: str) -> Graded:
    try:
        answer = parse_number(raw, number_format=number_format)
    except NumberError as error:
        return Graded(correct=False, points=0, feedback=str(error))
    right = any(number_matches(answer, key) for key in question.numbers)
    return Graded(correct=right, points=question.points if right else 0, parsed_number=answer)


def _grade_choice(question: QuestionKey, raw: str) -> Graded:
    try:
        choice_id = int(raw.strip())
    except ValueError:
        return Graded(correct=False, points=0, feedback=NOT_A_CHOICE)
    if choice_id not in question.choice_ids:
        return Graded(correct=False, points=0, feedback=NOT_A_CHOICE)
    right = choice_id in question.correct_choice_ids
    return Graded(correct=right, points=question.points if right else 0, choice_id=choice_id)
