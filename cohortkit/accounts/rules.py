"""Who may do what in a term: the one place that answers it.

Outsiders (not a member of the term) get 404 so a private page never reveals that it exists;
members without the right get 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from cohortkit.accounts.models import Membership, Role


def term_roles(user: Any, term: Any) -> frozenset[str]:
    """The roles the user holds in the term (empty for anonymous people and outsiders)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_term_roles_cache", {})
    if term.pk not in cache:
        cache[term.pk] = frozenset(
            Membership.objects.filter(user=user, term=term).values_list("role", flat=True)
        )
    return cache[term.pk]


def is_organizer(user: Any, term: Any) -> bool:
    return Role.ORGANIZER in term_roles(user, term)


def can_view_public_page(user: Any, term: Any) -> bool:
    """Drafts and archived terms are shown to their members only (outsiders get 404)."""
    listed = bool(term.is_published) and getattr(term, "archived_at", None) is None
    return listed or bool(term_roles(user, term))


TWO_FACTOR_ROLES = frozenset({Role.ORGANIZER, Role.REVIEWER})


class TwoFactorRequiredError(PermissionDenied):
    """The term requires two-factor authentication of this person's role, and the session has none.

    ``cohortkit.accounts.middleware`` turns it into a redirect: to set it up, or to type a code.
    """

    def __init__(self, term: Any) -> None:
        super().__init__(f"{term} requires two-factor authentication for organizers and reviewers.")
        self.term = term


def session_is_verified(request: HttpRequest) -> bool:
    """Whether this request passed a second factor (API requests carry a token instead)."""
    if getattr(request, "auth", None) is not None:
        return True
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def require_term_role(request: HttpRequest, term: Any, *allowed: str) -> frozenset[str]:
    """Raise 404 for people outside the term and 403 for members lacking every allowed role.

    When only a staff role (organizer, reviewer) opens the page and the term requires two-factor
    authentication of them, a session without a second factor raises ``TwoFactorRequiredError``.
    """
    roles = term_roles(request.user, term)
    if not roles:
        raise Http404("No such term")
    granting = roles & set(allowed)
    if not granting:
        raise PermissionDenied("Your role in this term does not allow this page.")
    if (
        getattr(term, "require_two_factor", False)
        and granting <= TWO_FACTOR_ROLES
        and not session_is_verified(request)
    ):
        raise TwoFactorRequiredError(term)
    return roles
