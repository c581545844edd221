"""The community parts other apps' pages include: the program page's questions and contact form,
and a member's announcements on the term and week pages. Each reads through the selectors, in a
fixed number of queries, so those pages' views need not know about this app."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from cohortkit.accounts import rules as account_rules
from cohortkit.community import rules, selectors
from cohortkit.community.forms import QuestionForm, QuestionSearchForm
from cohortkit.community.models import ConversationState, QuestionStatus
from cohortkit.community.views.common import question_draft
from cohortkit.community.views.conversations import contact_form_for

register = template.Library()


@register.inclusion_tag("community/_program_block.html", takes_context=True)
def community_program_block(context: dict[str, Any], term: Any) -> dict[str, Any]:
    """Questions (the FAQ first), the ask form, search, and the private contact form."""
    request = context["request"]
    user = request.user
    faq, recent, total = selectors.program_page_questions(term=term)
    block: dict[str, Any] = {
        "request": request,
        "term": term,
        "faq": faq,
        "recent": recent,
        "question_total": total,
        "shown": len(faq) + len(recent),
        "search_form": QuestionSearchForm(),
        "ask_form": QuestionForm(initial={"body": question_draft(request, term)}),
        "draft_kept": bool(question_draft(request, term)),
        "waiting": selectors.my_waiting_questions(user=user, term=term),
        "contact_form": contact_form_for(request, term),
        "my_conversations": selectors.conversations_of_person(user=user, term=term),
        "is_organizer": account_rules.is_organizer(user, term),
        "can_announce": rules.can_post_announcements(user, term),
    }
    if block["is_organizer"]:
        block["held_count"] = selectors.questions_for_moderation(
            term=term, status=QuestionStatus.HELD
        ).count()
        counts = selectors.inbox_counts(term=term)
        block["inbox_count"] = counts.get(ConversationState.NEW, 0) + counts.get(
            ConversationState.WAITING_FOR_US, 0
        )
    return block


@register.inclusion_tag("community/_announcements.html", takes_context=True)
def community_announcements(context: dict[str, Any], term: Any) -> dict[str, Any]:
    """The announcements addressed to the viewer (nothing for people outside the term)."""
    request = context["request"]
    return {
        "term": term,
        "announcements": selectors.announcements_for_viewer(
            user=request.user, term=term, now=timezone.now(), limit=5
        ),
        "is_member": bool(account_rules.term_roles(request.user, term)),
        "can_announce": rules.can_post_announcements(request.user, term),
    }


@register.inclusion_tag("community/_contact_link.html")
def community_contact(term: Any) -> dict[str, Any]:
    """A way to the private contact form from any page of the term (no query of its own)."""
    return {"term": term}
