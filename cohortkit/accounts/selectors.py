from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404

from cohortkit.accounts.models import ApiToken, Invitation, Membership


def term_find(*, slug: str) -> Any | None:
    """The term with this slug, or None. Accounts sits below programs, so it reaches the term
    through the relation its models already declare (``Membership.term``), not an import."""
    term_model: type[Model] = Membership._meta.get_field("term").related_model  # type: ignore[assignment]
    return term_model._default_manager.select_related("program").filter(slug=slug).first()


def term_get(*, slug: str) -> Any:
    """The term of a term-level staff page, or 404."""
    term = term_find(slug=slug)
    if term is None:
        raise Http404("No such term.")
    return term


def user_memberships(*, user: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("term", "term__program")
        .order_by("-term__starts_on", "role")
    )


def term_members(*, term: Any, role: str | None = None) -> QuerySet[Membership]:
    """The term's roles, one row per person and role (only ``role``'s when given)."""
    members = Membership.objects.filter(term=term).select_related("user")
    if role:
        members = members.filter(role=role)
    return members.order_by("role", "user__email")


def term_membership_get(*, term: Any, user_id: int, role: str) -> Membership:
    """One person's role in the term, or 404."""
    membership = (
        Membership.objects.select_related("user")
        .filter(term=term, user_id=user_id, role=role)
        .first()
    )
    if membership is None:
        raise Http404("No such role in this term.")
    return membership


def term_invitations_pending(*, term: Any, now: Any) -> QuerySet[Invitation]:
    """Invitations nobody has accepted yet, neither withdrawn nor expired, newest first."""
    return (
        Invitation.objects.filter(
            term=term, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def term_invitation_get(*, term: Any, invitation_id: int) -> Invitation:
    """One invitation of the term, or 404."""
    invitation = Invitation.objects.filter(term=term, pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation in this term.")
    return invitation


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """The person's own API tokens, newest first (revoked and expired ones included)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
