"""A person's due date for a quiz, as the one due-date rule (``coursework.due``) answers it.

The rule lives with the due-date overrides in ``coursework``, an app above quizzes (a personal
extension or a section's date covers assignments and quizzes alike). Coursework registers the rule
here when Django starts (``CourseworkConfig.ready``), so quizzes ask for it without importing the
app above them, and nobody sees two different deadlines for the same quiz.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from cohortkit.programs.models import Quiz


class QuizDueDate(Protocol):
    """A due date and where it comes from ("term", "section" or "personal extension")."""

    @property
    def instant(self) -> dt.datetime: ...

    @property
    def source(self) -> str: ...

    def is_late(self, moment: dt.datetime) -> bool: ...


QuizDueRule = Callable[[Quiz, Any], QuizDueDate]

_rules: list[QuizDueRule] = []


def quiz_due_rule_register(rule: QuizDueRule) -> None:
    """Make ``rule(quiz, user)`` the answer of ``quiz_due_at`` (registering again replaces it)."""
    _rules[:] = [rule]


def quiz_due_at(*, quiz: Quiz, user: Any) -> QuizDueDate:
    """The person's due date for the quiz, and where it comes from."""
    if not _rules:
        raise ImproperlyConfigured(
            "No due-date rule is registered: is cohortkit.coursework installed?"
        )
    return _rules[0](quiz, user)
