"""Reads of reviewing and decisions, each in a fixed number of queries whatever the row count."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.admissions.answers import display_answer
from cohortkit.admissions.models import (
    Answer,
    Application,
    ApplicationForm,
    ApplicationStatus,
    Decision,
    FormQuestion,
    QuestionType,
    Review,
    ReviewAssignment,
    ReviewScore,
    RubricCategory,
)
from cohortkit.admissions.reviewing import aggregate_score
from cohortkit.programs.models import Term

FILTERABLE_TYPES = (QuestionType.CHOICE, QuestionType.MULTI_CHOICE, QuestionType.YES_NO)


def term_reviewers(*, term: Term) -> list[User]:
    return list(
        User.objects.filter(
            pk__in=Membership.objects.filter(term=term, role=Role.REVIEWER).values("user_id")
        ).order_by("name", "email")
    )


def rubric_of(*, form: ApplicationForm) -> list[RubricCategory]:
    return list(RubricCategory.objects.filter(form=form))


# Reviewer pages ----------------------------------------------------------------------------


def assignments_of_reviewer(*, term: Term, reviewer: Any) -> list[ReviewAssignment]:
    """The reviewer's assignments in the term, each annotated ``reviewed`` and ``closed``."""
    return list(
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
        )
        .order_by("application__form__kind", "application__submitted_at", "id")
    )


def application_for_review(
    *, term: Term, application_id: int, user: Any, roles: Any
) -> Application:
    """The application if this person may open it for review: assigned to them, or any submitted
    application of the term for an organizer. Anything else is 404, so reviewers cannot even
    learn whether an unassigned application exists."""
    applications = Application.objects.select_related("form", "form__term", "applicant").filter(
        pk=application_id, form__term=term, status=ApplicationStatus.SUBMITTED
    )
    if Role.ORGANIZER not in roles:
        applications = applications.filter(review_assignments__reviewer=user)
    application = applications.first()
    if application is None:
        raise Http404("No such application among yours.")
    return application


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


# Organizer pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerFilter:
    key: str
    label: str
    choices: list[tuple[str, str]]
    selected: str = ""


def ranking_filters(*, form: ApplicationForm, params: Any) -> list[AnswerFilter]:
    """One filter per single-choice, multiple-choice or yes/no question, with the chosen value."""
    filters = []
    for question in FormQuestion.objects.filter(form=form, type__in=FILTERABLE_TYPES):
        if question.type == QuestionType.YES_NO:
            choices = [("yes", "Yes"), ("no", "No")]
        else:
            choices = [(str(choice["value"]), str(choice["label"])) for choice in question.choices]
        selected = str(params.get(question.key, ""))
        if selected not in {value for value, _ in choices}:
            selected = ""
        filters.append(AnswerFilter(question.key, question.label, choices, selected))
    return filters


# The answers organizers decide by, with short headings, when the form asks them; otherwise the
# first few filters under their question.
RANKING_COLUMNS = {
    "track": "Track",
    "tracks": "Tracks",
    "mode": "Online / in person",
    "university": "University",
    "us_work_eligibility": "US work",
}


def ranking_columns(filters: list[AnswerFilter]) -> list[AnswerFilter]:
    preferred = [
        replace(item, label=RANKING_COLUMNS[item.key])
        for item in filters
        if item.key in RANKING_COLUMNS
    ]
    return preferred or filters[:3]


def _matches(value: Any, wanted: str) -> bool:
    if isinstance(value, bool):
        return wanted == ("yes" if value else "no")
    if isinstance(value, list):
        return wanted in value
    return value is not None and str(value) == wanted


@dataclass
class RankedRow:
    rank: int
    application: Application
    score: float | None
    reviews: int
    assigned: int
    decision: Decision | None
    answers: dict[str, Answer] = field(default_factory=dict)

    @property
    def applicant(self) -> Any:
        return self.application.applicant


def ranking_rows(
    *,
    form: ApplicationForm,
    filters: list[AnswerFilter] | None = None,
    with_all_answers: bool = False,
) -> list[RankedRow]:
    """Submitted applications, best aggregate score first (unreviewed last), narrowed by the
    chosen answer filters. ``answers`` holds the filter questions' answers, or every answer with
    ``with_all_answers`` (for the export)."""
    categories = rubric_of(form=form)
    chosen = [item for item in (filters or []) if item.selected]
    filter_keys = [item.key for item in (filters or [])]
    answers = Answer.objects.select_related("question")
    if not with_all_answers:
        answers = answers.filter(question__key__in=filter_keys)
    applications = (
        Application.objects.filter(form=form, status=ApplicationStatus.SUBMITTED)
        .select_related("applicant", "decision", "decision__track")
        .annotate(assigned_count=Count("review_assignments", distinct=True))
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.prefetch_related(
                    Prefetch("score_rows", queryset=ReviewScore.objects.all())
                ),
            ),
            Prefetch("answers", queryset=answers),
        )
        .order_by("submitted_at", "id")
    )
    rows: list[RankedRow] = []
    for application in applications:
        by_key = {answer.question.key: answer for answer in application.answers.all()}
        if any(
            not _matches(by_key[item.key].value if item.key in by_key else None, item.selected)
            for item in chosen
        ):
            continue
        reviews = list(application.reviews.all())
        decision = getattr(application, "decision", None)
        rows.append(
            RankedRow(
                rank=0,
                application=application,
                score=aggregate_score(reviews, categories),
                reviews=len(reviews),
                assigned=application.assigned_count,
                decision=decision,
                answers=by_key,
            )
        )
    rows.sort(key=lambda row: (row.score is None, -(row.score or 0), row.application.pk))
    for position, row in enumerate(rows, start=1):
        row.rank = position
    return rows


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


def blind_label(application_id: int) -> str:
    """``Application 3F9A2C``: keyed on the site's secret, so nobody can work back to the id."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"application:{application_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"Application {digest[:6].upper()}"
