"""The organizers' completion page and rule, the end-of-course feedback form, its summary and
export, and the facilitators' section ratings. Each view parses, authorizes, calls a service,
renders or redirects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohortkit.accounts.models import User
from cohortkit.common.errors import ServiceError
from cohortkit.completion import rules, selectors, services
from cohortkit.completion.feedback import (
    FACILITATOR_MIN_RESPONSES,
    facilitator_feedback,
    feedback_csv_lines,
    feedback_summary,
)
from cohortkit.completion.forms import OverrideForm, PassMarkForm, ReasonForm, RuleForm
from cohortkit.completion.models import FeedbackForm, FeedbackResponse
from cohortkit.completion.rule import rules_of_term, term_rule_sentences
from cohortkit.programs.models import Quiz, Term, Track
from cohortkit.programs.selectors import term_get

ANSWER_PREFIX = "answer-"
STATUS_FILTERS = {
    "": "Everyone",
    selectors.ON_TRACK: "On track",
    selectors.AT_RISK: "At risk",
    selectors.CANNOT: "Cannot complete any more",
}


def _organizer_term(request: HttpRequest, slug: str) -> Term:
    term = term_get(slug=slug)
    rules.require_organizer(request, term)
    return term


def _refused(request: HttpRequest, error: ServiceError) -> None:
    details = "; ".join(error.field_errors.values())
    messages.error(request, f"{error.message} {details}".strip())


# Completion ------------------------------------------------------------------------------


@login_required
@require_GET
def my_progress(request: HttpRequest, slug: str) -> HttpResponse:
    """The participant's progress in plain words: the week page loads it with htmx (so the
    week page itself stays light); without script it is a page of its own."""
    term = term_get(slug=slug)
    rules.require_participant(request, term)
    progress = selectors.progress_of(term=term, user=request.user)
    template = (
        "completion/_progress.html"
        if getattr(request, "htmx", False)
        else "completion/my_progress.html"
    )
    return render(request, template, {"term": term, "progress": progress})


@login_required
@require_GET
def completion_page(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    page = selectors.completion_rows(term=term)
    wanted = request.GET.get("status", "")
    rows = page.rows
    if wanted in STATUS_FILTERS and wanted:
        rows = [row for row in rows if row.progress.status == wanted]
    return render(
        request,
        "completion/completion.html",
        {
            "term": term,
            "page": page,
            "rows": rows,
            "status": wanted,
            "filters": STATUS_FILTERS,
            "sentences": term_rule_sentences(term=term),
        },
    )


@login_required
@require_POST
def completion_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    try:
        summary = services.completion_confirm(term=term, actor=request.user)
    except ServiceError as error:
        _refused(request, error)
    else:
        if summary.confirmed:
            messages.success(
                request,
                f"Confirmed {len(summary.confirmed)}: {len(summary.newly_completed)} completed.",
            )
        else:
            messages.info(request, "Nothing new to confirm: everyone's outcome is confirmed.")
    return redirect("completion:page", slug=term.slug)


def _participant(term: Term, user_id: int) -> User:
    return get_object_or_404(
        User, pk=user_id, memberships__term=term, memberships__role="participant"
    )


@login_required
@require_POST
def completion_override(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    term = _organizer_term(request, slug)
    person = _participant(term, user_id)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick an outcome.")
        return redirect("completion:page", slug=term.slug)
    try:
        services.completion_override_set(
            term=term,
            user=person,
            actor=request.user,
            completes=form.completes(),
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Outcome for {person.name or person.email} saved.")
    return redirect("completion:page", slug=term.slug)


@login_required
@require_POST
def completion_resolve(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """A verdict changed after confirmation: accept the new one, or keep the confirmed one
    (with a reason)."""
    term = _organizer_term(request, slug)
    person = _participant(term, user_id)
    try:
        if request.POST.get("action") == "apply":
            services.completion_confirm(
                term=term, actor=request.user, users=[person], apply_changed_verdicts=True
            )
            messages.success(request, f"New verdict confirmed for {person.name or person.email}.")
        else:
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.completion_keep_confirmed(
                term=term, user=person, actor=request.user, reason=reason
            )
            messages.success(
                request, f"Kept the confirmed outcome of {person.name or person.email}."
            )
    except ServiceError as error:
        _refused(request, error)
    return redirect("completion:page", slug=term.slug)


# The rule --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rule_page(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    ruleset = rules_of_term(term=term)
    tracks = list(Track.objects.filter(term=term).order_by("position", "id"))
    status = 200
    forms = {"": RuleForm(prefix="term", initial=RuleForm.initial_for(ruleset.term_rule))}
    for each in tracks:
        forms[str(each.pk)] = RuleForm(
            prefix=f"track-{each.pk}", initial=RuleForm.initial_for(ruleset.for_track(each.pk))
        )
    if request.method == "POST":
        which = request.POST.get("which", "")
        chosen = next((item for item in tracks if str(item.pk) == which), None)
        if which and chosen is None:
            return redirect("completion:rule", slug=term.slug)
        track = chosen
        if track is not None and request.POST.get("follow_term"):
            services.completion_rule_remove_track(term=term, actor=request.user, track=track)
            messages.success(request, f"{track.name} follows the term's rule again.")
            return redirect("completion:rule", slug=term.slug)
        prefix = f"track-{track.pk}" if track else "term"
        form = RuleForm(request.POST, prefix=prefix)
        forms[which] = form
        if form.is_valid():
            values = dict(form.cleaned_data)
            if track is not None:
                values.pop("excused_counts")
                values.pop("facilitator_certificates")
            try:
                rule = services.completion_rule_set(
                    term=term, actor=request.user, values=values, track=track
                )
            except ServiceError as error:
                for name, message in error.field_errors.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                if rule.feedback_required:
                    services.feedback_form_default(term=term, actor=request.user)
                messages.success(request, f"Completion rule saved (version {rule.version}).")
                return redirect("completion:rule", slug=term.slug)
        status = 400
    quizzes = list(
        Quiz.objects.filter(week__term=term)
        .select_related("week", "pass_mark")
        .order_by("week__number", "position", "id")
    )
    return render(
        request,
        "completion/rule.html",
        {
            "term": term,
            "ruleset": ruleset,
            "term_form": forms[""],
            "track_forms": [  # (track, its form, whether it has a rule of its own)
                (track, forms[str(track.pk)], track.pk in ruleset.track_rules) for track in tracks
            ],
            "quizzes": quizzes,
            "sentences": term_rule_sentences(term=term),
        },
        status=status,
    )


@login_required
@require_POST
def pass_mark(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    term = _organizer_term(request, slug)
    quiz = get_object_or_404(Quiz.objects.select_related("week__term"), pk=quiz_id, week__term=term)
    form = PassMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Use a pass mark from 1 to 100 %, or leave it empty.")
    else:
        try:
            services.quiz_pass_mark_set(
                quiz=quiz, actor=request.user, pass_percent=form.cleaned_data["pass_percent"]
            )
        except ServiceError as error:
            _refused(request, error)
        else:
            messages.success(request, f"Pass mark of {quiz.title} saved.")
    return redirect("completion:rule", slug=term.slug)


# End-of-course feedback -----------------------------------------------------------------


def _raw_answers(request: HttpRequest, form: FeedbackForm) -> dict[str, str]:
    return {
        question.key: str(request.POST.get(ANSWER_PREFIX + question.key, ""))
        for question in form.questions.all()
    }


@login_required
@require_http_methods(["GET", "POST"])
def feedback_form(request: HttpRequest, slug: str) -> HttpResponse:
    term = term_get(slug=slug)
    rules.require_participant(request, term)
    user = request.user
    assert isinstance(user, User)
    form = FeedbackForm.objects.filter(term=term).first()
    response = FeedbackResponse.objects.filter(form=form, user=user).first() if form else None
    raw: dict[str, str] = {}
    field_errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and form is not None:
        raw = _raw_answers(request, form)
        try:
            response = services.feedback_submit(form=form, user=user, raw_answers=raw)
        except ServiceError as error:
            messages.error(request, error.message)
            field_errors = error.field_errors
            status = error.http_status
        else:
            messages.success(request, "Thank you: your feedback was sent.")
            return redirect("completion:feedback", slug=term.slug)
    now = timezone.now()
    return render(
        request,
        "completion/feedback_form.html",
        {
            "term": term,
            "form": form,
            "response": response,
            "is_open": form is not None and form.opens_at <= now < form.closes_at,
            "questions": [
                {
                    "question": question,
                    "raw": raw.get(question.key, ""),
                    "error": field_errors.get(question.key, ""),
                }
                for question in (form.questions.all() if form else [])
            ],
        },
        status=status,
    )


@login_required
@require_GET
def feedback_summary_page(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    form = FeedbackForm.objects.filter(term=term).first()
    return render(
        request,
        "completion/feedback_summary.html",
        {"term": term, "form": form, "summary": feedback_summary(form=form) if form else None},
    )


@login_required
@require_POST
def feedback_create(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    services.feedback_form_default(term=term, actor=request.user)
    messages.success(request, "The feedback form is ready; it opens in the last week.")
    return redirect("completion:feedback_summary", slug=term.slug)


@login_required
@require_GET
def feedback_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    term = _organizer_term(request, slug)
    form = get_object_or_404(FeedbackForm, term=term)
    response = StreamingHttpResponse(feedback_csv_lines(form=form), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{term.slug}-feedback.csv"'
    return response


@login_required
@require_GET
def section_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    term = term_get(slug=slug)
    rules.require_facilitator_or_organizer(request, term)
    summary, too_few = facilitator_feedback(term=term, user=request.user)
    return render(
        request,
        "completion/section_feedback.html",
        {
            "term": term,
            "summary": summary,
            "too_few": too_few,
            "minimum": FACILITATOR_MIN_RESPONSES,
        },
    )
