"""Who may see and move money in a term: the only home of the payments app's permission logic.

Outsiders get 404, members without the right 403 (``accounts.rules.require_term_role``).
Organizers see everyone's money and build, freeze and settle batches; facilitators fill in their
own timesheets; every member sees only their own money.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role
from cohortkit.common.errors import NotAllowedError


def require_organizer(request: HttpRequest, term: Any) -> frozenset[str]:
    return account_rules.require_term_role(request, term, Role.ORGANIZER)


def require_facilitator(request: HttpRequest, term: Any) -> frozenset[str]:
    return account_rules.require_term_role(request, term, Role.FACILITATOR)


def require_member(request: HttpRequest, term: Any) -> frozenset[str]:
    """Any role in the term: one's own money page."""
    return account_rules.require_term_role(request, term, *Role.values)


def require_meeting_leader_or_organizer(request: HttpRequest, term: Any, meeting: Any) -> None:
    """The person leading a meeting or an organizer; a facilitator of another section, 404."""
    roles = account_rules.require_term_role(request, term, Role.FACILITATOR, Role.ORGANIZER)
    if Role.ORGANIZER in roles:
        return
    if meeting.leader_id != request.user.pk:
        raise Http404("No such meeting")


def can_hand_over(user: Any, meeting: Any, term: Any) -> bool:
    """The person leading a meeting, or an organizer, may hand it to another facilitator."""
    return user.pk == meeting.leader_id or account_rules.is_organizer(user, term)


def require_organizer_actor(actor: Any, term: Any, *, doing: str = "do this") -> None:
    """What a service asks before an organizer's write: an organizer, or ``NotAllowedError``."""
    if not account_rules.is_organizer(actor, term):
        raise NotAllowedError(f"Only the term's organizers may {doing}.")
