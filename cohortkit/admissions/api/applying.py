"""Applying routes of the JSON API: a form, and one's own application on it.

They call the same services as the pages, so the deadline (the person's own), the number rule and
the double-submit guard hold here too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from cohortkit.admissions import rules
from cohortkit.admissions.models import Application, ApplicationForm
from cohortkit.admissions.selectors.applying import application_of, deadline_for
from cohortkit.admissions.services import applying
from cohortkit.common.numbers import format_number

router = Router(tags=["admissions"])


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format_number(value)


class ChoiceOut(Schema):
    value: str
    label: str


class ShownWhenOut(Schema):
    question: str
    answer: list[str]


class QuestionOut(Schema):
    key: str
    label: str
    help_text: str
    type: str
    required: bool
    choices: list[ChoiceOut]
    word_limit: int | None
    min_value: str | None
    max_value: str | None
    step: str | None
    # Asked only when the earlier question has one of these answers; otherwise not required,
    # and an answer sent for it is not kept.
    shown_when: ShownWhenOut | None

    @staticmethod
    def resolve_shown_when(question: Any) -> dict[str, Any] | None:
        if not question.shown_when_key:
            return None
        return {"question": question.shown_when_key, "answer": question.shown_when_answers}

    @staticmethod
    def resolve_min_value(question: Any) -> str | None:
        return _decimal_text(question.min_value)

    @staticmethod
    def resolve_max_value(question: Any) -> str | None:
        return _decimal_text(question.max_value)

    @staticmethod
    def resolve_step(question: Any) -> str | None:
        return _decimal_text(question.step)


class FormOut(Schema):
    term: str
    kind: str
    title: str
    introduction: str
    number_format: str
    deadline: dt.datetime
    deadline_source: str
    questions: list[QuestionOut]


class AnswerOut(Schema):
    key: str
    raw: str
    number: str | None  # the parsed value as a plain decimal string, e.g. "-1500"
    value: Any
    error: str


class ApplicationOut(Schema):
    status: str
    revision: int
    submitted_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    deadline: dt.datetime
    deadline_source: str
    answers: list[AnswerOut]


class AnswersIn(Schema):
    answers: dict[str, str] = {}
    revision: int | None = None


class ErrorOut(Schema):
    detail: str
    field_errors: dict[str, str] = {}


def _application_out(form: ApplicationForm, application: Application, user: Any) -> dict[str, Any]:
    deadline = deadline_for(form=form, user=user)
    return {
        "status": application.status,
        "revision": application.revision,
        "submitted_at": application.submitted_at,
        "withdrawn_at": application.withdrawn_at,
        "deadline": deadline.instant,
        "deadline_source": deadline.source,
        "answers": [
            {
                "key": answer.question.key,
                "raw": answer.raw,
                "number": _decimal_text(answer.number),
                "value": answer.value,
                "error": answer.error,
            }
            for answer in application.answers.select_related("question").order_by(
                "question__position"
            )
        ],
    }


@router.get("/terms/{slug}/forms/{kind}", response=FormOut, summary="An application form")
def form_detail(request: HttpRequest, slug: str, kind: str) -> Any:
    form = rules.require_form(request, slug, kind)
    deadline = deadline_for(form=form, user=request.user)
    return {
        "term": form.term.slug,
        "kind": form.kind,
        "title": form.title,
        "introduction": form.introduction,
        "number_format": form.term.number_format,
        "deadline": deadline.instant,
        "deadline_source": deadline.source,
        "questions": list(form.questions.all()),
    }


@router.get(
    "/terms/{slug}/forms/{kind}/application",
    response={200: ApplicationOut, 404: ErrorOut},
    summary="Your own application on the form",
)
def application_detail(request: HttpRequest, slug: str, kind: str) -> Any:
    form = rules.require_form(request, slug, kind)
    application = application_of(form=form, user=request.user)
    if application is None:
        return 404, {"detail": "You have no application on this form yet."}
    return _application_out(form, application, request.user)


@router.put(
    "/terms/{slug}/forms/{kind}/application",
    response={200: ApplicationOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Save answers as a draft (or edit a submitted application)",
)
def application_save(request: HttpRequest, slug: str, kind: str, payload: AnswersIn) -> Any:
    form = rules.require_form(request, slug, kind)
    application = applying.application_save_draft(
        form=form, user=request.user, raw_answers=payload.answers, revision=payload.revision
    )
    return _application_out(form, application, request.user)


@router.post(
    "/terms/{slug}/forms/{kind}/application/submit",
    response={200: ApplicationOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Submit (again submitting the same answers changes nothing)",
)
def application_submit(request: HttpRequest, slug: str, kind: str, payload: AnswersIn) -> Any:
    form = rules.require_form(request, slug, kind)
    application = applying.application_submit(
        form=form, user=request.user, raw_answers=payload.answers, revision=payload.revision
    )
    return _application_out(form, application, request.user)


@router.post(
    "/terms/{slug}/forms/{kind}/application/withdraw",
    response={200: ApplicationOut, 400: ErrorOut, 403: ErrorOut},
    summary="Withdraw your application (the answers are kept)",
    description=(
        "Refused with 403 after your deadline, and once you hold an offer or a confirmed place "
        "(decline the offer with `.../decision/decline` instead)."
    ),
)
def application_withdraw(request: HttpRequest, slug: str, kind: str) -> Any:
    form = rules.require_form(request, slug, kind)
    application = applying.application_withdraw(form=form, user=request.user)
    return _application_out(form, application, request.user)
