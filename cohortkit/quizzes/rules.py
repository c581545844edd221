"""Who may take a quiz and who may change one.

Participants of the term take its quizzes; organizers write and correct them. Outsiders get 404,
members of the term without the role get 403 (``accounts.rules.require_term_role``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cohortkit.accounts.models import Role
from cohortkit.accounts.rules import require_term_role, term_roles


def can_take_quizzes(user: Any, term: Any) -> bool:
    return Role.PARTICIPANT in term_roles(user, term)


def can_edit_quizzes(user: Any, term: Any) -> bool:
    return Role.ORGANIZER in term_roles(user, term)


def require_quiz_taker(request: HttpRequest, term: Any) -> None:
    require_term_role(request, term, Role.PARTICIPANT)


def require_quiz_editor(request: HttpRequest, term: Any) -> None:
    require_term_role(request, term, Role.ORGANIZER)
