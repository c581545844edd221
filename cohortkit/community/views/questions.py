"""Public questions: asking on the program page, the questions page with search, moderation."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cohortkit.common.errors import ServiceError
from cohortkit.community import rules, selectors, services
from cohortkit.community.forms import (
    AnswerForm,
    CommunitySettingsForm,
    MergeForm,
    QuestionEditForm,
    QuestionForm,
    QuestionSearchForm,
    add_service_errors,
)
from cohortkit.community.models import MAX_QUESTION_CHARACTERS, QuestionStatus
from cohortkit.community.views.common import (
    public_term,
    question_draft,
    question_draft_forget,
    question_draft_keep,
)
from cohortkit.programs.models import Term
from cohortkit.programs.selectors import term_get


def _questions_page(
    request: HttpRequest, term: Term, ask_form: QuestionForm | None = None, status: int = 200
) -> HttpResponse:
    search_form = QuestionSearchForm(request.GET or None)
    query = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    found = list(selectors.questions_search(term=term, query=query)[:200])
    return render(
        request,
        "community/questions.html",
        {
            "term": term,
            "program": term.program,
            "search_form": search_form,
            "query": query,
            "questions": found,
            "ask_form": ask_form or QuestionForm(initial={"body": question_draft(request, term)}),
            "waiting": selectors.my_waiting_questions(user=request.user, term=term),
        },
        status=status,
    )


def questions(request: HttpRequest, slug: str) -> HttpResponse:
    """Every answered question of the program, pinned first, with a search over them."""
    return _questions_page(request, public_term(request, slug))


@require_POST
def question_ask(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask on the program page. Signed out: the text is kept in the session and the visitor is
    sent to sign up (or log in) and back to the page, where the form has it again."""
    term = public_term(request, slug)
    form = QuestionForm(request.POST)
    text = request.POST.get("body", "")[: MAX_QUESTION_CHARACTERS * 2]
    back = reverse("programs:term_detail", args=[term.slug]) + "#ask-question"
    if not request.user.is_authenticated:
        question_draft_keep(request, term, text)
        messages.info(
            request,
            "Sign up or log in to ask: your question is kept and will be waiting in the form.",
        )
        return redirect(reverse("accounts:signup") + "?" + urlencode({"next": back}))
    if form.is_valid():
        try:
            question = services.question_ask(
                term=term, asker=request.user, body=form.cleaned_data["body"]
            )
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            question_draft_forget(request, term)
            if question.status == QuestionStatus.PUBLISHED:
                messages.success(request, "Thank you: your question is on the page.")
            else:
                messages.success(
                    request,
                    "Thank you: your question waits for an organizer, and we will email you "
                    "the answer.",
                )
            return redirect(back)
    question_draft_keep(request, term, text)
    return _questions_page(request, term, ask_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def questions_moderate(request: HttpRequest, slug: str) -> HttpResponse:
    """Organizers: every question of the program, the waiting ones first, and the term's rules."""
    term = term_get(slug=slug)
    rules.require_organizer(request, term)
    current = selectors.community_settings_for(term)
    settings_form = CommunitySettingsForm(
        initial={
            "questions_appear_at_once": current.questions_appear_at_once,
            "max_open_questions_per_person": current.max_open_questions_per_person,
        }
    )
    status_code = 200
    if request.method == "POST":
        settings_form = CommunitySettingsForm(request.POST)
        if settings_form.is_valid():
            try:
                services.community_settings_update(
                    term=term, actor=request.user, **settings_form.cleaned_data
                )
            except ServiceError as error:
                add_service_errors(settings_form, error)
            else:
                messages.success(request, "Question settings saved.")
                return redirect("community:questions_moderate", slug=term.slug)
        status_code = 400
    status = request.GET.get("status", "")
    if status not in QuestionStatus.values:
        status = ""
    return render(
        request,
        "community/questions_moderate.html",
        {
            "term": term,
            "questions": list(selectors.questions_for_moderation(term=term, status=status)),
            "status": status,
            "statuses": QuestionStatus.choices,
            "settings_form": settings_form,
        },
        status=status_code,
    )


ACTIONS = {"answer", "edit", "publish", "pin", "unpin", "hide", "merge", "private"}


@login_required
@require_POST
def question_action(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Organizers act on one question: answer, edit, publish, pin or unpin, hide, merge, or
    make it a private conversation."""
    term = term_get(slug=slug)
    rules.require_organizer(request, term)
    question = rules.require_question_of_program(selectors.question_get(pk=pk), term)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404("No such action")
    back = reverse("community:questions_moderate", args=[term.slug]) + f"#question-{pk}"
    try:
        if action == "answer":
            form = AnswerForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Write the answer first; nothing was saved.")
                return redirect(back)
            services.question_answer(
                question=question, actor=request.user, answer=form.cleaned_data["answer"]
            )
            messages.success(request, "Answered; the asker is emailed the answer.")
        elif action == "edit":
            edit_form = QuestionEditForm(request.POST)
            if not edit_form.is_valid():
                messages.error(request, "The question cannot be empty; nothing was saved.")
                return redirect(back)
            services.question_edit(
                question=question, actor=request.user, body=edit_form.cleaned_data["body"]
            )
            messages.success(request, "Question edited.")
        elif action == "publish":
            services.question_publish(question=question, actor=request.user)
            messages.success(request, "The question is on the page.")
        elif action in ("pin", "unpin"):
            services.question_pin(question=question, actor=request.user, pinned=action == "pin")
            messages.success(request, "In the FAQ." if action == "pin" else "Taken out of the FAQ.")
        elif action == "hide":
            services.question_hide(question=question, actor=request.user)
            messages.success(request, "Hidden.")
        elif action == "merge":
            merge_form = MergeForm(request.POST)
            target = (
                selectors.question_get(pk=merge_form.cleaned_data["into"])
                if merge_form.is_valid()
                else None
            )
            if target is None or target.program_id != term.program_id:
                messages.error(request, "There is no such question to merge into; nothing changed.")
                return redirect(back)
            services.question_merge(duplicate=question, into=target, actor=request.user)
            messages.success(request, f"Merged into question {target.pk}.")
        else:
            conversation = services.question_make_private(question=question, actor=request.user)
            messages.success(request, "It is now a private conversation; the asker is told.")
            return redirect(
                "community:inbox_detail", slug=conversation.term.slug, pk=conversation.pk
            )
    except ServiceError as error:
        messages.error(request, f"{error.message} Nothing changed.")
    return redirect(back)
