"""Deciding routes of the JSON API: the organizers' ranked list, CSV export, staging and release,
and the applicant's own decision with confirm and decline.

Refusals carry ``detail`` and ``field_errors`` as the other admissions routes do: 400 for input
the service refuses, 403 after a deadline, 409 for a change the current state no longer allows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, StreamingHttpResponse
from ninja import Router, Schema

from cohortkit.admissions import rules
from cohortkit.admissions.api.applying import ErrorOut
from cohortkit.admissions.api.reviewing import ApplicantOut, _applicant
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    Decision,
    FormQuestion,
)
from cohortkit.admissions.selectors.deciding import decisions_pending_release, enrollment_of
from cohortkit.admissions.selectors.exporting import ranking_csv_lines
from cohortkit.admissions.selectors.ranking import (
    RANK_ORDER,
    AnswerFilter,
    answers_by_application,
    ranked_row,
    ranking_filter_problems,
    ranking_filters,
    ranking_queryset,
    ranking_rows,
)
from cohortkit.admissions.services import confirming, deciding
from cohortkit.admissions.services.deciding import decisions_release_counted
from cohortkit.common.errors import InvalidInputError
from cohortkit.programs.models import Track

router = Router(tags=["reviews and decisions"])


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
    total: int  # rows matching the filters, over every page
    page: int
    limit: int
    pages: int
    rows: list[RankedRowOut]


class StageIn(Schema):
    outcome: str = ""  # accept, waitlist or reject
    track: str | None = None  # a track slug of the term
    waitlist_rank: int | None = None  # 1 or more, waitlist only (1 is offered first)


class ReleaseIn(Schema):
    # The count the caller saw (e.g. the ranking's ``pending_release``); when given, a release
    # whose count of staged decisions differs under lock is refused with 409 and sends nothing.
    expected_count: int | None = None


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


def _filters(request: HttpRequest, form: ApplicationForm) -> list[AnswerFilter]:
    """The answer filters of the query; unknown keys and values are refused, not ignored."""
    problems = ranking_filter_problems(form=form, params=request.GET)
    if problems:
        raise InvalidInputError("Check the filters.", field_errors=problems)
    return ranking_filters(form=form, params=request.GET)


RANKING_MAX_LIMIT = 500

FILTER_HELP = (
    "Filter by answers with query parameters: a single-choice, multiple-choice or yes/no "
    "question's key and one of its values, e.g. `?track=intro&mode=in_person&commitment=yes`. "
    "An unknown key or value is refused (400)."
)


@router.get(
    "/terms/{slug}/forms/{kind}/ranking",
    response={200: RankingOut, 400: ErrorOut},
    summary="Submitted applications ranked by aggregate score, filtered by answers (organizers)",
    description=FILTER_HELP
    + " One page at a time, best score first: `?page=` (from 1) and `?limit=` (default 50, at "
    f"most {RANKING_MAX_LIMIT}); `total` counts the rows matching the filters over every page.",
)
def ranking(request: HttpRequest, slug: str, kind: str, page: int = 1, limit: int = 50) -> Any:
    form = rules.require_organizer_form(request, slug, kind)
    if page < 1 or not 1 <= limit <= RANKING_MAX_LIMIT:
        raise InvalidInputError(
            "Check the page.",
            field_errors={
                **({"page": "1 or more"} if page < 1 else {}),
                **(
                    {"limit": f"from 1 to {RANKING_MAX_LIMIT}"}
                    if not 1 <= limit <= RANKING_MAX_LIMIT
                    else {}
                ),
            },
        )
    params = request.GET.copy()
    for name in ("page", "limit"):
        params.pop(name, None)
    problems = ranking_filter_problems(form=form, params=params)
    if problems:
        raise InvalidInputError("Check the filters.", field_errors=problems)
    filters = ranking_filters(form=form, params=params)
    matching = ranking_queryset(form=form, filters=filters)
    total = matching.count()
    pages = max(1, -(-total // limit))
    applications = list(matching.order_by(*RANK_ORDER)[(page - 1) * limit : page * limit])
    answers = answers_by_application(applications=applications, keys=[item.key for item in filters])
    rows = [
        ranked_row(application, answers.get(application.pk, {})) for application in applications
    ]
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
        "pending_release": decisions_pending_release(form=form),
        "total": total,
        "page": page,
        "limit": limit,
        "pages": pages,
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
    form = rules.require_organizer_form(request, slug, kind)
    filters = _filters(request, form)
    rows = ranking_rows(form=form, filters=filters, with_all_answers=True)
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
    form = rules.require_organizer_form(request, slug, kind)
    application = (
        Application.objects.select_related("form__term", "applicant")
        .filter(pk=application_id, form=form)
        .first()
    )
    if application is None:
        raise Http404("No such application on this form.")
    track = None
    if payload.track:
        track = Track.objects.filter(term=form.term, slug=payload.track).first()
        if track is None:
            slugs = ", ".join(Track.objects.filter(term=form.term).values_list("slug", flat=True))
            raise InvalidInputError(
                "No such track in this term.",
                field_errors={"track": f"One of: {slugs or 'none'}."},
            )
    decision = deciding.decision_stage(
        application=application,
        outcome=payload.outcome,
        track=track,
        waitlist_rank=payload.waitlist_rank,
        actor=request.user,
    )
    return _decision(decision)


@router.post(
    "/terms/{slug}/forms/{kind}/decisions/release",
    response={200: ReleaseOut, 400: ErrorOut, 409: ErrorOut},
    summary="Release every staged decision: one email to each person newly decided; releasing "
    "again only tells the new ones (organizers)",
    description="The body is optional. With `expected_count` (the `pending_release` you looked "
    "at), the release goes ahead only if exactly that many decisions are staged when it runs: "
    "otherwise 409, nothing released or sent, and `field_errors.expected_count` (and `detail`) "
    "give the count staged now. Without it, every staged decision is released.",
)
def decisions_release(
    request: HttpRequest, slug: str, kind: str, payload: ReleaseIn | None = None
) -> Any:
    form = rules.require_organizer_form(request, slug, kind)
    expected = payload.expected_count if payload is not None else None
    if expected is not None and expected < 0:
        message = "The expected count is 0 or more."
        raise InvalidInputError(message, field_errors={"expected_count": message})
    counted = decisions_release_counted(form=form, actor=request.user, expected=expected)
    return {
        "released": counted.released,
        "emails_queued": counted.emails_queued,
        "pending_release": decisions_pending_release(form=form),
    }


def _my_decision_out(application: Application, user: Any) -> dict[str, Any]:
    decision = Decision.objects.select_related("track").filter(application=application).first()
    released = decision if decision is not None and decision.released_at else None
    enrollment = enrollment_of(form=application.form, user=user)
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
            "can_answer": rules.can_answer_offer(enrollment),
        },
    }


@router.get(
    "/terms/{slug}/forms/{kind}/decision",
    response=MyDecisionOut,
    summary="The decision on your own application, once released, and your offer",
)
def my_decision(request: HttpRequest, slug: str, kind: str) -> Any:
    application = rules.require_own_application(request, slug, kind)
    return _my_decision_out(application, request.user)


def _answer_offer(request: HttpRequest, slug: str, kind: str, answer: str) -> Any:
    application = rules.require_own_application(request, slug, kind)
    enrollment = enrollment_of(form=application.form, user=request.user)
    if enrollment is None:
        raise Http404("You have no offer on this form.")
    respond = (
        confirming.enrollment_confirm if answer == "confirm" else confirming.enrollment_decline
    )
    # Too late is 403, an offer no longer open 409 (the refusal says which).
    respond(enrollment=enrollment, user=request.user)
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
