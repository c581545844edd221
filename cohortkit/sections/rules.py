"""Who may see and do what with sections, in one place for pages and the API.

Outsiders of the term get 404 and members without the right 403 (``require_term_role``). A
section's attendance is the business of its facilitator and the term's organizers: a facilitator
of another section gets 404 (it is not theirs to know about).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role
from cohortkit.programs.models import Term
from cohortkit.sections.models import Meeting, Section
from cohortkit.sections.rosters import section_of_term


def can_record_attendance(*, actor: Any, meeting: Meeting) -> bool:
    """The section's facilitator or an organizer of the term."""
    section = meeting.section
    return bool(
        getattr(actor, "is_authenticated", False)
        and (actor.pk == section.facilitator_id or account_rules.is_organizer(actor, section.term))
    )


def require_section_lead_or_organizer(request: HttpRequest, term: Term, section_id: int) -> Section:
    """The section, for its facilitator or an organizer of the term; another section's
    facilitator gets 404 (it is not theirs to know about), other members 403."""
    roles = account_rules.require_term_role(request, term, Role.FACILITATOR, Role.ORGANIZER)
    section = section_of_term(term=term, section_id=section_id)
    if Role.ORGANIZER not in roles and section.facilitator_id != request.user.pk:
        raise Http404("No such section")
    return section


def require_term_member(request: HttpRequest, term: Term) -> frozenset[str]:
    """Any member of the term (its own sections page, apologies)."""
    return account_rules.require_term_role(request, term, *Role.values)


def require_facilitator_or_organizer(request: HttpRequest, term: Term) -> frozenset[str]:
    """The facilitators' sections page: facilitators, and organizers who oversee them all."""
    return account_rules.require_term_role(request, term, Role.FACILITATOR, Role.ORGANIZER)


def require_participant(request: HttpRequest, term: Term) -> frozenset[str]:
    """Switching sections is for participants."""
    return account_rules.require_term_role(request, term, Role.PARTICIPANT)
