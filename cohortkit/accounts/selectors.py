from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cohortkit.accounts.models import ApiToken, Invitation, Membership


def user_memberships(*, user: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("term", "term__program")
        .order_by("-term__starts_on", "role")
    )


def term_members(*, term: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(term=term).select_related("user").order_by("role", "user__email")
    )


def term_invitations(*, term: Any) -> QuerySet[Invitation]:
    return Invitation.objects.filter(term=term).select_related("invited_by").order_by("-created_at")


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """The person's own API tokens, newest first (revoked and expired ones included)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
