"""Text from a person: the one check every form, API schema and service applies to what was typed.

Text a person sends may hold what no database or email can store: a NUL character (PostgreSQL
refuses it in any text), a lone surrogate (``"\\ud800"``, which JSON can carry but UTF-8 cannot
encode, so SQLite and PostgreSQL both refuse it), more characters than anyone types, or, in a
one-line value such as a name that ends up in an email's subject, a line break. Each is refused
with a message the person can act on, before anything is written.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from pydantic import AfterValidator

from cohortkit.common.errors import InvalidInputError

# Longer than any answer, comment or guide a person writes; a body over it is refused whole.
MAX_TEXT_LENGTH = 100_000
# Names, titles, labels: what fits on one line of a page or an email subject.
MAX_LINE_LENGTH = 300
LINE_BREAKS = ("\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")

NUL_MESSAGE = "This text holds a NUL character (\\0), which cannot be stored: remove it."
SURROGATE_MESSAGE = (
    "This text holds a broken character (a lone UTF-16 surrogate) that cannot be stored: retype it."
)
LINE_BREAK_MESSAGE = "Keep this on one line: remove the line breaks."


def _too_long(max_length: int, length: int) -> str:
    return f"Keep this to {max_length:,} characters at most (it has {length:,})."


def text_problem(
    value: str, *, max_length: int | None = MAX_TEXT_LENGTH, single_line: bool = False
) -> str | None:
    """What is wrong with the text for storing it, in words for the person, or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    if max_length is not None and len(value) > max_length:
        return _too_long(max_length, len(value))
    if single_line and any(mark in value for mark in LINE_BREAKS):
        return LINE_BREAK_MESSAGE
    return None


def person_text_clean(
    value: str,
    *,
    field: str,
    max_length: int | None = MAX_TEXT_LENGTH,
    single_line: bool = False,
) -> str:
    """The text unchanged, or ``InvalidInputError`` naming ``field`` (for services)."""
    problem = text_problem(value, max_length=max_length, single_line=single_line)
    if problem is not None:
        raise InvalidInputError(problem, field_errors={field: problem})
    return value


def first_text_problem(data: Any, *, where: str = "") -> tuple[str, str] | None:
    """The first string (a value or a key) anywhere in parsed JSON that cannot be stored, with
    where it is (``answers.bio``) and what is wrong; None when every string is fine."""
    if isinstance(data, str):
        problem = text_problem(data)
        return (where or "body", problem) if problem else None
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and (problem := text_problem(key, max_length=None)):
                return (where or "body", f"A key: {problem}")
            if found := first_text_problem(value, where=here):
                return found
    if isinstance(data, list):
        for index, value in enumerate(data):
            if found := first_text_problem(value, where=f"{where}[{index}]"):
                return found
    return None


@deconstructible
class PersonTextValidator:
    """The check as a Django validator, for form and model fields."""

    def __init__(
        self, *, max_length: int | None = MAX_TEXT_LENGTH, single_line: bool = False
    ) -> None:
        self.max_length = max_length
        self.single_line = single_line

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        problem = text_problem(value, max_length=self.max_length, single_line=self.single_line)
        if problem is not None:
            raise ValidationError(problem, code="person_text")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PersonTextValidator)
            and self.max_length == other.max_length
            and self.single_line == other.single_line
        )

    def __hash__(self) -> int:
        return hash((self.max_length, self.single_line))


def _check_line(value: str) -> str:
    problem = text_problem(value, max_length=MAX_LINE_LENGTH, single_line=True)
    if problem is not None:
        raise ValueError(problem)
    return value


def _check_text(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


# For API schemas: ``name: PersonLine``, ``comment: PersonText``.
PersonLine = Annotated[str, AfterValidator(_check_line)]
PersonText = Annotated[str, AfterValidator(_check_text)]


def one_line(text: str) -> str:
    """The text with every line break and run of spaces made one space: for email subjects and
    headers, where a line break would be refused (or worse, start a new header)."""
    for mark in LINE_BREAKS:
        text = text.replace(mark, " ")
    return " ".join(text.split())
