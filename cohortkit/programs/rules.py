"""Who may see a program page and who may change a term.

A published term's page is public; an unpublished one is seen only by its members (everyone else
gets 404, as if it did not exist). Term settings and copying are for the term's organizers
(outsiders 404, other members 403: ``accounts.rules.require_term_role``).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from cohortkit.accounts.models import Role
from cohortkit.accounts.rules import can_view_public_page, require_term_role
from cohortkit.programs.models import Term


def require_public_page(user: Any, term: Term) -> None:
    """Refuse (404) a person who may not see the term's program page."""
    if not can_view_public_page(user, term):
        raise Http404("No such term")


def require_term_organizer(request: HttpRequest, term: Term) -> None:
    """Refuse anyone but the term's organizers changing its settings or copying it."""
    require_term_role(request, term, Role.ORGANIZER)
