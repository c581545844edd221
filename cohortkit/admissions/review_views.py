"""Pages of reviewing and decisions: reviewers' assignments and review form, the organizers'
review settings, ranked table, CSV export, staging and release, and the applicant's decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role, User
from cohortkit.admissions import decisions, review_selectors, reviewing, selectors
from cohortkit.admissions.export import ranking_csv_lines
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    ApplicationStatus,
    FormQuestion,
    RubricCategory,
)
from cohortkit.admissions.review_forms import (
    ManualAssignForm,
    ReviewSettingsForm,
    RubricCategoryForm,
    StageForm,
)
from cohortkit.admissions.services import AdmissionsError
from cohortkit.common.timezones import person_time_zone
from cohortkit.programs.models import Term, Track
from cohortkit.programs.selectors import term_get

REVIEW_ROLES = (Role.REVIEWER, Role.ORGANIZER)


def _organizer_form(request: HttpRequest, slug: str, kind: str) -> ApplicationForm:
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.ORGANIZER)
    return selectors.form_get(term=term, kind=kind)


def _shows_names(form: ApplicationForm, roles: frozenset[str]) -> bool:
    return not form.blind_review or Role.ORGANIZER in roles


# Reviewers ---------------------------------------------------------------------------------


@login_required
@require_GET
def review_assignments(request: HttpRequest, slug: str) -> HttpResponse:
    """A reviewer's list of assigned applications, with what is done and what is left."""
    term = term_get(slug=slug)
    roles = account_rules.require_term_role(request, term, *REVIEW_ROLES)
    assignments = review_selectors.assignments_of_reviewer(term=term, reviewer=request.user)
    return render(
        request,
        "admissions/review/assignments.html",
        {
            "term": term,
            "assignments": assignments,
            "left": sum(
                1
                for item in assignments
                if not getattr(item, "reviewed", False) and not getattr(item, "closed", False)
            ),
            "is_organizer": Role.ORGANIZER in roles,
        },
    )


def _scores_from_post(request: HttpRequest, categories: list[RubricCategory]) -> dict[int, int]:
    scores: dict[int, int] = {}
    for category in categories:
        text = str(request.POST.get(f"score-{category.pk}", "")).strip()
        if text.isdigit():
            scores[category.pk] = int(text)
    return scores


@login_required
@require_http_methods(["GET", "POST"])
def review_application(request: HttpRequest, slug: str, application_id: int) -> HttpResponse:
    """One application as a reviewer sees it (visible questions only; no names when blind) and
    the rubric to score it. Unassigned applications are 404 to reviewers."""
    term = term_get(slug=slug)
    roles = account_rules.require_term_role(request, term, *REVIEW_ROLES)
    application = review_selectors.application_for_review(
        term=term, application_id=application_id, user=request.user, roles=roles
    )
    form = application.form
    categories = review_selectors.rubric_of(form=form)
    assigned = application.review_assignments.filter(reviewer_id=request.user.pk).exists()
    error, field_errors, status = "", {}, 200
    posted: dict[int, int] = {}
    if request.method == "POST":
        posted = _scores_from_post(request, categories)
        try:
            reviewing.review_submit(
                application=application,
                reviewer=request.user,
                scores=posted,
                comment=str(request.POST.get("comment", "")),
            )
        except AdmissionsError as problem:
            error, field_errors, status = problem.message, problem.field_errors, 400
        else:
            messages.success(request, "Your review is saved. You can change it until release.")
            return redirect("admissions:review_assignments", slug=slug)
    review = review_selectors.review_of(application=application, reviewer=request.user)
    current = posted or (review.scores if review else {})
    return render(
        request,
        "admissions/review/application.html",
        {
            "term": term,
            "form": form,
            "application": application,
            "shows_names": _shows_names(form, roles),
            "answers": review_selectors.answers_for_reviewers(application=application),
            "categories": [
                {
                    "category": category,
                    "value": current.get(category.pk, ""),
                    "error": field_errors.get(str(category.pk), ""),
                    "range": range(category.max_score + 1),
                }
                for category in categories
            ],
            "review": review,
            "comment": request.POST.get("comment", review.comment if review else ""),
            "assigned": assigned,
            "closed": reviewing.decision_is_released(application),
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def review_conflict(request: HttpRequest, slug: str, application_id: int) -> HttpResponse:
    """The reviewer declares a conflict of interest with the applicant and hands the
    application back."""
    term = term_get(slug=slug)
    roles = account_rules.require_term_role(request, term, *REVIEW_ROLES)
    application = review_selectors.application_for_review(
        term=term, application_id=application_id, user=request.user, roles=roles
    )
    if request.POST.get("confirm") != "yes":
        # Handing an application back cannot be undone by the reviewer: ask first.
        messages.error(
            request,
            "Nothing was handed back: tick “I have a conflict of interest” to confirm.",
        )
        return redirect("admissions:review_application", slug=slug, application_id=application.pk)
    try:
        reviewing.reviewer_conflict_declare(
            term=term, reviewer=request.user, applicant=application.applicant, actor=request.user
        )
    except AdmissionsError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, "Conflict recorded; the application was handed back.")
    return redirect("admissions:review_assignments", slug=slug)


# Organizers: settings, rubric, assignments -------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_settings(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Organizers: blind mode, k, the confirmation deadline, the rubric, and assigning reviewers
    (automatically, or one by hand). Every change is one POST with an ``action``."""
    form = _organizer_form(request, slug, kind)
    term = form.term
    reviewers = review_selectors.term_reviewers(term=term)
    settings_form = ReviewSettingsForm.for_form(
        form, person_time_zone(request.user, term.time_zone)
    )
    category_form = RubricCategoryForm(prefix="new")
    assign_form = ManualAssignForm(prefix="assign", reviewers=reviewers)
    action = str(request.POST.get("action", ""))
    status = 200
    try:
        if request.method == "POST":
            response = _review_settings_post(request, form, action, reviewers)
            if response is not None:
                return response
    except _InvalidFormError as invalid:
        status = 400
        if action == "settings":
            settings_form = invalid.django_form
        elif action == "category-add":
            category_form = invalid.django_form
        elif action in {"assign-one", "unassign-one"}:
            assign_form = invalid.django_form
    return render(
        request,
        "admissions/review/settings.html",
        {
            "term": term,
            "form": form,
            "settings_form": settings_form,
            "category_form": category_form,
            "assign_form": assign_form,
            "categories": [
                (category, RubricCategoryForm(prefix=f"c{category.pk}", initial=category.__dict__))
                for category in review_selectors.rubric_of(form=form)
            ],
            "loads": review_selectors.reviewer_loads(form=form),
            "submitted": Application.objects.filter(
                form=form, status=ApplicationStatus.SUBMITTED
            ).count(),
        },
        status=status,
    )


class _InvalidFormError(Exception):
    def __init__(self, django_form: Any) -> None:
        super().__init__("invalid form")
        self.django_form = django_form


def _review_settings_post(
    request: HttpRequest, form: ApplicationForm, action: str, reviewers: list[User]
) -> HttpResponse | None:
    here = reverse("admissions:review_settings", args=[form.term.slug, form.kind])
    try:
        if action == "settings":
            settings_form = ReviewSettingsForm(request.POST)
            if not settings_form.is_valid():
                raise _InvalidFormError(settings_form)
            data = settings_form.cleaned_data
            reviewing.review_settings_update(
                form=form,
                blind_review=data["blind_review"],
                reviews_per_application=data["reviews_per_application"],
                confirmation_deadline=settings_form.confirmation_deadline(),
                offer_response_days=data["offer_response_days"],
                actor=request.user,
            )
            messages.success(request, "Review settings saved.")
        elif action in {"category-add", "category-update"}:
            category = None
            prefix = "new"
            if action == "category-update":
                category = get_object_or_404(
                    RubricCategory, form=form, pk=request.POST.get("category")
                )
                prefix = f"c{category.pk}"
            category_form = RubricCategoryForm(request.POST, prefix=prefix)
            if not category_form.is_valid():
                raise _InvalidFormError(category_form)
            data = category_form.cleaned_data
            reviewing.rubric_category_save(
                form=form,
                category=category,
                name=data["name"],
                description=data["description"],
                weight=data["weight"],
                max_score=data["max_score"],
                actor=request.user,
            )
            messages.success(request, f"Rubric category “{data['name']}” saved.")
        elif action == "category-delete":
            category = get_object_or_404(RubricCategory, form=form, pk=request.POST.get("category"))
            reviewing.rubric_category_delete(category=category, actor=request.user)
            messages.success(request, f"Rubric category “{category.name}” removed.")
        elif action == "assign-auto":
            summary = reviewing.reviews_assign(
                form=form,
                reviewers=reviewers,
                per_application=form.reviews_per_application,
                actor=request.user,
            )
            text = f"{summary.created} new assignment(s)."
            if summary.short:
                text += (
                    f" {len(summary.short)} application(s) have fewer than "
                    f"{form.reviews_per_application} eligible reviewers."
                )
            messages.success(request, text)
        elif action in {"assign-one", "unassign-one"}:
            assign_form = ManualAssignForm(request.POST, prefix="assign", reviewers=reviewers)
            if not assign_form.is_valid():
                raise _InvalidFormError(assign_form)
            application = Application.objects.filter(
                form=form, applicant__email__iexact=assign_form.cleaned_data["applicant_email"]
            ).first()
            if application is None:
                assign_form.add_error("applicant_email", "No application from this address.")
                raise _InvalidFormError(assign_form)
            reviewer = assign_form.cleaned_data["reviewer"]
            if action == "assign-one":
                reviewing.review_assignment_create(
                    application=application, reviewer=reviewer, actor=request.user
                )
                messages.success(request, f"Assigned to {reviewer.name or reviewer.email}.")
            else:
                removed = reviewing.review_assignment_delete(
                    application=application, reviewer=reviewer, actor=request.user
                )
                messages.success(
                    request,
                    f"Taken back from {reviewer.name or reviewer.email}."
                    if removed
                    else "That application was not assigned to them.",
                )
        else:
            messages.error(request, "Unknown action.")
    except AdmissionsError as problem:
        messages.error(request, problem.message)
    return redirect(here)


# Organizers: ranked table, export, staging, release ---------------------------------------


def _ranking_context(request: HttpRequest, form: ApplicationForm) -> dict[str, Any]:
    filters = review_selectors.ranking_filters(form=form, params=request.GET)
    tracks = list(Track.objects.filter(term=form.term))
    rows = review_selectors.ranking_rows(form=form, filters=filters)
    return {
        "term": form.term,
        "form": form,
        "filters": filters,
        "columns": review_selectors.ranking_columns(filters),
        "rows": [(row, _stage_form(row, tracks)) for row in rows],
        "query": request.GET.urlencode(),
        "next_url": request.get_full_path(),
        "pending": decisions.decisions_pending_release(form=form),
        "categories": review_selectors.rubric_of(form=form),
    }


def _stage_form(row: review_selectors.RankedRow, tracks: list[Track]) -> StageForm:
    initial: dict[str, Any] = {}
    decision = row.decision
    if decision is not None:
        initial["choice"] = f"{decision.outcome}:{decision.track.slug if decision.track else ''}"
        initial["waitlist_rank"] = decision.waitlist_rank
    return StageForm(prefix=f"a{row.application.pk}", initial=initial, tracks=tracks)


@login_required
@require_GET
def ranking(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Organizers: applications ranked by aggregate score, filtered by answers, decided per row."""
    form = _organizer_form(request, slug, kind)
    return render(request, "admissions/review/ranking.html", _ranking_context(request, form))


@login_required
@require_GET
def ranking_export(request: HttpRequest, slug: str, kind: str) -> StreamingHttpResponse:
    """The ranked table (with the same filters) and every answer, as spreadsheet-safe CSV."""
    form = _organizer_form(request, slug, kind)
    filters = review_selectors.ranking_filters(form=form, params=request.GET)
    rows = review_selectors.ranking_rows(form=form, filters=filters, with_all_answers=True)
    questions = list(FormQuestion.objects.filter(form=form))
    response = StreamingHttpResponse(
        ranking_csv_lines(form=form, questions=questions, rows=rows),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"{form.term.slug}-{form.kind}-applications.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _back_to_ranking(request: HttpRequest, form: ApplicationForm) -> HttpResponse:
    target = str(request.POST.get("next", ""))
    # Only a path: ``redirect`` reads any other word (``1e30``) as a URL name and fails.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("admissions:ranking", args=[form.term.slug, form.kind])
    return redirect(target)


@login_required
@require_POST
def decision_stage(request: HttpRequest, slug: str, kind: str, application_id: int) -> HttpResponse:
    """Stage one row's decision; htmx gets the row back, a plain form post the table."""
    form = _organizer_form(request, slug, kind)
    application = get_object_or_404(
        Application.objects.select_related("form__term", "applicant"),
        pk=application_id,
        form=form,
    )
    tracks = list(Track.objects.filter(term=form.term))
    stage_form = StageForm(request.POST, prefix=f"a{application.pk}", tracks=tracks)
    error = ""
    if stage_form.is_valid():
        outcome, track = stage_form.outcome()
        try:
            decisions.decision_stage(
                application=application,
                outcome=outcome,
                track=track,
                waitlist_rank=stage_form.cleaned_data.get("waitlist_rank"),
                actor=request.user,
            )
        except AdmissionsError as problem:
            error = problem.message
    else:
        error = "; ".join(
            str(message) for field_errors in stage_form.errors.values() for message in field_errors
        )
    if request.htmx:  # type: ignore[attr-defined]
        row = next(
            (
                item
                for item in review_selectors.ranking_rows(
                    form=form, filters=review_selectors.ranking_filters(form=form, params={})
                )
                if item.application.pk == application.pk
            ),
            None,
        )
        if row is None:
            raise Http404("No such application")
        rank_text = str(request.POST.get("rank", ""))
        row.rank = int(rank_text) if rank_text.isdigit() else row.rank
        return render(
            request,
            "admissions/review/_ranking_row.html",
            {
                "row": row,
                "stage_form": _stage_form(row, tracks),
                "form": form,
                "term": form.term,
                "row_error": error,
                "categories": review_selectors.rubric_of(form=form),
                "columns": review_selectors.ranking_columns(
                    review_selectors.ranking_filters(form=form, params={})
                ),
                "next_url": str(request.POST.get("next", "")),
                "oob": True,
                "pending": decisions.decisions_pending_release(form=form),
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, f"{application.applicant.email}: {error}")
    else:
        messages.success(request, f"Decision staged for {application.applicant.email}.")
    return _back_to_ranking(request, form)


@login_required
@require_POST
def decisions_release(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Release every staged decision of the form: one email to each person newly decided."""
    form = _organizer_form(request, slug, kind)
    try:
        released = decisions.decisions_release(form=form, actor=request.user)
    except AdmissionsError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(
            request,
            f"{released} decision(s) released; {released} email(s) on their way."
            if released
            else "There were no staged decisions to release.",
        )
    return _back_to_ranking(request, form)


# Applicants --------------------------------------------------------------------------------


def _own_application(request: HttpRequest, slug: str, kind: str) -> tuple[Term, Application]:
    term = term_get(slug=slug)
    form = selectors.form_get(term=term, kind=kind)
    application = selectors.application_of(form=form, user=request.user)
    if application is None or application.status == ApplicationStatus.DRAFT:
        raise Http404("You have no application on this form.")
    return term, application


@login_required
@require_GET
def my_decision(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """The applicant's decision once released, and their offer to confirm or decline."""
    term, application = _own_application(request, slug, kind)
    decision = getattr(application, "decision", None)
    released = decision if decision is not None and decision.released_at else None
    enrollment = decisions.enrollment_of(form=application.form, user=request.user)
    return render(
        request,
        "admissions/review/my_decision.html",
        {
            "term": term,
            "form": application.form,
            "application": application,
            "decision": released,
            "enrollment": enrollment if released or enrollment else None,
            "can_answer": enrollment is not None
            and enrollment.status == "offered"
            and enrollment.confirm_by is not None
            and timezone.now() < enrollment.confirm_by,
        },
    )


@login_required
@require_POST
def my_decision_respond(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Confirm or decline the offered place; the server checks ``confirm_by``."""
    _, application = _own_application(request, slug, kind)
    enrollment = decisions.enrollment_of(form=application.form, user=request.user)
    if enrollment is None:
        raise Http404("No offer")
    answer = str(request.POST.get("answer", ""))
    try:
        if answer == "confirm":
            decisions.enrollment_confirm(enrollment=enrollment, user=request.user)
            messages.success(request, "Thank you: your place is confirmed.")
        elif answer == "decline" and request.POST.get("confirm_decline") != "yes":
            # Declining cannot be undone: a stray click changes nothing.
            messages.error(
                request, "Nothing was declined: tick “Yes, I give up my place” to confirm."
            )
            return redirect("admissions:my_decision", slug=slug, kind=kind)
        elif answer == "decline":
            decisions.enrollment_decline(enrollment=enrollment, user=request.user)
            messages.success(request, "You declined the place; thank you for telling us.")
        else:
            messages.error(request, "Choose confirm or decline.")
    except AdmissionsError as problem:
        messages.error(request, problem.message)
        return render(
            request,
            "admissions/review/my_decision.html",
            {
                "term": application.form.term,
                "form": application.form,
                "application": application,
                "decision": getattr(application, "decision", None),
                "enrollment": decisions.enrollment_of(form=application.form, user=request.user),
                "can_answer": False,
            },
            status=403,
        )
    return redirect("admissions:my_decision", slug=slug, kind=kind)
