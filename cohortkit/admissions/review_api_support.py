"""Small reads and writes the review API needs beyond what the pages use.

Each wraps the pages' own selectors and services, so the API cannot drift from the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from cohortkit.admissions import decisions
from cohortkit.admissions.models import (
    Answer,
    Application,
    ApplicationForm,
    Decision,
    FormQuestion,
)
from cohortkit.admissions.review_selectors import ranking_filters
from cohortkit.notifications.models import OutboundEmail


@dataclass(frozen=True)
class KeyedAnswer:
    key: str
    label: str
    raw: str


def answers_for_reviewers_keyed(*, application: Application) -> list[KeyedAnswer]:
    """As ``review_selectors.answers_for_reviewers`` (visible questions only, in the form's
    order), with each question's key, which API clients need to tell questions apart."""
    questions = FormQuestion.objects.filter(form_id=application.form_id, visible_to_reviewers=True)
    answers = {
        answer.question_id: answer.raw
        for answer in Answer.objects.filter(application=application, question__in=questions)
    }
    return [
        KeyedAnswer(
            key=question.key, label=question.label, raw=answers.get(question.pk, "").strip()
        )
        for question in questions
    ]


def ranking_filter_problems(*, form: ApplicationForm, params: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with answer filters given as query parameters: unknown question keys and
    values that are not among the question's choices. The page quietly ignores these; an API
    client gets told, rather than an unfiltered list it takes for a filtered one."""
    filters = {item.key: item for item in ranking_filters(form=form, params={})}
    problems: dict[str, str] = {}
    for key in params:
        value = str(params.get(key, ""))
        if key not in filters:
            known = ", ".join(sorted(filters)) or "none"
            problems[key] = f"Not a question to filter by (these are: {known})."
        elif value and value not in {choice for choice, _ in filters[key].choices}:
            allowed = ", ".join(choice for choice, _ in filters[key].choices)
            problems[key] = f"Not one of the answers: {allowed}."
    return problems


@dataclass(frozen=True)
class ReleaseCount:
    released: int
    emails_queued: int


@transaction.atomic
def decisions_release_counted(*, form: ApplicationForm, actor: Any) -> ReleaseCount:
    """``decisions.decisions_release``, also counting the decision emails it really queued
    (new ``OutboundEmail`` rows for the form's decisions), which is what an organizer wants to
    know: how many people will hear from us now."""

    def queued() -> int:
        keys = [
            f"decision-released:{pk}"
            for pk in Decision.objects.filter(application__form=form).values_list("pk", flat=True)
        ]
        return OutboundEmail.objects.filter(idempotency_key__in=keys).count()

    before = queued()
    released = decisions.decisions_release(form=form, actor=actor)
    return ReleaseCount(released=released, emails_queued=queued() - before)
