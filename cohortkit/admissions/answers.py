"""Reading one answer: raw text in, a parsed value or a message that says what would be accepted.

Pure functions of the question and the text, so the page, the API and the CSV import read answers
the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from cohortkit.admissions.models import FormQuestion, QuestionType
from cohortkit.common.numbers import NumberError, format_number, parse_number
from cohortkit.common.timezones import time_zone_to_store

YES = {"yes", "y", "true", "1", "on"}
NO = {"no", "n", "false", "0", "off"}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SLOT_MINUTES = 30


@dataclass(frozen=True)
class ParsedAnswer:
    raw: str
    number: Decimal | None = None
    value: Any = None
    error: str = ""

    @property
    def is_empty(self) -> bool:
        return self.raw.strip() == ""


def _words(text: str) -> int:
    return len(text.split())


def parse_answer(question: FormQuestion, raw: str, *, number_format: str) -> ParsedAnswer:
    """Read ``raw`` as an answer to ``question``; an empty answer is valid here (``required`` is
    checked on submit, so a draft may be incomplete)."""
    text = raw.strip()
    if not text:
        return ParsedAnswer(raw=raw)
    try:
        number, value = _parse_by_type(question, text, number_format=number_format)
    except ValueError as error:
        return ParsedAnswer(raw=raw, error=str(error))
    return ParsedAnswer(raw=raw, number=number, value=value)


def _parse_by_type(
    question: FormQuestion, text: str, *, number_format: str
) -> tuple[Decimal | None, Any]:
    kind = question.type
    if kind == QuestionType.SHORT_TEXT:
        if len(text) > 300:
            raise ValueError("Keep this under 300 characters.")
        return None, text
    if kind == QuestionType.LONG_TEXT:
        if question.word_limit and _words(text) > question.word_limit:
            raise ValueError(f"Use at most {question.word_limit} words; this has {_words(text)}.")
        return None, text
    if kind == QuestionType.NUMBER:
        return _parse_number_answer(question, text, number_format=number_format), None
    if kind == QuestionType.CHOICE:
        if text not in question.choice_values:
            raise ValueError("Pick one of the options.")
        return None, text
    if kind == QuestionType.MULTI_CHOICE:
        picked = [item for item in (part.strip() for part in text.split("\n")) if item]
        unknown = [item for item in picked if item not in question.choice_values]
        if unknown:
            raise ValueError("Pick from the options shown.")
        return None, sorted(set(picked), key=question.choice_values.index)
    if kind == QuestionType.YES_NO:
        lowered = text.lower()
        if lowered in YES:
            return None, True
        if lowered in NO:
            return None, False
        raise ValueError("Answer yes or no.")
    if kind == QuestionType.URL:
        candidate = text if "://" in text else f"https://{text}"
        try:
            URLValidator(schemes=["http", "https"])(candidate)
        except ValidationError as error:
            raise ValueError("Enter a web address, for example https://example.org/me.") from error
        return None, candidate
    if kind == QuestionType.EMAIL:
        try:
            EmailValidator()(text)
        except ValidationError as error:
            raise ValueError("Enter an email address, for example ada@example.org.") from error
        return None, text.lower()
    if kind == QuestionType.DATE:
        try:
            return None, dt.date.fromisoformat(text).isoformat()
        except ValueError as error:
            raise ValueError("Enter a date as YYYY-MM-DD, for example 2022-09-21.") from error
    if kind == QuestionType.TIME_ZONE:
        stored = time_zone_to_store(text)
        if stored is None:
            raise ValueError("Pick a time zone from the list, for example Europe/Berlin.")
        return None, stored
    if kind == QuestionType.AVAILABILITY:
        return None, parse_availability(text)
    raise ValueError(f"Unknown question type {kind}.")


def _parse_number_answer(question: FormQuestion, text: str, *, number_format: str) -> Decimal:
    try:
        number = parse_number(text, number_format=number_format)
    except NumberError as error:
        raise ValueError(str(error)) from error

    def shown(value: Decimal) -> str:
        return format_number(value, number_format=number_format)

    if question.min_value is not None and number < question.min_value:
        raise ValueError(f"Enter {shown(question.min_value)} or more.")
    if question.max_value is not None and number > question.max_value:
        raise ValueError(f"Enter {shown(question.max_value)} or less.")
    if question.step:
        base = question.min_value or Decimal(0)
        if (number - base) % question.step != 0:
            raise ValueError(f"Use steps of {shown(question.step)} (from {shown(base)}).")
    return number


_INTERVAL = re.compile(
    r"^(?P<day>[A-Za-z]{3})[a-z]*\s+(?P<start>\d{1,2}:\d{2})\s*[-–]\s*(?P<end>\d{1,2}:\d{2})$"
)


def _minutes(clock: str, *, allow_24: bool) -> int:
    hours, minutes = (int(part) for part in clock.split(":"))
    if minutes not in (0, 30) or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise ValueError(f"“{clock}”: use whole or half hours, like 18:00 or 18:30.")
    return hours * 60 + minutes


def parse_availability(text: str) -> list[list[int]]:
    """``Mon 18:00-21:00; Sat 10:00-12:30`` (in the person's own zone) → merged intervals.

    Returns ``[[weekday, start_minute, end_minute], …]`` with Monday = 0, half-open, sorted, with
    touching or overlapping intervals of a day merged. This text is also the keyboard-friendly way
    to fill the availability grid, which writes the same text.
    """
    intervals: list[tuple[int, int, int]] = []
    for part in (piece.strip() for piece in re.split(r"[;\n]", text)):
        if not part:
            continue
        match = _INTERVAL.match(part)
        if match is None or match["day"].lower() not in WEEKDAYS:
            raise ValueError(f"“{part}”: write a day and a time range, like Mon 18:00-21:00.")
        start = _minutes(match["start"], allow_24=False)
        end = _minutes(match["end"], allow_24=True)
        if end <= start:
            raise ValueError(f"“{part}”: the end must come after the start (same day).")
        intervals.append((WEEKDAYS.index(match["day"].lower()), start, end))
    merged: list[list[int]] = []
    for day, start, end in sorted(intervals):
        if merged and merged[-1][0] == day and start <= merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], end)
        else:
            merged.append([day, start, end])
    return merged


def display_answer(question: FormQuestion, answer: Any) -> str:
    """An answer as a person reads it: choice labels rather than stored values, Yes/No, and the
    text as typed for everything else (empty when there is no answer)."""
    if answer is None or not answer.raw.strip():
        return ""
    if answer.error or answer.value is None:
        return str(answer.raw).strip()
    if question.type == QuestionType.YES_NO:
        return "Yes" if answer.value else "No"
    if question.type in {QuestionType.CHOICE, QuestionType.MULTI_CHOICE}:
        labels = {str(choice["value"]): str(choice["label"]) for choice in question.choices}
        values = answer.value if isinstance(answer.value, list) else [answer.value]
        return ", ".join(labels.get(str(value), str(value)) for value in values)
    return str(answer.raw).strip()
