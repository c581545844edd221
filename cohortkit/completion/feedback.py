"""Reading the end-of-course feedback: averages per question and per section, the free text,
and the CSV export. Four queries, whatever the number of responses.

A section's facilitator sees their section's averages only once it has at least
``FACILITATOR_MIN_RESPONSES`` responses, so no single answer can be traced back to a person.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cohortkit.common.spreadsheets import spreadsheet_safe
from cohortkit.completion.models import (
    FeedbackAnswer,
    FeedbackForm,
    FeedbackQuestion,
    FeedbackResponse,
)
from cohortkit.programs.models import Term
from cohortkit.sections.models import Section

FACILITATOR_MIN_RESPONSES = 3


@dataclass
class Average:
    total: int = 0
    count: int = 0

    def add(self, value: int) -> None:
        self.total += value
        self.count += 1

    @property
    def value(self) -> float | None:
        return self.total / self.count if self.count else None

    @property
    def text(self) -> str:
        return "—" if self.value is None else f"{self.value:.1f}"


@dataclass
class SectionRatings:
    section: Section | None
    responses: int = 0
    averages: dict[int, Average] = field(default_factory=dict)  # question id → average

    @property
    def label(self) -> str:
        return self.section.name if self.section else "No section"

    def average(self, question: FeedbackQuestion) -> Average:
        return self.averages.get(question.pk, Average())


@dataclass
class QuestionSummary:
    question: FeedbackQuestion
    average: Average
    texts: list[str]
    scale: int


@dataclass
class FeedbackSummary:
    form: FeedbackForm
    responses: int
    questions: list[QuestionSummary]
    sections: list[SectionRatings]

    @property
    def ratings(self) -> list[QuestionSummary]:
        return [item for item in self.questions if item.question.is_rating]

    @property
    def free_text(self) -> list[QuestionSummary]:
        return [item for item in self.questions if not item.question.is_rating]


def _rating(answer: FeedbackAnswer) -> int | None:
    text = str(answer.value) if answer.value is not None else ""
    return int(text) if text.isdigit() else None


def feedback_summary(
    *, form: FeedbackForm, sections: Sequence[Section] | None = None
) -> FeedbackSummary:
    """Averages per rating question (overall and per section) and every free-text answer;
    limited to ``sections`` when given (a facilitator's own)."""
    questions = list(form.questions.all())
    responses = list(FeedbackResponse.objects.filter(form=form).select_related("section"))
    if sections is not None:
        allowed = {section.pk for section in sections}
        responses = [response for response in responses if response.section_id in allowed]
    response_ids = {response.pk for response in responses}
    answers = [
        answer
        for answer in FeedbackAnswer.objects.filter(response__form=form).order_by("response_id")
        if answer.response_id in response_ids
    ]
    by_response = {response.pk: response for response in responses}
    overall = {question.pk: Average() for question in questions}
    texts: dict[int, list[str]] = {question.pk: [] for question in questions}
    per_section: dict[int | None, SectionRatings] = {}
    for response in responses:
        item = per_section.setdefault(response.section_id, SectionRatings(response.section))
        item.responses += 1
    rating_ids = {question.pk for question in questions if question.is_rating}
    for answer in answers:
        if answer.question_id in rating_ids:
            value = _rating(answer)
            if value is None:
                continue
            overall[answer.question_id].add(value)
            section_id = by_response[answer.response_id].section_id
            per_section[section_id].averages.setdefault(answer.question_id, Average()).add(value)
        elif answer.raw.strip():
            texts[answer.question_id].append(answer.raw.strip())
    return FeedbackSummary(
        form=form,
        responses=len(responses),
        questions=[
            QuestionSummary(
                question,
                overall[question.pk],
                texts[question.pk],
                max((int(c["value"]) for c in question.choices), default=0)
                if question.is_rating
                else 0,
            )
            for question in questions
        ],
        sections=sorted(
            per_section.values(),
            key=lambda item: (item.section is None, item.section.name if item.section else ""),
        ),
    )


def facilitator_feedback(*, term: Term, user: Any) -> tuple[FeedbackSummary | None, list[Any]]:
    """The facilitator's sections' ratings, and the sections still under the minimum."""
    form = FeedbackForm.objects.filter(term=term).first()
    if form is None:
        return None, []
    sections = list(Section.objects.filter(term=term, facilitator=user))
    summary = feedback_summary(form=form, sections=sections)
    enough = [item for item in summary.sections if item.responses >= FACILITATOR_MIN_RESPONSES]
    too_few = [item for item in summary.sections if item.responses < FACILITATOR_MIN_RESPONSES]
    counted = {item.section.pk for item in summary.sections if item.section}
    too_few += [SectionRatings(section) for section in sections if section.pk not in counted]
    summary.sections = enough
    # Free text and overall averages could name a person in a small section: sections only.
    summary.questions = [item for item in summary.questions if item.question.is_rating]
    return summary, too_few


def feedback_csv_lines(*, form: FeedbackForm) -> Iterator[str]:
    """One line per response: when, the section and track, and every answer as typed. Every
    cell is spreadsheet-safe."""
    questions = list(form.questions.all())
    responses = list(
        FeedbackResponse.objects.filter(form=form)
        .select_related("section__track")
        .order_by("submitted_at", "id")
    )
    answers: dict[tuple[int, int], str] = {
        (response_id, question_id): raw
        for response_id, question_id, raw in FeedbackAnswer.objects.filter(
            response__form=form
        ).values_list("response_id", "question_id", "raw")
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Sequence[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
        return buffer.getvalue()

    yield line(["submitted at (UTC)", "section", "track", *(q.key for q in questions)])
    for response in responses:
        section = response.section
        yield line(
            [
                response.submitted_at.strftime("%Y-%m-%d %H:%M"),
                section.name if section else "",
                section.track.name if section else "",
                *(answers.get((response.pk, question.pk), "") for question in questions),
            ]
        )
