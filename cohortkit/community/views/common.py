"""What the community pages share: finding the term and keeping a signed-out visitor's draft."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from cohortkit.accounts import rules as account_rules
from cohortkit.programs.models import Term
from cohortkit.programs.selectors import term_get

# A signed-out visitor's question, kept server-side in their session while they sign up or log
# in (login keeps the session's data when it changes its key), per term.
QUESTION_DRAFT_SESSION_KEY = "community.question_drafts"


def public_term(request: HttpRequest, slug: str) -> Term:
    """The term, if the program page is visible to this person; otherwise 404."""
    term = term_get(slug=slug)
    if not account_rules.can_view_public_page(request.user, term):
        raise Http404("No such term")
    return term


def question_draft(request: HttpRequest, term: Term) -> str:
    drafts = request.session.get(QUESTION_DRAFT_SESSION_KEY) or {}
    return str(drafts.get(term.slug, ""))


def question_draft_keep(request: HttpRequest, term: Term, text: str) -> None:
    drafts = dict(request.session.get(QUESTION_DRAFT_SESSION_KEY) or {})
    drafts[term.slug] = text
    request.session[QUESTION_DRAFT_SESSION_KEY] = drafts


def question_draft_forget(request: HttpRequest, term: Term) -> None:
    drafts = dict(request.session.get(QUESTION_DRAFT_SESSION_KEY) or {})
    if drafts.pop(term.slug, None) is not None:
        request.session[QUESTION_DRAFT_SESSION_KEY] = drafts
