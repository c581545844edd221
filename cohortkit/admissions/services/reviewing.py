"""Reviewing: the rubric, who reviews what (automatically or by hand), and reviews.

A reviewer only ever sees and scores applications assigned to them; nobody is assigned their own
application or one of a person they declared a conflict with. A review can be changed until the
decision on its application is released.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, FloatField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohortkit.accounts.models import Membership, Role
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    ApplicationStatus,
    Review,
    ReviewAssignment,
    ReviewerConflict,
    ReviewScore,
    RubricCategory,
)
from cohortkit.admissions.selectors.ranking import NO_SCORE, computed_count_of, computed_score
from cohortkit.admissions.selectors.reviewing import decision_is_released
from cohortkit.common.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from cohortkit.common.services import audit_record
from cohortkit.programs.models import Term
from cohortkit.programs.states import term_require_writable


@transaction.atomic
def application_scores_rebuild(
    *, form: ApplicationForm, application_ids: Iterable[int] | None = None
) -> int:
    """Store again, from the reviews, the ranking figures of the form's applications (only
    those of ``application_ids`` when given): ``score``, ``score_order`` and ``reviews_count``.
    Two UPDATE queries, whatever the number of applications; returns how many were updated.
    Bulk inserts of reviews (the benchmark's term) call it once at the end."""
    applications = Application.objects.filter(form=form)
    if application_ids is not None:
        applications = applications.filter(pk__in=list(application_ids))
    updated = applications.update(
        score=computed_score(), reviews_count=Coalesce(computed_count_of(Review), 0)
    )
    applications.update(
        score_order=Coalesce(F("score"), Value(NO_SCORE), output_field=FloatField())
    )
    return updated


def _reviewer_ids(term: Term, users: Iterable[Any]) -> set[int]:
    """The ids among ``users`` that hold the reviewer role in the term."""
    ids = {user.pk for user in users}
    return set(
        Membership.objects.filter(term=term, role=Role.REVIEWER, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )


def _conflicts(term: Term) -> set[tuple[int, int]]:
    """(reviewer id, applicant id) pairs that must never meet in the term."""
    return set(
        ReviewerConflict.objects.filter(term=term).values_list("reviewer_id", "applicant_id")
    )


@transaction.atomic
def review_settings_update(
    *,
    form: ApplicationForm,
    blind_review: bool,
    reviews_per_application: int,
    confirmation_deadline: dt.datetime | None,
    offer_response_days: int,
    actor: Any,
) -> ApplicationForm:
    """Change how the form is reviewed and how long accepted people have to confirm."""
    if reviews_per_application < 1:
        raise InvalidInputError("Each application needs at least one reviewer.")
    if offer_response_days < 1:
        raise InvalidInputError("People need at least one day to answer an offer.")
    form.blind_review = blind_review
    form.reviews_per_application = reviews_per_application
    form.confirmation_deadline = confirmation_deadline
    form.offer_response_days = offer_response_days
    form.save(
        update_fields=[
            "blind_review",
            "reviews_per_application",
            "confirmation_deadline",
            "offer_response_days",
        ]
    )
    audit_record(
        actor=actor,
        action="review_settings.updated",
        target=form,
        details={
            "blind_review": blind_review,
            "reviews_per_application": reviews_per_application,
            "confirmation_deadline": confirmation_deadline.isoformat()
            if confirmation_deadline
            else None,
            "offer_response_days": offer_response_days,
        },
    )
    return form


@transaction.atomic
def rubric_category_save(
    *,
    form: ApplicationForm,
    name: str,
    weight: int,
    max_score: int,
    description: str = "",
    position: int | None = None,
    category: RubricCategory | None = None,
    actor: Any,
) -> RubricCategory:
    """Add a rubric category to the form, or change ``category``.

    Lowering the maximum below a score already given is refused: the review would become invalid.
    """
    name = name.strip()
    if not name:
        raise InvalidInputError("A category needs a name.", field_errors={"name": "Required."})
    if weight < 1:
        raise InvalidInputError("The weight must be at least 1.", field_errors={"weight": "≥ 1"})
    if max_score < 1:
        raise InvalidInputError(
            "The maximum score must be at least 1.", field_errors={"max_score": "≥ 1"}
        )
    same_name = RubricCategory.objects.filter(form=form, name__iexact=name)
    if category is not None:
        same_name = same_name.exclude(pk=category.pk)
    if same_name.exists():
        raise InvalidInputError(
            f"There is already a category called “{name}”.", field_errors={"name": "Taken."}
        )
    if category is None:
        category = RubricCategory(form=form)
        if position is None:
            position = RubricCategory.objects.filter(form=form).count()
    elif category.form_id != form.pk:
        raise NotFoundError("This category belongs to another form.")
    elif ReviewScore.objects.filter(category=category, score__gt=max_score).exists():
        raise ConflictError(
            "Some reviews already gave this category more than that; "
            "the maximum can only go down to the highest score given."
        )
    rescored = category.pk is not None and (
        (category.weight, category.max_score) != (weight, max_score)
    )
    category.name = name
    category.description = description.strip()
    category.weight = weight
    category.max_score = max_score
    if position is not None:
        category.position = position
    category.save()
    if rescored:  # every review's percentage moves with the category's weight or maximum
        application_scores_rebuild(form=form)
    audit_record(
        actor=actor,
        action="rubric_category.saved",
        target=category,
        details={"name": name, "weight": weight, "max_score": max_score},
    )
    return category


@transaction.atomic
def rubric_category_delete(*, category: RubricCategory, actor: Any) -> None:
    """Remove a category that no review has scored yet."""
    if ReviewScore.objects.filter(category=category).exists():
        raise ConflictError(
            f"Reviews already score “{category.name}”; it can be renamed or reweighted, "
            "not removed."
        )
    audit_record(
        actor=actor,
        action="rubric_category.deleted",
        target=category,
        details={"name": category.name},
    )
    category.delete()


def _require_assignable(application: Application, reviewer: Any) -> None:
    term = application.form.term
    if application.status != ApplicationStatus.SUBMITTED:
        raise ConflictError("Only submitted applications are reviewed.")
    if reviewer.pk == application.applicant_id:
        raise NotAllowedError("Nobody reviews their own application.")
    if not _reviewer_ids(term, [reviewer]):
        raise InvalidInputError(f"{reviewer.email} is not a reviewer of {term}.")
    if (reviewer.pk, application.applicant_id) in _conflicts(term):
        raise ConflictError(f"{reviewer.email} declared a conflict with this applicant.")


@transaction.atomic
def review_assignment_create(
    *, application: Application, reviewer: Any, actor: Any
) -> ReviewAssignment:
    """Assign one reviewer to one application by hand; assigning again changes nothing."""
    _require_assignable(application, reviewer)
    assignment, created = ReviewAssignment.objects.get_or_create(
        application=application, reviewer=reviewer, defaults={"assigned_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action="review.assigned",
            target=assignment,
            details={"reviewer": reviewer.email, "application": application.pk},
        )
    return assignment


@transaction.atomic
def review_assignment_delete(*, application: Application, reviewer: Any, actor: Any) -> bool:
    """Take an application back from a reviewer who has not reviewed it; True if one was removed."""
    if Review.objects.filter(application=application, reviewer=reviewer).exists():
        raise ConflictError(
            f"{reviewer.email} already reviewed this application; the review is kept."
        )
    assignment = ReviewAssignment.objects.filter(application=application, reviewer=reviewer).first()
    if assignment is None:
        return False
    audit_record(
        actor=actor,
        action="review.unassigned",
        target=assignment,
        details={"reviewer": reviewer.email, "application": application.pk},
    )
    assignment.delete()
    return True


@dataclass(frozen=True)
class AssignmentSummary:
    """What an automatic assignment did: new pairs, and applications left with fewer than k."""

    created: int
    loads: dict[int, int]  # reviewer id → assigned applications on the form after the run
    short: list[int] = field(default_factory=list)  # application ids with fewer than k reviewers


@transaction.atomic
def reviews_assign(
    *, form: ApplicationForm, reviewers: Sequence[Any], per_application: int, actor: Any
) -> AssignmentSummary:
    """Give every submitted application ``per_application`` reviewers, spreading the load evenly.

    Pairs already assigned are kept and count towards both the application's k and the reviewer's
    load, so running it again (or after new applications arrive) only fills the gaps. Nobody
    reviews themselves or someone they declared a conflict with. Applications are served most
    constrained first, each to the least-loaded eligible reviewers, which keeps every reviewer's
    load within one of the others' whenever conflicts allow it.
    """
    if per_application < 1:
        raise InvalidInputError("Each application needs at least one reviewer.")
    reviewer_ids = sorted({reviewer.pk for reviewer in reviewers})
    if not reviewer_ids:
        raise InvalidInputError("There are no reviewers to assign.")
    term = form.term
    not_reviewers = set(reviewer_ids) - _reviewer_ids(term, reviewers)
    if not_reviewers:
        raise InvalidInputError(
            f"{len(not_reviewers)} of the people given are not reviewers of {term}."
        )
    # Two organizers pressing the button at once must not both fill the same gaps.
    ApplicationForm.objects.select_for_update().filter(pk=form.pk).first()

    applications = list(
        Application.objects.filter(form=form, status=ApplicationStatus.SUBMITTED)
        .order_by("submitted_at", "id")
        .values_list("id", "applicant_id")
    )
    existing: dict[int, set[int]] = {application_id: set() for application_id, _ in applications}
    loads = dict.fromkeys(reviewer_ids, 0)
    for application_id, reviewer_id in ReviewAssignment.objects.filter(
        application__form=form
    ).values_list("application_id", "reviewer_id"):
        if application_id in existing:
            existing[application_id].add(reviewer_id)
        if reviewer_id in loads:
            loads[reviewer_id] += 1
    conflicts = _conflicts(term)

    def eligible(application_id: int, applicant_id: int) -> list[int]:
        return [
            reviewer_id
            for reviewer_id in reviewer_ids
            if reviewer_id != applicant_id
            and (reviewer_id, applicant_id) not in conflicts
            and reviewer_id not in existing[application_id]
        ]

    candidates = {
        application_id: eligible(application_id, applicant_id)
        for application_id, applicant_id in applications
    }
    order = sorted(
        (application_id for application_id, _ in applications),
        key=lambda application_id: len(candidates[application_id]),
    )
    new_pairs: list[ReviewAssignment] = []
    short: list[int] = []
    for application_id in order:
        needed = per_application - len(existing[application_id])
        if needed <= 0:
            continue
        chosen = sorted(candidates[application_id], key=lambda rid: (loads[rid], rid))[:needed]
        for reviewer_id in chosen:
            loads[reviewer_id] += 1
            new_pairs.append(
                ReviewAssignment(
                    application_id=application_id, reviewer_id=reviewer_id, assigned_by=actor
                )
            )
        if len(chosen) < needed:
            short.append(application_id)
    ReviewAssignment.objects.bulk_create(new_pairs, batch_size=500)
    if new_pairs or short:
        audit_record(
            actor=actor,
            action="reviews.assigned",
            target=form,
            details={
                "created": len(new_pairs),
                "per_application": per_application,
                "reviewers": len(reviewer_ids),
                "short": len(short),
            },
        )
    return AssignmentSummary(created=len(new_pairs), loads=loads, short=sorted(short))


@transaction.atomic
def reviewer_conflict_declare(
    *, term: Term, reviewer: Any, applicant: Any, actor: Any
) -> ReviewerConflict:
    """Record that ``reviewer`` must not review ``applicant``; unreviewed assignments are removed.

    A review already written stays (organizers see it and can discount it); declaring again
    changes nothing.
    """
    if reviewer.pk == applicant.pk:
        raise InvalidInputError("Nobody reviews their own application anyway.")
    conflict, created = ReviewerConflict.objects.get_or_create(
        term=term, reviewer=reviewer, applicant=applicant, defaults={"declared_by": actor}
    )
    reviewed = Review.objects.filter(
        reviewer=reviewer, application__applicant=applicant, application__form__term=term
    ).values_list("application_id", flat=True)
    ReviewAssignment.objects.filter(
        reviewer=reviewer, application__applicant=applicant, application__form__term=term
    ).exclude(application_id__in=list(reviewed)).delete()
    if created:
        audit_record(
            actor=actor,
            action="reviewer_conflict.declared",
            target=conflict,
            details={"reviewer": reviewer.email, "applicant": applicant.email},
        )
    return conflict


@transaction.atomic
def review_submit(
    *,
    application: Application,
    reviewer: Any,
    scores: dict[int, int],
    comment: str = "",
    now: dt.datetime | None = None,
) -> Review:
    """Save the reviewer's scores (one per rubric category, 0 to its maximum) and comment.

    Only an assigned reviewer may review, and only until the application's decision is released;
    submitting again replaces the earlier scores. Refused as a whole, changing nothing, when any
    score is missing or out of range.
    """
    moment = now or timezone.now()
    term_require_writable(application.form.term)
    if not ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists():
        raise NotAllowedError("This application is not assigned to you.")
    if decision_is_released(application):
        raise ConflictError("The decision on this application is released; reviews are closed.")
    categories = list(RubricCategory.objects.filter(form_id=application.form_id))
    if not categories:
        raise InvalidInputError("This form has no rubric yet; ask an organizer to add one.")
    known = {category.pk for category in categories}
    errors: dict[str, str] = {}
    for category_id in sorted(set(scores) - known):
        errors[str(category_id)] = "No such rubric category."
    for category in categories:
        score = scores.get(category.pk)
        if score is None:
            errors[str(category.pk)] = "Give a score."
        elif isinstance(score, bool) or not isinstance(score, int):
            errors[str(category.pk)] = "Use a whole number."
        elif not 0 <= score <= category.max_score:
            errors[str(category.pk)] = f"Use a score from 0 to {category.max_score}."
    if errors:
        raise InvalidInputError("Not saved: check the marked scores.", field_errors=errors)
    review, created = Review.objects.update_or_create(
        application=application,
        reviewer=reviewer,
        defaults={"comment": comment.strip()},
        create_defaults={"comment": comment.strip(), "submitted_at": moment},
    )
    ReviewScore.objects.filter(review=review).delete()
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, category=category, score=scores[category.pk])
        for category in categories
    )
    application_scores_rebuild(form=application.form, application_ids=[application.pk])
    audit_record(
        actor=reviewer,
        action="review.submitted" if created else "review.edited",
        target=review,
        details={"scores": {str(key): value for key, value in scores.items()}},
    )
    return review
