"""Who may see what of completion and feedback.

The completion page, the rule and the feedback summary are the term's organizers' alone; the
feedback form is for participants; facilitators see their own sections' ratings.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cohortkit.accounts.models import Role
from cohortkit.accounts.rules import is_organizer, require_term_role
from cohortkit.common.errors import NotAllowedError


def require_organizer_actor(actor: Any, term: Any) -> None:
    """What a service asks before an organizer's write: an organizer, or ``NotAllowedError``."""
    if not is_organizer(actor, term):
        raise NotAllowedError("Only the term's organizers may do this.")


def require_organizer(request: HttpRequest, term: Any) -> None:
    require_term_role(request, term, Role.ORGANIZER)


def require_participant(request: HttpRequest, term: Any) -> None:
    require_term_role(request, term, Role.PARTICIPANT)


def require_facilitator_or_organizer(request: HttpRequest, term: Any) -> frozenset[str]:
    return require_term_role(request, term, Role.FACILITATOR, Role.ORGANIZER)
