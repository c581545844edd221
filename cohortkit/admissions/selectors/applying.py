"""Reads of applying: forms, one's own application with its answers, and one's own deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import Http404

from cohortkit.admissions.models import (
    AccessCodeUse,
    Answer,
    Application,
    ApplicationForm,
    DeadlineExtension,
    FormQuestion,
)
from cohortkit.programs.models import Term
from cohortkit.programs.selectors import term_application_deadline


def form_get(*, term: Term, kind: str) -> ApplicationForm:
    return form_get_by_slug(slug=term.slug, kind=kind)


def form_get_by_slug(*, slug: str, kind: str) -> ApplicationForm:
    """A term's form by the term's slug, with the term and program, in one query."""
    form = (
        ApplicationForm.objects.select_related("term", "term__program")
        .filter(term__slug=slug, kind=kind)
        .first()
    )
    if form is None:
        raise Http404("No such application form.")
    return form


def application_of(*, form: ApplicationForm, user: Any) -> Application | None:
    if user is None or not user.is_authenticated:
        return None
    return Application.objects.filter(form=form, applicant=user).first()


@dataclass(frozen=True)
class QuestionWithAnswer:
    question: FormQuestion
    raw: str
    error: str

    @property
    def raw_lines(self) -> list[str]:
        return [line.strip() for line in self.raw.splitlines() if line.strip()]


def form_questions_with_answers(
    *,
    form: ApplicationForm,
    application: Application | None,
    typed: dict[str, str] | None = None,
) -> list[QuestionWithAnswer]:
    """Every question with the stored answer, or with ``typed`` text (what the person just sent
    and the server refused) where given, so a refused page shows what was typed, not a reset."""
    typed = typed or {}
    answers: dict[int, Answer] = {}
    if application is not None:
        answers = {answer.question_id: answer for answer in application.answers.all()}
    result = []
    for question in form.questions.all():
        answer = answers.get(question.pk)
        if question.key in typed:
            raw, error = typed[question.key], ""
        else:
            raw, error = (answer.raw, answer.error) if answer else ("", "")
        result.append(QuestionWithAnswer(question=question, raw=raw, error=error))
    return result


@dataclass(frozen=True)
class PersonalDeadline:
    """The deadline that applies to one person on one form, and where it comes from."""

    instant: dt.datetime
    source: str  # "term", "access code" or "personal extension"

    def is_open(self, now: dt.datetime) -> bool:
        return now < self.instant


def deadline_for(*, form: ApplicationForm, user: Any) -> PersonalDeadline:
    """The person's own deadline: a personal extension, else an access code's, else the term's."""
    if user is not None and user.is_authenticated:
        # One query for both: this runs on every save and submit of a deadline rush.
        personal, code_until = (
            ApplicationForm.objects.filter(pk=form.pk)
            .annotate(
                personal=Subquery(
                    DeadlineExtension.objects.filter(form=OuterRef("pk"), user=user).values(
                        "until"
                    )[:1]
                ),
                code_until=Subquery(
                    AccessCodeUse.objects.filter(
                        code__form=OuterRef("pk"), user=user, code__revoked_at__isnull=True
                    )
                    .order_by("-code__until")
                    .values("code__until")[:1]
                ),
            )
            .values_list("personal", "code_until")
            .get()
        )
        if personal is not None:
            return PersonalDeadline(personal, "personal extension")
        if code_until is not None:
            return PersonalDeadline(code_until, "access code")
    return PersonalDeadline(term_application_deadline(term=form.term, kind=form.kind), "term")
