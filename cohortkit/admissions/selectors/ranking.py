"""Reads of the organizers' ranked table: answer filters, columns and the ranked rows."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, NullIf, Round, RowNumber

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
from cohortkit.admissions.selectors.reviewing import review_percent

FILTERABLE_TYPES = (QuestionType.CHOICE, QuestionType.MULTI_CHOICE, QuestionType.YES_NO)


@dataclass(frozen=True)
class AnswerFilter:
    key: str
    label: str
    choices: list[tuple[str, str]]
    selected: str = ""
    full_label: str = ""  # the whole question, when ``label`` is a short heading


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
        filters.append(
            AnswerFilter(question.key, question.label, choices, selected, question.label)
        )
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


HEADING_LENGTH = 24


def _short(label: str) -> str:
    return label if len(label) <= HEADING_LENGTH else label[: HEADING_LENGTH - 1].rstrip() + "…"


def ranking_columns(filters: list[AnswerFilter]) -> list[AnswerFilter]:
    """The answer columns of the table, each with a short heading (``label``) and the whole
    question (``full_label``)."""
    preferred = [
        replace(item, label=RANKING_COLUMNS[item.key])
        for item in filters
        if item.key in RANKING_COLUMNS
    ]
    return preferred or [replace(item, label=_short(item.label)) for item in filters[:3]]


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


def _review_percent() -> Subquery:
    """One review as a percentage (``review_percent`` in SQL): the weighted mean of its category
    scores, each taken as a share of that category's maximum."""
    weighted = Sum(
        Cast(F("category__weight"), FloatField())
        * Cast(F("score"), FloatField())
        / Cast(F("category__max_score"), FloatField())
    )
    return Subquery(
        ReviewScore.objects.filter(review_id=OuterRef("pk"))
        .values("review_id")
        .annotate(
            percent=ExpressionWrapper(
                Value(100.0) * weighted / NullIf(Sum("category__weight"), 0),
                output_field=FloatField(),
            )
        )
        .values("percent")[:1],
        output_field=FloatField(),
    )


def computed_score() -> Subquery:
    """The application's score (``aggregate_score`` in SQL): the mean of its reviews'
    percentages, to one decimal; NULL without a scored review. Computed from the reviews, for
    ``Application.score`` (which the ranking reads) to be kept from."""
    return Subquery(
        Review.objects.filter(application_id=OuterRef("pk"))
        .annotate(percent=_review_percent())
        .values("application_id")
        .annotate(mean=Round(Avg("percent"), 1))
        .values("mean")[:1],
        output_field=FloatField(),
    )


def computed_count_of(model: Any) -> Subquery:
    """How many rows of ``model`` (``Review``, ``ReviewAssignment``) the application has."""
    return Subquery(
        model.objects.filter(application_id=OuterRef("pk"))
        .values("application_id")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def _answer_matches(question_id: int, question_type: str, wanted: str) -> Exists:
    answers = Answer.objects.filter(application_id=OuterRef("pk"), question_id=question_id)
    if question_type == QuestionType.YES_NO:
        answers = answers.filter(value=(wanted == "yes"))
    elif question_type == QuestionType.MULTI_CHOICE:
        if connection.vendor == "postgresql":
            answers = answers.filter(value__contains=[wanted])
        else:  # SQLite stores the list as JSON text, written by ``json.dumps``
            answers = answers.annotate(text=Cast("value", TextField())).filter(
                text__contains=json.dumps(wanted)
            )
    else:
        answers = answers.filter(value=wanted)
    return Exists(answers)


# Best score first, unreviewed last, then the earlier id: the order of ``rank``.
SCORE_ORDER = "score_order"
RANK_ORDER = [F(SCORE_ORDER).desc(), F("pk").asc()]
NO_SCORE = -1.0  # below every real score (0–100)


def ranking_queryset(
    *, form: ApplicationForm, filters: list[AnswerFilter] | None = None
) -> QuerySet[Application]:
    """Submitted applications narrowed by the chosen answer filters, with their stored
    ``score`` (None before a scored review), ``score_order`` and ``reviews_count``, annotated
    with ``assigned_count`` and ``rank`` (1 is the best score among the filtered). Unordered;
    the default order (``RANK_ORDER``) is read from the index ``application_ranking_order``."""
    chosen = [item for item in filters or [] if item.selected]
    questions = (
        {
            key: (pk, kind)
            for pk, key, kind in FormQuestion.objects.filter(
                form=form, type__in=FILTERABLE_TYPES
            ).values_list("pk", "key", "type")
        }
        if chosen
        else {}
    )
    applications = Application.objects.filter(
        form=form, status=ApplicationStatus.SUBMITTED
    ).select_related("applicant", "decision", "decision__track")
    for item in chosen:
        if item.key in questions:
            question_id, kind = questions[item.key]
            applications = applications.filter(_answer_matches(question_id, kind, item.selected))
    return applications.annotate(
        assigned_count=Coalesce(computed_count_of(ReviewAssignment), 0),
        rank=Window(RowNumber(), order_by=RANK_ORDER),
    )


def ranking_position(*, form: ApplicationForm, application: Application) -> int:
    """The application's rank among all the form's submitted applications (``rank`` counts
    within a filtered set; a single application needs this)."""
    order = getattr(application, SCORE_ORDER)
    return (
        ranking_queryset(form=form)
        .filter(Q(score_order__gt=order) | Q(score_order=order, pk__lt=application.pk))
        .count()
        + 1
    )


def ranked_row(application: Application, answers: dict[str, Answer] | None = None) -> RankedRow:
    """A row of the table from an application of ``ranking_queryset``."""
    return RankedRow(
        rank=getattr(application, "rank", 0),
        application=application,
        score=application.score,
        reviews=application.reviews_count,
        assigned=application.assigned_count,  # type: ignore[attr-defined]
        decision=getattr(application, "decision", None),
        answers=answers or {},
    )


def answers_by_application(
    *, applications: Sequence[Application], keys: Sequence[str] | None
) -> dict[int, dict[str, Answer]]:
    """``{application_id: {question_key: answer}}`` for these applications, in one query; only
    the questions ``keys`` name, or every answer when ``keys`` is None."""
    answers = Answer.objects.filter(
        application_id__in=[application.pk for application in applications]
    ).select_related("question")
    if keys is not None:
        answers = answers.filter(question__key__in=list(keys))
    found: dict[int, dict[str, Answer]] = {}
    for answer in answers:
        found.setdefault(answer.application_id, {})[answer.question.key] = answer
    return found


def ranking_rows(
    *,
    form: ApplicationForm,
    filters: list[AnswerFilter] | None = None,
    with_all_answers: bool = False,
    chunk: int = 500,
) -> Iterator[RankedRow]:
    """Every row, best aggregate score first (unreviewed last), narrowed by the chosen answer
    filters, read ``chunk`` applications at a time (the export). ``answers`` holds the filter
    questions' answers, or every answer with ``with_all_answers``."""
    keys = None if with_all_answers else [item.key for item in (filters or [])]
    applications = ranking_queryset(form=form, filters=filters).order_by(*RANK_ORDER)
    batch: list[Application] = []
    for application in applications.iterator(chunk_size=chunk):
        batch.append(application)
        if len(batch) == chunk:
            yield from _rows_of(batch, keys)
            batch = []
    if batch:
        yield from _rows_of(batch, keys)


def _rows_of(batch: list[Application], keys: Sequence[str] | None) -> Iterator[RankedRow]:
    answers = answers_by_application(applications=batch, keys=keys)
    for application in batch:
        yield ranked_row(application, answers.get(application.pk, {}))


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


@dataclass(frozen=True)
class ShownAnswer:
    key: str
    label: str
    text: str


def application_answers(*, application: Application) -> list[ShownAnswer]:
    """Every question of the form with this application's answer as people read it, in order
    (organizers see them all, visible to reviewers or not)."""
    answers = {
        answer.question_id: answer for answer in Answer.objects.filter(application=application)
    }
    return [
        ShownAnswer(
            key=question.key,
            label=question.label,
            text=display_answer(question, answers.get(question.pk)),
        )
        for question in FormQuestion.objects.filter(form_id=application.form_id)
    ]


@dataclass(frozen=True)
class ShownReview:
    review: Review
    percent: float | None
    scores: list[tuple[RubricCategory, int | None]]


def application_reviews(*, application: Application) -> list[ShownReview]:
    """Every review of the application with its reviewer, its score per rubric category and
    its percentage, oldest first."""
    categories = list(RubricCategory.objects.filter(form_id=application.form_id))
    reviews = (
        Review.objects.filter(application=application)
        .select_related("reviewer")
        .prefetch_related("score_rows")
    )
    shown = []
    for review in reviews:
        scores = review.scores
        shown.append(
            ShownReview(
                review=review,
                percent=review_percent(scores, categories),
                scores=[(category, scores.get(category.pk)) for category in categories],
            )
        )
    return shown
