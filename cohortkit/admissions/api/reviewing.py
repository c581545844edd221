"""Reviewing routes of the JSON API: reviewers' assignments and reviews, the organizers' rubric
and automatic assignment.

They call the same selectors and services as the pages, with the same rules: a term you are not a
member of is 404, a role without the right is 403, an application not assigned to a reviewer is
404 to them, and blind mode hides names and emails from reviewers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from cohortkit.admissions import rules
from cohortkit.admissions.api.applying import ErrorOut
from cohortkit.admissions.models import (
    Application,
    RubricCategory,
)
from cohortkit.admissions.selectors.reviewing import (
    answers_for_reviewers_keyed,
    assignments_of_reviewer,
    decision_is_released,
    review_of,
    reviewer_loads,
    rubric_of,
    term_reviewers,
)
from cohortkit.admissions.services import reviewing
from cohortkit.common.errors import InvalidInputError

router = Router(tags=["reviews and decisions"])


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


@router.get(
    "/terms/{slug}/reviews",
    response=list[AssignmentOut],
    summary="Applications assigned to you for review (blind mode hides names and emails)",
)
def review_assignments(request: HttpRequest, slug: str) -> Any:
    term, roles = rules.require_reviewing(request, slug)
    assignments = assignments_of_reviewer(term=term, reviewer=request.user)
    return [
        {
            "application_id": item.application_id,
            "kind": item.application.form.kind,
            "submitted_at": item.application.submitted_at,
            "applicant": _applicant(item.application)
            if rules.can_see_applicant_names(item.application.form, roles)
            else None,
            "reviewed": bool(getattr(item, "reviewed", False)),
            "closed": bool(getattr(item, "closed", False)),
        }
        for item in assignments
    ]


def _review_application_out(application: Application, user: Any, roles: Any) -> dict[str, Any]:
    form = application.form
    review = review_of(application=application, reviewer=user)
    return {
        "application_id": application.pk,
        "kind": form.kind,
        "submitted_at": application.submitted_at,
        "applicant": _applicant(application)
        if rules.can_see_applicant_names(form, roles)
        else None,
        "answers": [
            {"key": answer.key, "label": answer.label, "raw": answer.raw}
            for answer in answers_for_reviewers_keyed(application=application)
        ],
        "rubric": [_category(category) for category in rubric_of(form=form)],
        "assigned": rules.can_score(user, application),
        "closed": decision_is_released(application),
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
    term, roles = rules.require_reviewing(request, slug)
    application = rules.require_application_for_review(request, term, roles, application_id)
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
    term, roles = rules.require_reviewing(request, slug)
    application = rules.require_application_for_review(request, term, roles, application_id)
    scores: dict[int, Any] = {}
    bad_keys = {}
    for key, value in payload.scores.items():
        if key.strip().isdigit():
            scores[int(key)] = value
        else:
            bad_keys[key] = "No such rubric category."
    if bad_keys:
        raise InvalidInputError("Not saved: check the marked scores.", field_errors=bad_keys)
    # Organizers may read any application, but score only those assigned to them (the service
    # refuses the others, and any review once the decision is released).
    reviewing.review_submit(
        application=application, reviewer=request.user, scores=scores, comment=payload.comment
    )
    return _review_application_out(application, request.user, roles)


@router.get(
    "/terms/{slug}/forms/{kind}/rubric",
    response=RubricOut,
    summary="The form's rubric categories and review settings (organizers)",
)
def rubric(request: HttpRequest, slug: str, kind: str) -> Any:
    form = rules.require_organizer_form(request, slug, kind)
    return {
        "kind": form.kind,
        "blind_review": form.blind_review,
        "reviews_per_application": form.reviews_per_application,
        "confirmation_deadline": form.confirmation_deadline,
        "offer_response_days": form.offer_response_days,
        "categories": [_category(category) for category in rubric_of(form=form)],
    }


@router.post(
    "/terms/{slug}/forms/{kind}/assignments/auto",
    response={200: AssignOut, 400: ErrorOut},
    summary="Assign the term's reviewers automatically: k per application, balanced, no "
    "self-review or declared conflicts; running again only fills gaps (organizers)",
)
def assign_automatically(request: HttpRequest, slug: str, kind: str, payload: AssignIn) -> Any:
    form = rules.require_organizer_form(request, slug, kind)
    per_application = payload.per_application or form.reviews_per_application
    summary = reviewing.reviews_assign(
        form=form,
        reviewers=term_reviewers(term=form.term),
        per_application=per_application,
        actor=request.user,
    )
    return {
        "created": summary.created,
        "per_application": per_application,
        "short": summary.short,
        "loads": [
            {"email": user.email, "name": user.name, "assigned": assigned, "reviewed": reviewed}
            for user, assigned, reviewed in reviewer_loads(form=form)
        ],
    }
