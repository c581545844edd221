from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from cohortkit.admissions.models import Answer, Application, ApplicationForm, FormQuestion
from cohortkit.programs.models import Term


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
