"""Who may see and do what with weekly work.

Outsiders of the term get 404 and members without the right 403 (``require_term_role``). A
section's homework is the business of its facilitator alone: a facilitator of another section
gets 404, as if the section's homework did not exist; organizers may read it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from cohortkit.accounts.models import Role
from cohortkit.accounts.rules import require_term_role, term_roles
from cohortkit.coursework.due import user_section_in_week
from cohortkit.programs.models import Assignment, Term
from cohortkit.sections.models import Section


def require_term_member(request: HttpRequest, term: Term) -> frozenset[str]:
    """Any member of the term reads its weekly work; the person's roles in it."""
    return require_term_role(request, term, *Role.values)


def require_term_organizer(request: HttpRequest, term: Term) -> None:
    """Organizers set due dates and read the term's overview and exports."""
    require_term_role(request, term, Role.ORGANIZER)


def require_section_homework(request: HttpRequest, term: Term, section_id: int) -> Section:
    """The section whose homework the person may read: their own, or any for organizers."""
    roles = require_term_role(request, term, Role.ORGANIZER, Role.FACILITATOR)
    section = get_object_or_404(
        Section.objects.select_related("track", "facilitator"), pk=section_id, term=term
    )
    if Role.ORGANIZER not in roles and section.facilitator_id != request.user.pk:
        raise Http404("No such section")
    return section


def require_section_reviewer(request: HttpRequest, term: Term, section_id: int) -> Section:
    """The section whose homework the person reviews: their own (organizers only read it)."""
    section = require_section_homework(request, term, section_id)
    if section.facilitator_id != request.user.pk:
        raise PermissionDenied("Organizers read a section's homework; its facilitator reviews it.")
    return section


def reviewing_section(*, assignment: Assignment, participant: Any) -> Section | None:
    """The section that reviews the participant's work on the assignment: the one they were in
    during the assignment's week (a later switch does not move old homework)."""
    return user_section_in_week(
        user=participant, term=assignment.week.term, week=assignment.week.number
    )


def can_give_feedback(*, facilitator: Any, assignment: Assignment, participant: Any) -> bool:
    section = reviewing_section(assignment=assignment, participant=participant)
    return section is not None and section.facilitator_id == facilitator.pk


def can_hand_in(user: Any, term: Term) -> bool:
    """Participants write and submit answers; everyone else in the term may only read prompts."""
    return Role.PARTICIPANT in term_roles(user, term)


def require_hand_in(user: Any, term: Term) -> None:
    """Refuse (403) anyone but a participant writing or submitting an answer."""
    if not can_hand_in(user, term):
        raise PermissionDenied("Only participants hand in answers.")
