"""A participant takes a quiz and reads the feedback; an organizer writes, corrects and regrades.

Each view parses input, authorizes (``quizzes.rules``), calls a service, renders or redirects.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cohortkit.common.errors import ServiceError
from cohortkit.common.numbers import NUMBER_FORMATS
from cohortkit.programs.models import Quiz, Term
from cohortkit.programs.selectors import term_get
from cohortkit.quizzes import rules, selectors, services
from cohortkit.quizzes.due import quiz_due_at
from cohortkit.quizzes.forms import (
    NewQuestionForm,
    QuestionEditor,
    answer_field_name,
    answers_from_post,
)


def _taker_quiz(request: HttpRequest, slug: str, quiz_id: int) -> tuple[Term, Quiz]:
    term = term_get(slug=slug)
    rules.require_quiz_taker(request, term)
    return term, selectors.quiz_get(term=term, quiz_id=quiz_id)


def _editor_quiz(request: HttpRequest, slug: str, quiz_id: int) -> tuple[Term, Quiz]:
    term = term_get(slug=slug)
    rules.require_quiz_editor(request, term)
    return term, selectors.quiz_get(term=term, quiz_id=quiz_id)


def _number_hint(term: Term) -> str:
    example = NUMBER_FORMATS[term.number_format].example
    exponent = "-1.5e3" if term.number_format == "point" else "-1,5e3"
    return f"A number, for example {example} or {exponent}."


def _render_take(
    request: HttpRequest,
    term: Term,
    quiz: Quiz,
    *,
    raw: dict[int, str] | None = None,
    error: str = "",
    field_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    questions = list(selectors.questions_with_keys(quiz=quiz))
    attempts = selectors.attempts_of(quiz=quiz, user=request.user)
    raw = raw or {}
    field_errors = field_errors or {}
    items = [
        {
            "question": q,
            "name": answer_field_name(q),
            "raw": raw.get(q.pk, ""),
            "error": field_errors.get(answer_field_name(q), ""),
        }
        for q in questions
    ]
    due = quiz_due_at(quiz=quiz, user=request.user)
    return render(
        request,
        "quizzes/take.html",
        {
            "term": term,
            "quiz": quiz,
            "items": items,
            "due": due,
            "past_due": due.is_late(timezone.now()),
            "attempts": attempts,
            "attempts_left": max(quiz.max_attempts - len(attempts), 0),
            "best": selectors.counted_best(attempts),
            "submit_token": secrets.token_urlsafe(24),
            "number_hint": _number_hint(term),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def take(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    """The quiz's questions, my due date and the attempts I have left."""
    term, quiz = _taker_quiz(request, slug, quiz_id)
    return _render_take(request, term, quiz)


@login_required
@require_POST
def submit(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    term, quiz = _taker_quiz(request, slug, quiz_id)
    questions = list(selectors.questions_with_keys(quiz=quiz))
    answers = answers_from_post(request.POST, questions)
    try:
        attempt = services.attempt_submit(
            quiz=quiz,
            user=request.user,
            answers=answers,
            submit_token=str(request.POST.get("submit_token", "")),
        )
    except ServiceError as error:
        return _render_take(
            request,
            term,
            quiz,
            raw=answers,
            error=error.message,
            field_errors=error.field_errors,
            status=error.http_status,
        )
    return redirect("quizzes:attempt", term.slug, quiz.pk, attempt.number)


@login_required
@require_GET
def attempt(request: HttpRequest, slug: str, quiz_id: int, number: int) -> HttpResponse:
    """The feedback on one of my attempts: each question right or wrong, the accepted answer and
    what I typed."""
    term, quiz = _taker_quiz(request, slug, quiz_id)
    stored = selectors.attempt_with_answers(quiz=quiz, user=request.user, number=number)
    rows = [
        {
            "answer": answer,
            "accepted": selectors.accepted_answers_text(
                answer.question, number_format=term.number_format
            ),
        }
        for answer in stored.answers.all()
    ]
    used = selectors.attempts_of(quiz=quiz, user=request.user)
    attempts_left = max(quiz.max_attempts - len(used), 0)
    # The answers would help the next attempt that counts: show them only to someone who can no
    # longer change their score, because no attempt is left or their due date has passed (a late
    # attempt never counts, see ``selectors.counted_best``).
    reveal = attempts_left == 0 or quiz_due_at(quiz=quiz, user=request.user).is_late(timezone.now())
    return render(
        request,
        "quizzes/attempt.html",
        {
            "term": term,
            "quiz": quiz,
            "attempt": stored,
            "rows": rows,
            "attempts_left": attempts_left,
            "reveal_answers": reveal,
        },
    )


def _render_edit(
    request: HttpRequest,
    term: Term,
    quiz: Quiz,
    *,
    bound: QuestionEditor | None = None,
    new_form: NewQuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    editors = [
        bound
        if bound is not None and bound.question.pk == question.pk
        else QuestionEditor(question, number_format=term.number_format)
        for question in selectors.questions_with_keys(quiz=quiz)
    ]
    saved = request.GET.get("saved", "")
    return render(
        request,
        "quizzes/edit.html",
        {
            "term": term,
            "quiz": quiz,
            "editors": editors,
            "new_form": new_form or NewQuestionForm(),
            "attempt_count": selectors.quiz_attempt_count(quiz=quiz),
            "saved": int(saved) if saved.isdigit() else None,
            "last_regrade": selectors.regrade_latest(quiz=quiz),
        },
        status=status,
    )


@login_required
@require_GET
def edit(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    """The organizer's page: every question with its accepted answers, and the regrade button."""
    term, quiz = _editor_quiz(request, slug, quiz_id)
    return _render_edit(request, term, quiz)


@login_required
@require_POST
def question_add(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    term, quiz = _editor_quiz(request, slug, quiz_id)
    form = NewQuestionForm(request.POST)
    if not form.is_valid():
        return _render_edit(request, term, quiz, new_form=form, status=400)
    try:
        question = services.question_add(quiz=quiz, actor=request.user, **form.cleaned_data)
    except ServiceError as error:
        form.add_error(None, error.message)
        return _render_edit(request, term, quiz, new_form=form, status=error.http_status)
    messages.success(request, "Question added: now give its accepted answers.")
    return redirect(f"{reverse('quizzes:edit', args=[term.slug, quiz.pk])}#question-{question.pk}")


@login_required
@require_POST
def question_save(request: HttpRequest, slug: str, quiz_id: int, question_id: int) -> HttpResponse:
    term, quiz = _editor_quiz(request, slug, quiz_id)
    question = get_object_or_404(selectors.questions_with_keys(quiz=quiz), pk=question_id)
    editor = QuestionEditor(question, number_format=term.number_format, data=request.POST)
    if not editor.is_valid():
        return _render_edit(request, term, quiz, bound=editor, status=400)
    arguments: dict[str, Any] = editor.update_arguments()
    try:
        services.question_update(question=question, actor=request.user, **arguments)
    except ServiceError as error:
        editor.error = error.message
        return _render_edit(request, term, quiz, bound=editor, status=error.http_status)
    messages.success(
        request, "Question saved. Stored attempts keep their grades until you regrade."
    )
    url = reverse("quizzes:edit", args=[term.slug, quiz.pk])
    return redirect(f"{url}?saved={question.pk}#question-{question.pk}")


@login_required
@require_POST
def regrade(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    term, quiz = _editor_quiz(request, slug, quiz_id)
    try:
        done = services.quiz_regrade(quiz=quiz, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Regraded {done.attempts_checked} attempt{'s' if done.attempts_checked != 1 else ''}:"
            f" {done.attempts_changed} changed. Everyone whose result changed was emailed.",
        )
    return redirect("quizzes:edit", term.slug, quiz.pk)
