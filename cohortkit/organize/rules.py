"""Who may open the organizer's pages: the term's organizers (outsiders 404, members 403)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cohortkit.accounts.models import Role
from cohortkit.accounts.rules import is_organizer, require_term_role


def can_open_home(user: Any, term: Any) -> bool:
    return is_organizer(user, term)


def require_organizer(request: HttpRequest, term: Any) -> None:
    """404 for people outside the term, 403 for its members who do not organize it."""
    require_term_role(request, term, Role.ORGANIZER)
