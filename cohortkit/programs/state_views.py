"""The organizer's page for the term's state: publish a draft, archive a finished term."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cohortkit.accounts import rules
from cohortkit.accounts.models import Role
from cohortkit.common.errors import InvalidInputError
from cohortkit.programs import selectors, states
from cohortkit.programs.models import Term

ACTIONS: dict[str, tuple[Callable[..., Term], str]] = {
    "publish": (states.term_publish, "The term is published: everyone can see it now."),
    "unpublish": (states.term_unpublish, "The term is a draft again."),
    "finish": (
        states.term_finish,
        "The term is finished: read-only except money and certificates.",
    ),
    "reopen": (states.term_reopen, "The term is running again."),
    "archive": (states.term_archive, "The term is archived."),
    "unarchive": (states.term_unarchive, "The term is no longer archived."),
}


@login_required
@require_http_methods(["GET", "POST"])
def term_state_page(request: HttpRequest, slug: str) -> HttpResponse:
    term = selectors.term_get(slug=slug)
    rules.require_term_role(request, term, Role.ORGANIZER)
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            raise InvalidInputError("Choose publish, unpublish, finish, reopen or archive.")
        service, done = action
        service(term=term, actor=request.user)
        messages.success(request, done)
        return redirect("programs:term_state", slug=term.slug)
    state = states.term_state(term)
    return render(
        request,
        "programs/term_state.html",
        {
            "term": term,
            "state": state,
            "can_publish": state is states.TermState.DRAFT,
            "can_unpublish": state is states.TermState.OPEN,
            "can_finish": state is states.TermState.RUNNING and states.term_is_over(term),
            "can_reopen": state is states.TermState.FINISHED,
            "ends_at": states.term_ends_at(term),
            "can_archive": state in (states.TermState.FINISHED, states.TermState.DRAFT),
            "can_unarchive": state is states.TermState.ARCHIVED,
        },
    )
