"""Reads of the organizers' ranked table: answer filters, columns and the ranked rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Prefetch

from cohortkit.admissions.models import (
    Answer,
    Application,
    ApplicationForm,
    ApplicationStatus,
    Decision,
    FormQuestion,
    QuestionType,
    Review,
    ReviewScore,
)
from cohortkit.admissions.selectors.reviewing import aggregate_score, rubric_of

FILTERABLE_TYPES = (QuestionType.CHOICE, QuestionType.MULTI_CHOICE, QuestionType.YES_NO)


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


def ranking_filter_problems(*, form: ApplicationForm, params: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with answer filters given as query parameters: unknown question keys and
    values that are not among the question's choices. The page quietly ignores these; an API
    client gets told, rather than an unfiltered list it takes for a filtered one."""
    filters = {item.key: item for item in ranking_filters(form=form, params={})}
    problems: dict[str, str] = {}
    for key in params:
        value = str(params.get(key, ""))
        if key not in filters:
            known = ", ".join(sorted(filters)) or "none"
            problems[key] = f"Not a question to filter by (these are: {known})."
        elif value and value not in {choice for choice, _ in filters[key].choices}:
            allowed = ", ".join(choice for choice, _ in filters[key].choices)
            problems[key] = f"Not one of the answers: {allowed}."
    return problems
