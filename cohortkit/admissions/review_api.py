"""Review and decision routes of the JSON API: reviewers' assignments and reviews, the
organizers' rubric, automatic assignment, ranked list, decisions, release and CSV export, and the
applicant's own decision with confirm and decline.

They call the same selectors and services as the pages (``review_views``), with the same rules:
a term you are not a member of is 404, a role without the right is 403, an application not
assigned to a reviewer is 404 to them, and blind mode hides names and emails from reviewers.
Refusals carry ``detail`` and ``field_errors`` as the other admissions routes do: 400 for input
the service refuses, 403 after a deadline, 409 for a change the current state no longer allows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from ninja import Router, Schema

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role
from cohortkit.admissions import decisions, review_selectors, reviewing, selectors
from cohortkit.admissions.api import ErrorOut
from cohortkit.admissions.export import ranking_csv_lines
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    ApplicationStatus,
    Decision,
    DecisionOutcome,
    Enrollment,
    EnrollmentStatus,
    FormQuestion,
    RubricCategory,
)
from cohortkit.admissions.review_api_support import (
    answers_for_reviewers_keyed,
    decisions_release_counted,
    ranking_filter_problems,
)
from cohortkit.admissions.services import AdmissionsError
from cohortkit.programs.models import Term, Track
from cohortkit.programs.selectors import term_get

router = Router(tags=["reviews and decisions"])

REVIEW_ROLES = (Role.REVIEWER, Role.ORGANIZER)


# Schemas -----------------------------------------------------------------------------------


class ApplicantOut(Schema):
    name: str
    email: str


class AssignmentOut(Schema):
    application_id: int
    kind: str
    submitted_at: dt.datetime | None
    # None in blind mode (for everyone but organizers).
    applicant: ApplicantOut | None
    reviewed: bool
    closed: bool  # the decision is released: the review can no longer change


class CategoryOut(Schema):
    id: int
    name: str
    description: str
    weight: int
    max_score: int
    position: int


class ReviewOut(Schema):
    scores: dict[str, int]  # rubric category id → score
    comment: str
    submitted_at: dt.datetime
    updated_at: dt.datetime


class ReviewAnswerOut(Schema):
    key: str
    label: str
    raw: str


class ReviewApplicationOut(Schema):
    application_id: int
    kind: str
    submitted_at: dt.datetime | None
    applicant: ApplicantOut | None
    answers: list[ReviewAnswerOut]  # only questions marked visible to reviewers
    rubric: list[CategoryOut]
    assigned: bool
    closed: bool
    review: ReviewOut | None  # your own review, if you wrote one


class ReviewIn(Schema):
    scores: dict[str, Any] = {}  # rubric category id → whole number from 0 to its maximum
    comment: str = ""


class RubricOut(Schema):
    kind: str
    blind_review: bool
    reviews_per_application: int
    confirmation_deadline: dt.datetime | None
    offer_response_days: int
    categories: list[CategoryOut]


class AssignIn(Schema):
    per_application: int | None = None  # default: the form's reviewers per application


class ReviewerLoadOut(Schema):
    email: str
    name: str
    assigned: int
    reviewed: int


class AssignOut(Schema):
    created: int
    per_application: int
    short: list[int]  # applications left with fewer reviewers than asked (conflicts, too few)
    loads: list[ReviewerLoadOut]


class DecisionOut(Schema):
    outcome: str
    track: str | None
    waitlist_rank: int | None
    staged_at: dt.datetime | None = None
    released_at: dt.datetime | None


class FilterChoiceOut(Schema):
    value: str
    label: str


class FilterOut(Schema):
    key: str
    label: str
    choices: list[FilterChoiceOut]
    selected: str


class RankedRowOut(Schema):
    rank: int
    application_id: int
    applicant: ApplicantOut
    submitted_at: dt.datetime | None
    score: float | None  # mean of the reviews' weighted percentages; None before any review
    reviews: int
    assigned: int
    answers: dict[str, str]  # the filterable questions' answers, as typed
    decision: DecisionOut | None


class RankingOut(Schema):
    kind: str
    filters: list[FilterOut]
    pending_release: int
    rows: list[RankedRowOut]


class StageIn(Schema):
    outcome: str = ""  # accept, waitlist or reject
    track: str | None = None  # a track slug of the term
    waitlist_rank: int | None = None  # 1 or more, waitlist only (1 is offered first)


class ReleaseOut(Schema):
    released: int
    emails_queued: int
    pending_release: int


class EnrollmentOut(Schema):
    status: str
    track: str | None
    waitlist_rank: int | None
    confirm_by: dt.datetime | None
    offered_at: dt.datetime | None
    responded_at: dt.datetime | None
    can_answer: bool


class MyDecisionOut(Schema):
    application_status: str
    decision: DecisionOut | None  # None until it is released
    enrollment: EnrollmentOut | None


# Helpers -----------------------------------------------------------------------------------


def _refused(error: AdmissionsError, status: int = 400) -> tuple[int, dict[str, Any]]:
    return status, {"detail": error.message, "field_errors": error.field_errors}


def _review_term(request: HttpRequest, slug: str) -> tuple[Term, frozenset[str]]:
    term = term_get(slug=slug)
    roles = account_rules.require_term_role(request, term, *REVIEW_ROLES)
    return term, roles


def _organizer_form(request: HttpRequest, slug: str, kind: str) -> ApplicationForm:
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.ORGANIZER)
    return selectors.form_get(term=term, kind=kind)


def _shows_names(form: ApplicationForm, roles: frozenset[str]) -> bool:
    return not form.blind_review or Role.ORGANIZER in roles


def _applicant(application: Application) -> dict[str, str]:
    return {"name": application.applicant.name, "email": application.applicant.email}


def _category(category: RubricCategory) -> dict[str, Any]:
    return {
        "id": category.pk,
        "name": category.name,
        "description": category.description,
        "weight": category.weight,
        "max_score": category.max_score,
        "position": category.position,
    }


def _decision(decision: Decision | None, *, staged: bool = True) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "outcome": decision.outcome,
        "track": decision.track.slug if decision.track else None,
        "waitlist_rank": decision.waitlist_rank,
        "staged_at": decision.staged_at if staged else None,
        "released_at": decision.released_at,
    }


# Reviewers ---------------------------------------------------------------------------------


@router.get(
    "/terms/{slug}/reviews",
    response=list[AssignmentOut],
    summary="Applications assigned to you for review (blind mode hides names and emails)",
)
def review_assignments(request: HttpRequest, slug: str) -> Any:
    term, roles = _review_term(request, slug)
    assignments = review_selectors.assignments_of_reviewer(term=term, reviewer=request.user)
    return [
        {
            "application_id": item.application_id,
            "kind": item.application.form.kind,
            "submitted_at": item.application.submitted_at,
            "applicant": _applicant(item.application)
            if _shows_names(item.application.form, roles)
            else None,
            "reviewed": bool(getattr(item, "reviewed", False)),
            "closed": bool(getattr(item, "closed", False)),
        }
        for item in assignments
    ]


def _review_application_out(application: Application, user: Any, roles: Any) -> dict[str, Any]:
    form = application.form
    review = review_selectors.review_of(application=application, reviewer=user)
    return {
        "application_id": application.pk,
        "kind": form.kind,
        "submitted_at": application.submitted_at,
        "applicant": _applicant(application) if _shows_names(form, roles) else None,
        "answers": [
            {"key": answer.key, "label": answer.label, "raw": answer.raw}
            for answer in answers_for_reviewers_keyed(application=application)
        ],
        "rubric": [_category(category) for category in review_selectors.rubric_of(form=form)],
        "assigned": application.review_assignments.filter(reviewer_id=user.pk).exists(),
        "closed": reviewing.decision_is_released(application),
        "review": None
        if review is None
        else {
            "scores": {str(key): value for key, value in review.scores.items()},
            "comment": review.comment,
            "submitted_at": review.submitted_at,
            "updated_at": review.updated_at,
        },
    }


@router.get(
    "/terms/{slug}/reviews/{int:application_id}",
    response=ReviewApplicationOut,
    summary="One application assigned to you, as a reviewer sees it, with your review",
)
def review_application(request: HttpRequest, slug: str, application_id: int) -> Any:
    term, roles = _review_term(request, slug)
    application = review_selectors.application_for_review(
        term=term, application_id=application_id, user=request.user, roles=roles
    )
    return _review_application_out(application, request.user, roles)


@router.put(
    "/terms/{slug}/reviews/{int:application_id}",
    response={
        200: ReviewApplicationOut,
        400: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
    },
    summary="Write or change your review: a score for every rubric category, and a comment",
)
def review_submit(request: HttpRequest, slug: str, application_id: int, payload: ReviewIn) -> Any:
    term, roles = _review_term(request, slug)
    application = review_selectors.application_for_review(
        term=term, application_id=application_id, user=request.user, roles=roles
    )
    scores: dict[int, Any] = {}
    bad_keys = {}
    for key, value in payload.scores.items():
        if key.strip().isdigit():
            scores[int(key)] = value
        else:
            bad_keys[key] = "No such rubric category."
    if bad_keys:
        return 400, {"detail": "Not saved: check the marked scores.", "field_errors": bad_keys}
    if not application.review_assignments.filter(reviewer_id=request.user.pk).exists():
        # Organizers may read any application, but score only those assigned to them.
        return 403, {"detail": "This application is not assigned to you.", "field_errors": {}}
    if reviewing.decision_is_released(application):
        return 409, {
            "detail": "The decision on this application is released; reviews are closed.",
            "field_errors": {},
        }
    try:
        reviewing.review_submit(
            application=application, reviewer=request.user, scores=scores, comment=payload.comment
        )
    except AdmissionsError as error:
        return _refused(error)
    return _review_application_out(application, request.user, roles)


# Organizers --------------------------------------------------------------------------------


@router.get(
    "/terms/{slug}/forms/{kind}/rubric",
    response=RubricOut,
    summary="The form's rubric categories and review settings (organizers)",
)
def rubric(request: HttpRequest, slug: str, kind: str) -> Any:
    form = _organizer_form(request, slug, kind)
    return {
        "kind": form.kind,
        "blind_review": form.blind_review,
        "reviews_per_application": form.reviews_per_application,
        "confirmation_deadline": form.confirmation_deadline,
        "offer_response_days": form.offer_response_days,
        "categories": [_category(category) for category in review_selectors.rubric_of(form=form)],
    }


@router.post(
    "/terms/{slug}/forms/{kind}/assignments/auto",
    response={200: AssignOut, 400: ErrorOut},
    summary="Assign the term's reviewers automatically: k per application, balanced, no "
    "self-review or declared conflicts; running again only fills gaps (organizers)",
)
def assign_automatically(request: HttpRequest, slug: str, kind: str, payload: AssignIn) -> Any:
    form = _organizer_form(request, slug, kind)
    per_application = payload.per_application or form.reviews_per_application
    try:
        summary = reviewing.reviews_assign(
            form=form,
            reviewers=review_selectors.term_reviewers(term=form.term),
            per_application=per_application,
            actor=request.user,
        )
    except AdmissionsError as error:
        return _refused(error)
    return {
        "created": summary.created,
        "per_application": per_application,
        "short": summary.short,
        "loads": [
            {"email": user.email, "name": user.name, "assigned": assigned, "reviewed": reviewed}
            for user, assigned, reviewed in review_selectors.reviewer_loads(form=form)
        ],
    }


def _filters_or_refusal(
    request: HttpRequest, form: ApplicationForm
) -> tuple[list[review_selectors.AnswerFilter], tuple[int, dict[str, Any]] | None]:
    problems = ranking_filter_problems(form=form, params=request.GET)
    if problems:
        return [], (400, {"detail": "Check the filters.", "field_errors": problems})
    return review_selectors.ranking_filters(form=form, params=request.GET), None


FILTER_HELP = (
    "Filter by answers with query parameters: a single-choice, multiple-choice or yes/no "
    "question's key and one of its values, e.g. `?track=intro&mode=in_person&commitment=yes`. "
    "An unknown key or value is refused (400)."
)


@router.get(
    "/terms/{slug}/forms/{kind}/ranking",
    response={200: RankingOut, 400: ErrorOut},
    summary="Submitted applications ranked by aggregate score, filtered by answers (organizers)",
    description=FILTER_HELP,
)
def ranking(request: HttpRequest, slug: str, kind: str) -> Any:
    form = _organizer_form(request, slug, kind)
    filters, refusal = _filters_or_refusal(request, form)
    if refusal is not None:
        return refusal
    rows = review_selectors.ranking_rows(form=form, filters=filters)
    return {
        "kind": form.kind,
        "filters": [
            {
                "key": item.key,
                "label": item.label,
                "choices": [{"value": value, "label": label} for value, label in item.choices],
                "selected": item.selected,
            }
            for item in filters
        ],
        "pending_release": decisions.decisions_pending_release(form=form),
        "rows": [
            {
                "rank": row.rank,
                "application_id": row.application.pk,
                "applicant": _applicant(row.application),
                "submitted_at": row.application.submitted_at,
                "score": row.score,
                "reviews": row.reviews,
                "assigned": row.assigned,
                "answers": {key: answer.raw for key, answer in row.answers.items()},
                "decision": _decision(row.decision),
            }
            for row in rows
        ],
    }


@router.get(
    "/terms/{slug}/forms/{kind}/ranking.csv",
    response={200: None, 400: ErrorOut},
    summary="The ranked list and every answer as spreadsheet-safe CSV (organizers)",
    description=FILTER_HELP
    + " Cells that a spreadsheet would run as a formula start with `'`; plain numbers such as "
    "`-5` stay numbers. The same file as the ranking page's download.",
    openapi_extra={
        "responses": {
            200: {
                "description": "CSV, one row per application",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def ranking_export(request: HttpRequest, slug: str, kind: str) -> Any:
    form = _organizer_form(request, slug, kind)
    filters, refusal = _filters_or_refusal(request, form)
    if refusal is not None:
        return refusal
    rows = review_selectors.ranking_rows(form=form, filters=filters, with_all_answers=True)
    questions = list(FormQuestion.objects.filter(form=form))
    response = StreamingHttpResponse(
        ranking_csv_lines(form=form, questions=questions, rows=rows),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"{form.term.slug}-{form.kind}-applications.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.put(
    "/terms/{slug}/forms/{kind}/decisions/{int:application_id}",
    response={200: DecisionOut, 400: ErrorOut, 409: ErrorOut},
    summary="Stage (or restage) a decision: accept into a track, waitlist with a rank, or "
    "reject; nobody is told until the release (organizers)",
)
def decision_stage(
    request: HttpRequest, slug: str, kind: str, application_id: int, payload: StageIn
) -> Any:
    form = _organizer_form(request, slug, kind)
    application = (
        Application.objects.select_related("form__term", "applicant")
        .filter(pk=application_id, form=form)
        .first()
    )
    if application is None:
        raise Http404("No such application on this form.")
    if payload.outcome not in DecisionOutcome.values:
        return 400, {
            "detail": "Choose accept, waitlist or reject.",
            "field_errors": {"outcome": "accept, waitlist or reject"},
        }
    track = None
    if payload.track:
        track = Track.objects.filter(term=form.term, slug=payload.track).first()
        if track is None:
            slugs = ", ".join(Track.objects.filter(term=form.term).values_list("slug", flat=True))
            return 400, {
                "detail": "No such track in this term.",
                "field_errors": {"track": f"One of: {slugs or 'none'}."},
            }
    if Decision.objects.filter(application=application, released_at__isnull=False).exists():
        return 409, {
            "detail": "This decision is already released and can no longer change.",
            "field_errors": {},
        }
    try:
        decision = decisions.decision_stage(
            application=application,
            outcome=payload.outcome,
            track=track,
            waitlist_rank=payload.waitlist_rank,
            actor=request.user,
        )
    except AdmissionsError as error:
        return _refused(error)
    return _decision(decision)


@router.post(
    "/terms/{slug}/forms/{kind}/decisions/release",
    response={200: ReleaseOut, 409: ErrorOut},
    summary="Release every staged decision: one email to each person newly decided; releasing "
    "again only tells the new ones (organizers)",
)
def decisions_release(request: HttpRequest, slug: str, kind: str) -> Any:
    form = _organizer_form(request, slug, kind)
    try:
        counted = decisions_release_counted(form=form, actor=request.user)
    except AdmissionsError as error:
        return _refused(error, 409)
    return {
        "released": counted.released,
        "emails_queued": counted.emails_queued,
        "pending_release": decisions.decisions_pending_release(form=form),
    }


# Applicants --------------------------------------------------------------------------------


def _own_application(request: HttpRequest, slug: str, kind: str) -> Application:
    form = selectors.form_get_by_slug(slug=slug, kind=kind)
    if not account_rules.can_view_public_page(request.user, form.term):
        raise Http404("No such term")
    application = selectors.application_of(form=form, user=request.user)
    if application is None or application.status == ApplicationStatus.DRAFT:
        raise Http404("You have no application on this form.")
    application.form = form
    return application


def _my_decision_out(application: Application, user: Any) -> dict[str, Any]:
    decision = Decision.objects.select_related("track").filter(application=application).first()
    released = decision if decision is not None and decision.released_at else None
    enrollment = decisions.enrollment_of(form=application.form, user=user)
    return {
        "application_status": application.status,
        "decision": _decision(released, staged=False),
        "enrollment": None
        if enrollment is None
        else {
            "status": enrollment.status,
            "track": enrollment.track.slug if enrollment.track else None,
            "waitlist_rank": enrollment.waitlist_rank,
            "confirm_by": enrollment.confirm_by,
            "offered_at": enrollment.offered_at,
            "responded_at": enrollment.responded_at,
            "can_answer": enrollment.status == EnrollmentStatus.OFFERED
            and enrollment.confirm_by is not None
            and timezone.now() < enrollment.confirm_by,
        },
    }


@router.get(
    "/terms/{slug}/forms/{kind}/decision",
    response=MyDecisionOut,
    summary="The decision on your own application, once released, and your offer",
)
def my_decision(request: HttpRequest, slug: str, kind: str) -> Any:
    application = _own_application(request, slug, kind)
    return _my_decision_out(application, request.user)


def _answer_offer(request: HttpRequest, slug: str, kind: str, answer: str) -> Any:
    application = _own_application(request, slug, kind)
    enrollment = decisions.enrollment_of(form=application.form, user=request.user)
    if enrollment is None:
        raise Http404("You have no offer on this form.")
    moment = timezone.now()
    respond = decisions.enrollment_confirm if answer == "confirm" else decisions.enrollment_decline
    try:
        respond(enrollment=enrollment, user=request.user, now=moment)
    except AdmissionsError as error:
        current = Enrollment.objects.get(pk=enrollment.pk)
        late = (
            current.status == EnrollmentStatus.OFFERED
            and current.confirm_by is not None
            and moment >= current.confirm_by
        )
        return _refused(error, 403 if late else 409)
    return _my_decision_out(application, request.user)


@router.post(
    "/terms/{slug}/forms/{kind}/decision/confirm",
    response={200: MyDecisionOut, 403: ErrorOut, 409: ErrorOut},
    summary="Confirm your offered place before its confirm-by time (again: no change)",
)
def my_decision_confirm(request: HttpRequest, slug: str, kind: str) -> Any:
    return _answer_offer(request, slug, kind, "confirm")


@router.post(
    "/terms/{slug}/forms/{kind}/decision/decline",
    response={200: MyDecisionOut, 403: ErrorOut, 409: ErrorOut},
    summary="Decline your offered place; it goes to the top of the waitlist (again: no change)",
)
def my_decision_decline(request: HttpRequest, slug: str, kind: str) -> Any:
    return _answer_offer(request, slug, kind, "decline")
