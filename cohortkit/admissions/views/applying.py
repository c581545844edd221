"""Applying: the applicant's pages (form, autosave, submit, withdraw, late-application link)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohortkit.admissions import rules
from cohortkit.admissions.conditions import shown_when_text
from cohortkit.admissions.errors import DeadlinePassedError
from cohortkit.admissions.forms import (
    raw_answers_from_post,
)
from cohortkit.admissions.models import ApplicationForm, ApplicationStatus, FormQuestion
from cohortkit.admissions.selectors.applying import (
    application_of,
    deadline_for,
    form_questions_with_answers,
)
from cohortkit.admissions.services import applying, extending
from cohortkit.common.errors import ServiceError
from cohortkit.common.forms import time_zone_aliases


def _page(
    request: HttpRequest,
    form: ApplicationForm,
    *,
    status: int = 200,
    error: str = "",
    field_errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    error_link: str = "",
) -> HttpResponse:
    application = application_of(form=form, user=request.user)
    deadline = deadline_for(form=form, user=request.user)
    is_open = deadline.is_open(timezone.now())
    if not is_open and application is None:
        status = 403
    items = form_questions_with_answers(form=form, application=application, typed=typed)
    return render(
        request,
        "admissions/apply.html",
        {
            "term": form.term,
            "form": form,
            "application": application,
            "questions": items,
            "conditions": _conditions([item.question for item in items]),
            "zone_aliases": time_zone_aliases(),
            "deadline": deadline,
            "is_open": is_open,
            "error": error,
            "error_link": error_link,
            "field_errors": field_errors or {},
            # The fields show text the server refused, not what it has.
            "shows_unsaved_text": bool(typed),
        },
        status=status,
    )


def _conditions(questions: list[FormQuestion]) -> dict[str, dict[str, str]]:
    """What the page needs of each conditional question: the answers that show it (for the
    script that hides it) and the sentence that explains it (for a browser without scripts, where
    every question is shown and the server drops the answers the rule does not ask for)."""
    return {
        question.key: {
            "answers": json.dumps([str(value) for value in question.shown_when_answers]),
            "text": shown_when_text(question, questions),
        }
        for question in questions
        if question.shown_when_key
    }


def apply(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """The application page: a draft saved as one types, submitted before the deadline."""
    form = rules.require_form(request, slug, kind)
    deadline = deadline_for(form=form, user=request.user)
    if not request.user.is_authenticated and deadline.is_open(timezone.now()):
        return redirect(f"{reverse('accounts:signup')}?next={request.path}")
    return _page(request, form)


@require_POST
def apply_save(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Autosave (htmx): answers so far → a one-line status; nothing changes when refused."""
    form = rules.require_form(request, slug, kind)
    if not request.user.is_authenticated:
        # No redirect to the login page inside the status line: say what happened instead. The
        # page keeps the text in the browser and saves it after the person logs in again.
        return _save_status(
            request,
            "You were signed out. Your answers are kept in this browser; "
            "log in again to save them.",
            status=401,
            problem=True,
        )
    revision = _revision(request)
    try:
        application = applying.application_save_draft(
            form=form,
            user=request.user,
            raw_answers=raw_answers_from_post(request.POST, form),
            revision=revision,
        )
    except ServiceError as error:
        if not error.field_errors:
            return _save_status(request, error.message, status=error.http_status, problem=True)
        # A submitted application keeps its valid answers: mark each refused one beside its
        # field and leave every other field as typed.
        count = len(error.field_errors)
        return _save_status(
            request,
            f"Not saved: {count} answer{'s' if count != 1 else ''} to fix (marked). "
            "Your submitted application is unchanged.",
            status=400,
            problem=True,
            answer_errors=[
                (key, error.field_errors.get(key, ""))
                for key in raw_answers_from_post(request.POST, form)
            ],
        )
    posted = raw_answers_from_post(request.POST, form)
    errors = dict(
        application.answers.filter(question__key__in=posted).values_list("question__key", "error")
    )
    answer_errors = [(key, errors.get(key, "")) for key in posted]
    problems = sum(1 for _, message in answer_errors if message)
    text = f"Saved {timezone.localtime(application.updated_at):%H:%M}."
    if problems:
        text += f" {problems} answer{'s' if problems != 1 else ''} to fix before submitting."
    return _save_status(request, text, revision=application.revision, answer_errors=answer_errors)


def _save_status(
    request: HttpRequest,
    text: str,
    *,
    status: int = 200,
    problem: bool = False,
    revision: int | None = None,
    answer_errors: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    return render(
        request,
        "admissions/_save_status.html",
        {
            "text": text,
            "problem": problem,
            "revision": revision,
            "answer_errors": answer_errors or [],
        },
        status=status,
    )


def _revision(request: HttpRequest) -> int | None:
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def apply_submit(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    form = rules.require_form(request, slug, kind)
    raw_answers = raw_answers_from_post(request.POST, form)
    revision = _revision(request)
    was_submitted = (
        application := application_of(form=form, user=request.user)
    ) is not None and application.status == ApplicationStatus.SUBMITTED
    try:
        if not was_submitted:
            # Keep what was typed even if the submission is refused below.
            applying.application_save_draft(
                form=form, user=request.user, raw_answers=raw_answers, revision=revision
            )
            raw_answers, revision = {}, None
        applying.application_submit(
            form=form, user=request.user, raw_answers=raw_answers, revision=revision
        )
    except ServiceError as error:
        return _page(
            request,
            form,
            status=error.http_status,
            error=error.message,
            field_errors=error.field_errors,
            # The refused text stays on the page beside its error; nothing else is reset. After
            # the deadline the page shows what is stored, which is what the organizers see.
            typed=raw_answers_from_post(request.POST, form)
            if was_submitted and not isinstance(error, DeadlinePassedError)
            else None,
        )
    messages.success(
        request,
        "Your application is submitted. We emailed you a copy; "
        "you can change it until the deadline."
        if not was_submitted
        else "Your changes are saved and your application stays submitted.",
    )
    return redirect("admissions:apply", slug=slug, kind=kind)


@login_required
@require_POST
def apply_withdraw(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Withdraw, once the person ticked that they mean it (a stray click changes nothing)."""
    form = rules.require_form(request, slug, kind)
    if request.POST.get("confirm") != "yes":
        return _page(
            request,
            form,
            status=400,
            error="Nothing was withdrawn: tick “Yes, withdraw my application” to confirm.",
        )
    try:
        applying.application_withdraw(form=form, user=request.user)
    except ServiceError as error:
        return _page(
            request,
            form,
            status=error.http_status,
            error=error.message,
            error_link=getattr(error, "decision_path", ""),
        )
    messages.success(
        request, "Your application is withdrawn. You can submit it again before the deadline."
    )
    return redirect("admissions:apply", slug=slug, kind=kind)


@login_required
def access_code_use(request: HttpRequest, token: str) -> HttpResponse:
    try:
        code = extending.access_code_redeem(token=token, user=request.user)
    except ServiceError as error:
        return render(
            request, "admissions/access_code_invalid.html", {"error": error.message}, status=404
        )
    messages.success(
        request, "Your late-application link is applied: your deadline is shown below."
    )
    return redirect("admissions:apply", slug=code.form.term.slug, kind=code.form.kind)
