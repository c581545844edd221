from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cohortkit.organize.actions import next_actions
from cohortkit.organize.rules import require_organizer
from cohortkit.organize.selectors import term_home
from cohortkit.programs.selectors import term_get


@login_required
@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    """The organizer's home of a term: where it stands, what to do next, every organizer page."""
    term = term_get(slug=slug)
    require_organizer(request, term)
    summary = term_home(term=term)
    return render(
        request,
        "organize/home.html",
        {"term": term, "home": summary, "actions": next_actions(summary)},
    )
