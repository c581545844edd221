"""Who may do what with questions, conversations and announcements: the one place that says it.

Built on ``cohortkit.accounts.rules``: people outside a term get 404 for its private pages, members
without the right get 403. A conversation is its person's alone (and the term's organizers'):
anyone else gets 404, so nobody learns that it exists.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role
from cohortkit.community.models import Conversation, PublicQuestion


def require_organizer(request: HttpRequest, term: Any) -> None:
    """404 for outsiders, 403 for members of the term who are not its organizers."""
    account_rules.require_term_role(request, term, Role.ORGANIZER)


def require_question_of_program(question: PublicQuestion | None, term: Any) -> PublicQuestion:
    """The question, if it belongs to the term's program (a term's organizers moderate the
    questions of their program); otherwise 404."""
    if question is None or question.program_id != term.program_id:
        raise Http404("No such question")
    return question


def require_conversation_in_term(conversation: Conversation | None, term: Any) -> Conversation:
    if conversation is None or conversation.term_id != term.pk:
        raise Http404("No such conversation")
    return conversation


def is_conversation_owner(user: Any, conversation: Conversation) -> bool:
    return bool(user.is_authenticated) and conversation.person_id == user.pk


def require_own_conversation(
    request: HttpRequest, conversation: Conversation | None
) -> Conversation:
    """A person reads only their own conversations; any other one is 404, whoever asks."""
    if conversation is None or not is_conversation_owner(request.user, conversation):
        raise Http404("No such conversation")
    return conversation


def can_post_announcements(user: Any, term: Any) -> bool:
    """Organizers post to the term; facilitators to their own sections."""
    return bool(account_rules.term_roles(user, term) & {Role.ORGANIZER, Role.FACILITATOR})


def require_announcer(request: HttpRequest, term: Any) -> frozenset[str]:
    return account_rules.require_term_role(request, term, Role.ORGANIZER, Role.FACILITATOR)


def may_post_to_whole_term(user: Any, term: Any) -> bool:
    """Everyone, a track or a role: organizers only (facilitators post to a section of theirs)."""
    return account_rules.is_organizer(user, term)


def may_post_to_section(user: Any, term: Any, section: Any) -> bool:
    if section.term_id != term.pk:
        return False
    if account_rules.is_organizer(user, term):
        return True
    return Role.FACILITATOR in account_rules.term_roles(user, term) and (
        section.facilitator_id == user.pk
    )
