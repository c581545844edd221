"""Completion on other apps' pages, each with one line in their templates: the viewer's
progress (week and term pages), a roster's progress (facilitators) and the organizers' overview
column. The term page's finishing links and the profile's certificates are certificates' tags."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest, QueryDict

from cohortkit.accounts.models import Role
from cohortkit.accounts.rules import term_roles
from cohortkit.completion.rule import term_rule_sentences
from cohortkit.completion.selectors import Progress, term_progress
from cohortkit.completion.standing import progress_panel

register = template.Library()


@register.filter
def get_average(averages: dict[int, Any], question_id: int) -> str:
    """The average of one question in a section's ratings, as text."""
    average = averages.get(question_id)
    return average.text if average is not None else "—"


@register.filter
def progress_for(progress: dict[int, Progress] | None, user_id: int) -> Progress | None:
    return (progress or {}).get(user_id)


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("completion/_progress.html", takes_context=True)
def my_progress(context: template.Context, term: Any) -> dict[str, Any]:
    """The viewer's progress, if they are a participant of the term."""
    user = _user(context)
    if user is None or Role.PARTICIPANT not in term_roles(user, term):
        return {"progress": None}
    return {"progress": term_progress(term=term, user_ids=[user.pk]).progress.get(user.pk)}


@register.inclusion_tag("completion/_progress_lazy.html", takes_context=True)
def my_progress_lazy(context: template.Context, term: Any) -> dict[str, Any]:
    """A placeholder the page fills with the viewer's progress once it has loaded (htmx)."""
    user = _user(context)
    return {"term": term, "show": user is not None and Role.PARTICIPANT in term_roles(user, term)}


@register.simple_tag
def rule_sentences(term: Any) -> list[tuple[str, str]]:
    """The completion rule in plain words, for the program page."""
    return term_rule_sentences(term=term)


@register.simple_tag
def roster_progress(term: Any, user_ids: Any = None) -> dict[int, Progress]:
    """The progress of a roster's people (everyone's in the term without ``user_ids``):
    ``{% roster_progress term ids as p %}``."""
    return term_progress(term=term, user_ids=user_ids).progress


@register.inclusion_tag("completion/_overview.html", takes_context=True)
def completion_overview(context: template.Context, term: Any) -> dict[str, Any]:
    """Everyone's progress toward completion on the organizers' overview: the counts per
    status and one page of people, searched, filtered (``?completion=on_track|at_risk|cannot``)
    and sorted in the database (``standing.progress_panel``)."""
    request = context.get("request")
    if request is None:
        request = HttpRequest()
        request.GET = QueryDict("")
    return {"term": term, "panel": progress_panel(term=term, request=request)}
