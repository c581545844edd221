"""Reviewing: reviewers' assignments and review form, and the organizers' review settings
(blind mode, reviewers per application, the rubric, assigning reviewers).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohortkit.accounts.models import Role, User
from cohortkit.admissions import rules
from cohortkit.admissions.forms import (
    ManualAssignForm,
    ReviewSettingsForm,
    RubricCategoryForm,
)
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    ApplicationKind,
    ApplicationStatus,
    ReviewAssignment,
    RubricCategory,
)
from cohortkit.admissions.selectors.reviewing import (
    ASSIGNMENT_STATES,
    REVIEWER_STATES,
    answers_for_reviewers,
    assignment_counts,
    assignments_in_state,
    decision_is_released,
    review_of,
    reviewer_assignments,
    reviewer_load_rows,
    rubric_of,
    term_reviewers,
)
from cohortkit.admissions.services import reviewing
from cohortkit.common.errors import ServiceError
from cohortkit.common.tables import Column, table_page, table_rows
from cohortkit.common.timezones import person_time_zone

ASSIGNMENT_COLUMNS = [
    Column("applicant", "Applicant", ("applicant_sort",)),
    Column("form", "Form", ("application__form__kind", "application__submitted_at")),
    Column("state", "State", ("closed", "reviewed")),
    Column("submitted", "Submitted", ("application__submitted_at",)),
]
ASSIGNMENT_SORT = "form"
LIST_QUERY_MAX_LENGTH = 1000


def _assignment_rows(
    params: QueryDict, *, term: Any, reviewer: Any, roles: frozenset[str]
) -> tuple[QuerySet[ReviewAssignment], QuerySet[ReviewAssignment]]:
    """The reviewer's assignments, and those the list of these URL ``params`` shows (its
    state and form filters, unordered)."""
    everything = reviewer_assignments(
        term=term, reviewer=reviewer, names_visible=Role.ORGANIZER in roles
    )
    shown = assignments_in_state(
        everything, state=str(params.get("state", "")), kind=str(params.get("kind", ""))
    )
    return everything, shown


def _list_params(text: str) -> QueryDict:
    """The reviewer's list URL query carried along to the review form (``?list=…``)."""
    return QueryDict(text[:LIST_QUERY_MAX_LENGTH])


@login_required
@require_GET
def review_assignments(request: HttpRequest, slug: str) -> HttpResponse:
    """A reviewer's list of assigned applications, with what is done and what is left: searched,
    sorted and filtered (state, form) from the URL, 50 a page."""
    term, roles = rules.require_reviewing(request, slug)
    everything, shown = _assignment_rows(request.GET, term=term, reviewer=request.user, roles=roles)
    table = table_page(
        request,
        shown,
        columns=ASSIGNMENT_COLUMNS,
        default_sort=ASSIGNMENT_SORT,
        search_fields=("applicant_text",),
    )
    counts = assignment_counts(everything)
    return render(
        request,
        "admissions/review/assignments.html",
        {
            "term": term,
            "table": table,
            "assignments": table.rows,
            "total": counts["total"],
            "left": counts["left"],
            "state_filters": table.filter_links(
                "state",
                [("", "All"), *((key, label) for key, (label, _) in ASSIGNMENT_STATES.items())],
            ),
            "kind_filters": table.filter_links(
                "kind", [("", "Both forms"), *ApplicationKind.choices]
            ),
            "list_query": request.GET.urlencode(),
            "is_organizer": rules.can_manage_applications(request.user, term),
        },
    )


def _next_to_review(
    list_query: str, *, term: Any, reviewer: Any, roles: frozenset[str], after: Application
) -> ReviewAssignment | None:
    """The first assignment still to review in the reviewer's list order (its search, sort and
    form filter; whatever its state filter, only those left to review), ``after`` aside."""
    params = _list_params(list_query)
    everything, _ = _assignment_rows(params, term=term, reviewer=reviewer, roles=roles)
    left = assignments_in_state(everything, state="todo", kind=str(params.get("kind", "")))
    rows = table_rows(
        params,
        left.exclude(application=after),
        columns=ASSIGNMENT_COLUMNS,
        default_sort=ASSIGNMENT_SORT,
        search_fields=("applicant_text",),
    )
    return rows.first()


def _with_list(url: str, list_query: str) -> str:
    return f"{url}?{urlencode({'list': list_query})}" if list_query else url


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
    term, roles = rules.require_reviewing(request, slug)
    application = rules.require_application_for_review(request, term, roles, application_id)
    form = application.form
    categories = rubric_of(form=form)
    assigned = rules.can_score(request.user, application)
    error, field_errors, status = "", {}, 200
    posted: dict[int, int] = {}
    list_query = str(request.POST.get("list") or request.GET.get("list") or "")
    list_query = _list_params(list_query).urlencode()
    if request.method == "POST":
        posted = _scores_from_post(request, categories)
        try:
            reviewing.review_submit(
                application=application,
                reviewer=request.user,
                scores=posted,
                comment=str(request.POST.get("comment", "")),
            )
        except ServiceError as problem:
            error, field_errors, status = problem.message, problem.field_errors, 400
        else:
            return _after_review(request, term=term, roles=roles, application=application)
    review = review_of(application=application, reviewer=request.user)
    current = posted or (review.scores if review else {})
    return render(
        request,
        "admissions/review/application.html",
        {
            "term": term,
            "form": form,
            "application": application,
            "shows_names": rules.can_see_applicant_names(form, roles),
            "answers": answers_for_reviewers(application=application),
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
            "closed": decision_is_released(application),
            "error": error,
            "list_query": list_query,
            "list_url": _list_url(term, list_query),
        },
        status=status,
    )


def _list_url(term: Any, list_query: str) -> str:
    url = reverse("admissions:review_assignments", args=[term.slug])
    return f"{url}?{list_query}" if list_query else url


def _after_review(
    request: HttpRequest, *, term: Any, roles: frozenset[str], application: Application
) -> HttpResponse:
    """Back to the list, or on "Save and next" to the next application still to review in
    the list's order (the list's own URL carried along), or to the list when none is left."""
    list_query = _list_params(str(request.POST.get("list", ""))).urlencode()
    if request.POST.get("then") != "next":
        messages.success(request, "Your review is saved. You can change it until release.")
        return redirect(_list_url(term, list_query))
    following = _next_to_review(
        list_query, term=term, reviewer=request.user, roles=roles, after=application
    )
    if following is None:
        messages.success(
            request, "Your review is saved. All reviewed: nothing is left to review in your list."
        )
        return redirect(_list_url(term, list_query))
    messages.success(request, "Your review is saved. Here is the next one.")
    url = reverse("admissions:review_application", args=[term.slug, following.application_id])
    return redirect(_with_list(url, list_query))


@login_required
@require_POST
def review_conflict(request: HttpRequest, slug: str, application_id: int) -> HttpResponse:
    """The reviewer declares a conflict of interest with the applicant and hands the
    application back."""
    term, roles = rules.require_reviewing(request, slug)
    application = rules.require_application_for_review(request, term, roles, application_id)
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
    except ServiceError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, "Conflict recorded; the application was handed back.")
    return redirect("admissions:review_assignments", slug=slug)


LOAD_COLUMNS = [
    Column("reviewer", "Reviewer", ("name", "email")),
    Column("assigned", "Assigned", ("assigned",)),
    Column("reviewed", "Reviewed", ("reviewed",)),
    Column("left", "Left", ("left",)),
    Column("conflicts", "Conflicts", ("conflicts",)),
]


def _reviewer_loads_shown(form: ApplicationForm, state: str) -> QuerySet[User]:
    rows = reviewer_load_rows(form=form)
    if state in REVIEWER_STATES:
        rows = rows.filter(REVIEWER_STATES[state][1])
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def review_settings(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Organizers: blind mode, k, the confirmation deadline, the rubric, and assigning reviewers
    (automatically, or one by hand). Every change is one POST with an ``action``."""
    form = rules.require_organizer_form(request, slug, kind)
    term = form.term
    reviewers = term_reviewers(term=term)
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
    loads = table_page(
        request,
        _reviewer_loads_shown(form, str(request.GET.get("state", ""))),
        columns=LOAD_COLUMNS,
        default_sort="reviewer",
        search_fields=("name", "email"),
    )
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
                for category in rubric_of(form=form)
            ],
            "loads": loads,
            "load_filters": loads.filter_links(
                "state",
                [("", "All"), *((key, label) for key, (label, _) in REVIEWER_STATES.items())],
            ),
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
    except ServiceError as problem:
        messages.error(request, problem.message)
    return redirect(here)
