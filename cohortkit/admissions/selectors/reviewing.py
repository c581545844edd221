"""Reads of reviewing, each in a fixed number of queries whatever the row count: reviewers and
their loads, a reviewer's assignments, an application as a reviewer sees it, and the scores.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, NullIf

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.admissions.answers import display_answer
from cohortkit.admissions.models import (
    Answer,
    Application,
    ApplicationForm,
    ApplicationStatus,
    Decision,
    FormQuestion,
    Review,
    ReviewAssignment,
    ReviewerConflict,
    RubricCategory,
)
from cohortkit.programs.models import Term


def term_reviewers(*, term: Term) -> list[User]:
    return list(
        User.objects.filter(
            pk__in=Membership.objects.filter(term=term, role=Role.REVIEWER).values("user_id")
        ).order_by("name", "email")
    )


def rubric_of(*, form: ApplicationForm) -> list[RubricCategory]:
    return list(RubricCategory.objects.filter(form=form))


def assignments_of_reviewer(*, term: Term, reviewer: Any) -> list[ReviewAssignment]:
    """The reviewer's assignments in the term, each annotated ``reviewed`` and ``closed``."""
    return list(
        reviewer_assignments(term=term, reviewer=reviewer, names_visible=False).order_by(
            "application__form__kind", "application__submitted_at", "id"
        )
    )


def reviewer_assignments(
    *, term: Term, reviewer: Any, names_visible: bool
) -> QuerySet[ReviewAssignment]:
    """The reviewer's assignments of submitted applications in the term, unordered, each
    annotated ``reviewed``, ``closed`` (the decision is released), ``applicant_sort`` (the name,
    else the email) and ``applicant_text`` (name and email, for searching).

    Without ``names_visible`` both applicant annotations are empty on blind forms, so neither
    a search nor a sort tells a reviewer anything about who applied.
    """
    name: Expression = Coalesce(
        NullIf("application__applicant__name", Value("")),
        "application__applicant__email",
        output_field=CharField(),
    )
    text: Expression = Concat(
        "application__applicant__name",
        Value(" "),
        "application__applicant__email",
        output_field=CharField(),
    )
    if not names_visible:
        hidden = Q(application__form__blind_review=True)
        name = Case(When(hidden, then=Value("")), default=name, output_field=CharField())
        text = Case(When(hidden, then=Value("")), default=text, output_field=CharField())
    return (
        ReviewAssignment.objects.filter(
            reviewer=reviewer,
            application__form__term=term,
            application__status=ApplicationStatus.SUBMITTED,
        )
        .select_related("application__form", "application__applicant")
        .annotate(
            reviewed=Exists(
                Review.objects.filter(
                    application_id=OuterRef("application_id"), reviewer_id=OuterRef("reviewer_id")
                )
            ),
            closed=Exists(
                Decision.objects.filter(
                    application_id=OuterRef("application_id"), released_at__isnull=False
                )
            ),
            applicant_sort=name,
            applicant_text=text,
        )
    )


ASSIGNMENT_STATES = {
    "todo": ("To review", Q(reviewed=False, closed=False)),
    "reviewed": ("Reviewed", Q(reviewed=True, closed=False)),
    "closed": ("Decision released", Q(closed=True)),
}


def assignments_in_state(
    assignments: QuerySet[ReviewAssignment], *, state: str = "", kind: str = ""
) -> QuerySet[ReviewAssignment]:
    """Those of ``reviewer_assignments`` in a state of ``ASSIGNMENT_STATES`` and of a form
    kind; an empty or unknown choice keeps every row."""
    if state in ASSIGNMENT_STATES:
        assignments = assignments.filter(ASSIGNMENT_STATES[state][1])
    if kind:
        assignments = assignments.filter(application__form__kind=kind)
    return assignments


def assignment_counts(assignments: QuerySet[ReviewAssignment]) -> dict[str, int]:
    """How many of ``reviewer_assignments`` there are and how many are left to review: one
    query."""
    counts = assignments.order_by().aggregate(
        total=Count("pk"), left=Count("pk", filter=ASSIGNMENT_STATES["todo"][1])
    )
    return {"total": counts["total"] or 0, "left": counts["left"] or 0}


@dataclass(frozen=True)
class VisibleAnswer:
    label: str
    raw: str


def answers_for_reviewers(*, application: Application) -> list[VisibleAnswer]:
    """The answers to the questions marked visible to reviewers, in the form's order."""
    questions = FormQuestion.objects.filter(form_id=application.form_id, visible_to_reviewers=True)
    answers = {
        answer.question_id: answer
        for answer in Answer.objects.filter(application=application, question__in=questions)
    }
    return [
        VisibleAnswer(label=question.label, raw=display_answer(question, answers.get(question.pk)))
        for question in questions
    ]


def review_of(*, application: Application, reviewer: Any) -> Review | None:
    return (
        Review.objects.filter(application=application, reviewer=reviewer)
        .prefetch_related("score_rows")
        .first()
    )


def reviewer_loads(*, form: ApplicationForm) -> list[tuple[User, int, int]]:
    """(reviewer, assigned, reviewed) for every reviewer of the term, on this form."""
    assigned = Count(
        "review_assignments",
        filter=Q(review_assignments__application__form=form),
        distinct=True,
    )
    reviewed = Count("reviews", filter=Q(reviews__application__form=form), distinct=True)
    reviewers = (
        User.objects.filter(
            pk__in=Membership.objects.filter(term=form.term, role=Role.REVIEWER).values("user_id")
        )
        .annotate(assigned=assigned, reviewed=reviewed)
        .order_by("name", "email")
    )
    return [(user, user.assigned, user.reviewed) for user in reviewers]


def reviewer_load_rows(*, form: ApplicationForm) -> QuerySet[User]:
    """The term's reviewers, unordered, each annotated ``assigned`` and ``reviewed`` (on this
    form), ``left`` (assigned, not reviewed) and ``conflicts`` (declared in the term)."""

    def counted(queryset: QuerySet[Any]) -> Coalesce:
        return Coalesce(
            Subquery(
                queryset.order_by().values("reviewer_id").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        )

    mine = {"reviewer_id": OuterRef("pk"), "application__form": form}
    return User.objects.filter(
        pk__in=Membership.objects.filter(term=form.term, role=Role.REVIEWER).values("user_id")
    ).annotate(
        assigned=counted(ReviewAssignment.objects.filter(**mine)),
        reviewed=counted(Review.objects.filter(**mine)),
        left=counted(
            ReviewAssignment.objects.filter(**mine).exclude(
                Exists(
                    Review.objects.filter(
                        application_id=OuterRef("application_id"),
                        reviewer_id=OuterRef("reviewer_id"),
                    )
                )
            )
        ),
        conflicts=counted(
            ReviewerConflict.objects.filter(reviewer_id=OuterRef("pk"), term=form.term)
        ),
    )


REVIEWER_STATES = {
    "left": ("With reviews left", Q(left__gt=0)),
    "done": ("All done", Q(assigned__gt=0, left=0)),
    "unassigned": ("Nothing assigned", Q(assigned=0)),
    "conflict": ("Declared a conflict", Q(conflicts__gt=0)),
}


def blind_label(application_id: int) -> str:
    """``Application 3F9A2C``: keyed on the site's secret, so nobody can work back to the id."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"application:{application_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"Application {digest[:6].upper()}"


@dataclass(frozen=True)
class KeyedAnswer:
    key: str
    label: str
    raw: str


def answers_for_reviewers_keyed(*, application: Application) -> list[KeyedAnswer]:
    """As ``review_selectors.answers_for_reviewers`` (visible questions only, in the form's
    order), with each question's key, which API clients need to tell questions apart."""
    questions = FormQuestion.objects.filter(form_id=application.form_id, visible_to_reviewers=True)
    answers = {
        answer.question_id: answer.raw
        for answer in Answer.objects.filter(application=application, question__in=questions)
    }
    return [
        KeyedAnswer(
            key=question.key, label=question.label, raw=answers.get(question.pk, "").strip()
        )
        for question in questions
    ]


def decision_is_released(application: Application) -> bool:
    return Decision.objects.filter(application=application, released_at__isnull=False).exists()


def review_percent(scores: dict[int, int], categories: Sequence[RubricCategory]) -> float | None:
    """One review as a percentage: the weighted mean of its category scores, each taken as a
    share of that category's maximum (so a 0–10 category and a 0–5 one weigh by weight alone)."""
    total_weight = sum(category.weight for category in categories if category.pk in scores)
    if total_weight == 0:
        return None
    weighted = sum(
        category.weight * scores[category.pk] / category.max_score
        for category in categories
        if category.pk in scores
    )
    return 100 * weighted / total_weight


def aggregate_score(
    reviews: Iterable[Review], categories: Sequence[RubricCategory]
) -> float | None:
    """The application's score: the mean of its reviews' percentages, to one decimal; None
    without reviews."""
    percents = [
        percent
        for review in reviews
        if (percent := review_percent(review.scores, categories)) is not None
    ]
    if not percents:
        return None
    return round(sum(percents) / len(percents), 1)
