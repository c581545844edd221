"""Who may see what of completion and feedback.

The completion page, the rule and the feedback summary are the term's organizers' alone; the
feedback form is for participants; facilitators see their own sections' ratings.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cohortkit.accounts.models import Role
from cohortkit.accounts.rules import require_term_role, term_roles


def require_organizer(request: HttpRequest, term: Any) -> None:
    require_term_role(request, term, Role.ORGANIZER)


def require_participant(request: HttpRequest, term: Any) -> None:
    require_term_role(request, term, Role.PARTICIPANT)


def require_facilitator_or_organizer(request: HttpRequest, term: Any) -> frozenset[str]:
    return require_term_role(request, term, Role.FACILITATOR, Role.ORGANIZER)


def sees_own_progress(user: Any, term: Any) -> bool:
    return Role.PARTICIPANT in term_roles(user, term)
