"""Who may schedule sections: the term's organizers, on the page and in the API alike.

Outsiders of the term get 404 and members without the right 403 (``require_term_role``).
"""

from __future__ import annotations

from django.http import HttpRequest

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role
from cohortkit.programs.models import Term
from cohortkit.programs.selectors import term_get


def require_scheduler(request: HttpRequest, slug: str) -> Term:
    """The term, for one of its organizers, who alone form, edit and publish its sections (404
    outside the term, 403 for its other members)."""
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.ORGANIZER)
    return term
