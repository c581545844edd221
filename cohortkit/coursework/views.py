"""Participants' week pages and written assignments, facilitators' homework review and the
organizers' due dates. Each view parses, authorizes, calls a service, renders or redirects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohortkit.accounts.models import Role
from cohortkit.common.errors import ConflictError, InvalidInputError, ServiceError
from cohortkit.common.timezones import format_instant
from cohortkit.coursework import rules, selectors, services
from cohortkit.coursework.due import due_at, due_override_set
from cohortkit.coursework.forms import DueDateForm, FeedbackForm
from cohortkit.coursework.models import SubmissionVersion
from cohortkit.coursework.overview.at_risk import CONTACT_ALL_LIMIT
from cohortkit.coursework.overview.exports import (
    at_risk_csv_lines,
    attendance_csv_lines,
    grades_csv_lines,
)
from cohortkit.coursework.overview.page import term_overview
from cohortkit.programs.models import Assignment, Lecture, Reading, Term
from cohortkit.programs.selectors import term_current_week, term_get

ANSWER_FIELD = "answer-body"


def _member_term(request: HttpRequest, slug: str) -> tuple[Term, frozenset[str]]:
    term = term_get(slug=slug)
    return term, rules.require_term_member(request, term)


def _viewer_zone(request: HttpRequest) -> str:
    return str(getattr(request, "viewer_time_zone", "UTC"))


@login_required
@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    """This week of the term (week 1 before it starts, the last week after it ends)."""
    term, _ = _member_term(request, slug)
    return redirect("coursework:week", slug=slug, number=term_current_week(term))


@login_required
@require_GET
def week(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    term, roles = _member_term(request, slug)
    selectors.require_week_number(term, number)
    view = selectors.week_view(term=term, number=number, user=request.user)
    return render(
        request,
        "coursework/week.html",
        {
            "term": term,
            "view": view,
            "is_current": number == term_current_week(term),
            "now": timezone.now(),
            "facilitated_sections": term.sections.filter(facilitator_id=request.user.pk)
            if Role.FACILITATOR in roles
            else [],
            "is_organizer": Role.ORGANIZER in roles,
        },
    )


@login_required
@require_POST
def item_done(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Tick a lecture or reading off (``done=1``) or back on; htmx swaps the one item."""
    term, _ = _member_term(request, slug)
    selectors.require_week_number(term, number)
    kind, pk = request.POST.get("kind", ""), request.POST.get("item", "")
    if kind not in ("lecture", "reading") or not pk.isdigit():
        raise Http404("No such item")
    item: Lecture | Reading
    if kind == "lecture":
        item = selectors.visible_item(
            Lecture, term=term, pk=int(pk), user=request.user, number=number
        )
    else:
        item = selectors.visible_item(
            Reading, term=term, pk=int(pk), user=request.user, number=number
        )
    done = request.POST.get("done") == "1"
    if done:
        services.item_tick(user=request.user, item=item)
    else:
        services.item_untick(user=request.user, item=item)
    if getattr(request, "htmx", False):
        return render(
            request,
            "coursework/_item.html",
            {"term": term, "view": {"number": number}, "item": item, "kind": kind, "done": done},
        )
    return redirect(reverse("coursework:week", args=[slug, number]) + f"#{kind}-{item.pk}")


def _assignment_page(
    request: HttpRequest,
    term: Term,
    assignment: Assignment,
    *,
    status: int = 200,
    error: str = "",
    field_errors: dict[str, str] | None = None,
    typed: str | None = None,
) -> HttpResponse:
    submission = selectors.submission_of(assignment=assignment, user=request.user)
    versions = list(submission.versions.all()) if submission else []
    text = typed if typed is not None else (submission.draft_markdown if submission else "")
    return render(
        request,
        "coursework/assignment.html",
        {
            "term": term,
            "assignment": assignment,
            "due": due_at(item=assignment, user=request.user),
            "now": timezone.now(),
            "submission": submission,
            "versions": versions,
            "text": text,
            "unsubmitted_changes": bool(versions) and text != versions[0].body_markdown,
            "can_hand_in": rules.can_hand_in(request.user, term),
            "error": error,
            "field_errors": field_errors or {},
        },
        status=status,
    )


def _assignment(request: HttpRequest, term: Term, pk: int) -> Assignment:
    return selectors.visible_item(Assignment, term=term, pk=pk, user=request.user)


@login_required
@require_GET
def assignment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    term, _ = _member_term(request, slug)
    return _assignment_page(request, term, _assignment(request, term, pk))


def _revision(request: HttpRequest) -> int | None:
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else None


def _save_status(
    request: HttpRequest,
    text: str,
    *,
    status: int = 200,
    problem: bool = False,
    revision: int | None = None,
) -> HttpResponse:
    return render(
        request,
        "coursework/_save_status.html",
        {"text": text, "problem": problem, "revision": revision},
        status=status,
    )


@require_POST
def assignment_save(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Autosave (htmx): the answer so far → a one-line status; nothing changes when refused."""
    if not request.user.is_authenticated:
        # Say so in the status line instead of redirecting into it: the page keeps the text in
        # the browser and saves it once the person has logged in again.
        return _save_status(
            request,
            "You were signed out. Your answer is kept in this browser; log in again to save it.",
            status=401,
            problem=True,
        )
    term, _ = _member_term(request, slug)
    item = _assignment(request, term, pk)
    rules.require_hand_in(request.user, term)
    try:
        submission = services.submission_save_draft(
            assignment=item,
            user=request.user,
            body_markdown=request.POST.get(ANSWER_FIELD, ""),
            revision=_revision(request),
        )
    except ServiceError as error:
        return _save_status(request, error.message, status=error.http_status, problem=True)
    return _save_status(
        request,
        f"Draft saved {timezone.localtime(submission.updated_at):%H:%M}.",
        revision=submission.revision,
    )


@login_required
@require_POST
def assignment_submit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    term, _ = _member_term(request, slug)
    item = _assignment(request, term, pk)
    rules.require_hand_in(request.user, term)
    text = request.POST.get(ANSWER_FIELD, "")
    try:
        submitted = services.submission_submit(
            assignment=item, user=request.user, body_markdown=text, revision=_revision(request)
        )
    except services.StaleRevisionError as error:
        # The newer saved text is shown, not the one typed in the stale page.
        return _assignment_page(request, term, item, status=error.http_status, error=error.message)
    except ServiceError as error:
        return _assignment_page(
            request,
            term,
            item,
            status=error.http_status,
            error=error.message,
            field_errors=error.field_errors,
            typed=text,
        )
    version = submitted.version
    when = format_instant(version.submitted_at, _viewer_zone(request))
    if not submitted.is_new:
        messages.info(request, f"This text is already your version {version.number}.")
    elif version.is_late:
        messages.warning(
            request,
            f"Version {version.number} submitted {when}, after your due date: it is marked late.",
        )
    else:
        messages.success(request, f"Version {version.number} submitted {when}.")
    return redirect("coursework:assignment", slug=slug, pk=pk)


def _reviews_page(
    request: HttpRequest,
    term: Term,
    section: Any,
    number: int,
    *,
    status: int = 200,
    bound: dict[int, FeedbackForm] | None = None,
    error: str = "",
) -> HttpResponse:
    homework = selectors.section_homework(section=section, number=number)
    return render(
        request,
        "coursework/section_reviews.html",
        {
            "term": term,
            "section": section,
            "homework": homework,
            "weeks": range(1, term.week_count + 1),
            "can_review": section.facilitator_id == request.user.pk,
            "forms": bound or {},
            "error": error,
        },
        status=status,
    )


def _week_param(request: HttpRequest, term: Term) -> int:
    value = request.GET.get("week", "")
    if value.isdigit() and 1 <= int(value) <= term.week_count:
        return int(value)
    return term_current_week(term)


@login_required
@require_GET
def section_reviews(request: HttpRequest, slug: str, section_id: int) -> HttpResponse:
    """A section's homework, one week at a time: its facilitator reviews, organizers read."""
    term = term_get(slug=slug)
    section = rules.require_section_homework(request, term, section_id)
    return _reviews_page(request, term, section, _week_param(request, term))


@login_required
@require_POST
def feedback_give(
    request: HttpRequest, slug: str, section_id: int, version_id: int
) -> HttpResponse:
    term = term_get(slug=slug)
    section = rules.require_section_reviewer(request, term, section_id)
    version = get_object_or_404(
        SubmissionVersion.objects.select_related(
            "submission__assignment__week__term", "submission__user"
        ),
        pk=version_id,
        submission__assignment__week__term=term,
    )
    number = version.submission.assignment.week.number
    form = FeedbackForm(request.POST, prefix=f"v{version.pk}")
    if not form.is_valid():
        return _reviews_page(request, term, section, number, status=400, bound={version.pk: form})
    try:
        services.feedback_give(
            version=version,
            facilitator=request.user,
            verdict=form.cleaned_data["verdict"],
            comment=form.cleaned_data["comment"],
        )
    except (InvalidInputError, ConflictError) as error:
        # Not reviewable here (NotFoundError) is left to the refusal middleware: a 404.
        for field, message in error.field_errors.items():
            form.add_error(field, message)
        return _reviews_page(
            request,
            term,
            section,
            number,
            status=error.http_status,
            bound={version.pk: form},
            error=error.message,
        )
    person = version.submission.user
    messages.success(request, f"Review saved; {person.name or person.email} is told by email.")
    url = reverse("coursework:section_reviews", args=[slug, section.pk])
    return redirect(f"{url}?week={number}#submission-{version.submission_id}")


@login_required
@require_http_methods(["GET", "POST"])
def due_dates(request: HttpRequest, slug: str) -> HttpResponse:
    """Organizers: a section's or one participant's own due date for an assignment or quiz."""
    term = term_get(slug=slug)
    rules.require_term_organizer(request, term)
    items = selectors.dated_items_of(term=term)
    form = DueDateForm(request.POST or None, term=term, items=items, organizer=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            due_override_set(
                item=data["item"],
                due=data["due"],
                actor=request.user,
                user=data["email"],
                section=data["section"],
                reason=data["reason"],
            )
            who = data["email"].email if data["email"] else data["section"].name
            messages.success(
                request,
                f"{who} now has {format_instant(data['due'], _viewer_zone(request))} "
                f"for {data['item'].title}.",
            )
            return redirect("coursework:due_dates", slug=slug)
        status = 400
    return render(
        request,
        "coursework/due_dates.html",
        {
            "term": term,
            "form": form,
            "items": items,
            "overrides": selectors.due_overrides_of(term=term),
        },
        status=status,
    )


# The organizers' term overview ------------------------------------------------------------


def _organizer_term(request: HttpRequest, slug: str) -> Term:
    term = term_get(slug=slug)
    rules.require_term_organizer(request, term)
    return term


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Organizers: attendance and submission rates per week by track and section, two charts,
    the people at risk with one click to write to them, and the CSV exports."""
    term = _organizer_term(request, slug)
    return render(
        request,
        "coursework/overview.html",
        {
            "term": term,
            "overview": term_overview(term=term, request=request),
            "contact_all_limit": CONTACT_ALL_LIMIT,
        },
    )


def _csv_response(lines: Iterable[str], filename: str) -> HttpResponse:
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def overview_attendance_csv(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    return _csv_response(attendance_csv_lines(term=term), f"{term.slug}-attendance.csv")


@login_required
@require_GET
def overview_grades_csv(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    return _csv_response(grades_csv_lines(term=term), f"{term.slug}-grades.csv")


@login_required
@require_GET
def overview_at_risk_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """Everyone at risk with what they missed: to write to them all when one link cannot."""
    term = _organizer_term(request, slug)
    return _csv_response(at_risk_csv_lines(term=term), f"{term.slug}-at-risk.csv")
