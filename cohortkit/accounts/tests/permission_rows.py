"""Permission rows of the API-token pages (collected by cohortkit/tests/test_permissions.py)."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import OK, ORGANIZER_ONLY, everyone_but_anonymous
from conftest import ROLES


def _participant(term: Any) -> list[Any]:
    from cohortkit.accounts.models import User

    return [term.slug, User.objects.get(email="participant@example.org").pk]


def _pending_invitation(term: Any) -> list[Any]:
    from cohortkit.accounts.models import Role, User
    from cohortkit.accounts.services import invitation_create

    organizer = User.objects.get(email="organizer@example.org")
    invitation = invitation_create(
        term=term, email="invited@example.org", role=Role.REVIEWER, invited_by=organizer
    )
    return [term.slug, invitation.pk]


# Everyone signed in manages their own tokens; another person's token is 404 (test_api_tokens).
ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "accounts:api_tokens": (lambda term: [], everyone_but_anonymous(OK)),
    "accounts:two_factor": (lambda term: [], everyone_but_anonymous(OK)),
    "accounts:term_audit": (lambda term: [term.slug], ORGANIZER_ONLY),
    # Each person downloads and erases only their own data; organizers a person of their term.
    "accounts:my_data": (lambda term: [], everyone_but_anonymous(OK)),
    "accounts:account_erase": (lambda term: [], everyone_but_anonymous(OK)),
    "accounts:person_data": (_participant, ORGANIZER_ONLY),
    "accounts:person_erase": (_participant, ORGANIZER_ONLY),
    # The people page's confirmations: withdrawing an invitation, removing a role.
    "accounts:invitation_revoke": (_pending_invitation, ORGANIZER_ONLY),
    "accounts:membership_revoke": (
        lambda term: [*_participant(term), "participant"],
        ORGANIZER_ONLY,
    ),
    # Signed in without two-factor: sent to set it up; signed out without a password step: login.
    "accounts:two_factor_verify": (lambda term: [], {**dict.fromkeys(ROLES, 302)}),
}

POST_ONLY: dict[str, Any] = {
    "accounts:api_token_revoke": lambda term: [1],
    "accounts:account_unlock": lambda term: [term.slug, 1],
    "accounts:two_factor_disable": lambda term: [],
    "accounts:recovery_codes_replace": lambda term: [],
}
