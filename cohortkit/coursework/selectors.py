"""Reads of weekly work that cross relations, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cohortkit.coursework.due import DueDate, due_dates_for, item_key, user_section_in_week
from cohortkit.coursework.models import (
    DueDateOverride,
    Feedback,
    ItemCompletion,
    Submission,
    SubmissionVersion,
)
from cohortkit.programs.models import Assignment, Lecture, Quiz, Reading, Term, Track, Week
from cohortkit.sections.models import Meeting, Section, SectionMembership
from cohortkit.sections.rosters import person_meeting_in_week, person_meetings
from cohortkit.sections.selectors import membership_covers

ItemModel = TypeVar("ItemModel", Lecture, Reading, Assignment, Quiz)


def require_week_number(term: Term, number: int) -> int:
    if not 1 <= number <= term.week_count:
        raise Http404("No such week")
    return number


def track_of(*, user: Any, term: Term, week: int) -> tuple[Section | None, Track | None]:
    """The person's section in that week and its track; no track means every track's items."""
    section = user_section_in_week(user=user, term=term, week=week)
    return section, (section.track if section is not None else None)


def items_of_week(
    model: type[ItemModel], *, term: Term, number: int, track: Track | None
) -> QuerySet[ItemModel]:
    """The week's items of one kind that the track sees (items with no track are for all)."""
    items = model.objects.filter(week__term=term, week__number=number)
    if track is not None:
        items = items.filter(Q(tracks=track) | Q(tracks__isnull=True)).distinct()
    return items.select_related("week__term").order_by("position", "id")


def _submissions_prefetched() -> QuerySet[Submission]:
    return Submission.objects.prefetch_related(
        Prefetch(
            "versions",
            queryset=SubmissionVersion.objects.order_by("-number").prefetch_related(
                Prefetch(
                    "feedback",
                    queryset=Feedback.objects.select_related("facilitator").order_by(
                        "-created_at", "-id"
                    ),
                )
            ),
        )
    )


@dataclass
class DueItem:
    """An assignment or quiz with the viewer's own due date (and, for assignments, their
    submission with its versions, newest first)."""

    item: Assignment | Quiz
    due: DueDate
    submission: Submission | None = None

    @property
    def latest(self) -> SubmissionVersion | None:
        versions = list(self.submission.versions.all()) if self.submission else []
        return versions[0] if versions else None

    @property
    def latest_feedback(self) -> Feedback | None:
        latest = self.latest
        feedback = list(latest.feedback.all()) if latest else []
        return feedback[0] if feedback else None


@dataclass
class WeekView:
    term: Term
    number: int
    week: Week | None
    section: Section | None
    track: Track | None
    track_count: int
    meeting: Meeting | None
    next_meeting: Meeting | None
    lectures: list[Lecture]
    readings: list[Reading]
    assignments: list[DueItem]
    quizzes: list[DueItem]
    done: set[tuple[str, int]] = field(default_factory=set)
    # Where they meet: ``section`` is their own (its track and due dates apply); the week's
    # meeting may be another section's, for a one-week visit (``meeting_visit``).
    meeting_section: Section | None = None
    meeting_visit: bool = False
    next_section: Section | None = None

    @property
    def previous_number(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next_number(self) -> int | None:
        return self.number + 1 if self.number < self.term.week_count else None

    @property
    def done_count(self) -> int:
        ticked = sum(1 for item in self.lectures if ("lecture", item.pk) in self.done)
        ticked += sum(1 for item in self.readings if ("reading", item.pk) in self.done)
        return ticked + sum(1 for due_item in self.assignments if due_item.latest is not None)

    @property
    def item_count(self) -> int:
        return len(self.lectures) + len(self.readings) + len(self.assignments)


def week_view(*, term: Term, number: int, user: Any, now: dt.datetime | None = None) -> WeekView:
    """Everything one person's week page shows, in a fixed number of queries."""
    moment = now or timezone.now()
    week = Week.objects.filter(term=term, number=number).first()
    section, track = track_of(user=user, term=term, week=number)
    # The meeting they go to that week (a one-week visit to another section included), and,
    # once it is over or if there is none, the next one they go to.
    attended = person_meetings(user=user, term=term)
    this = person_meeting_in_week(attended, term=term, week=number)
    following = None
    if this is None or this.meeting.ends_at < moment:
        following = next(
            (
                item
                for item in attended
                if item.meeting.week >= number and item.meeting.ends_at >= moment
            ),
            None,
        )
    # Track tags are shown only to people who see every track's items.
    tracks = [] if track else [Prefetch("tracks", queryset=Track.objects.order_by("position"))]
    lectures = list(
        items_of_week(Lecture, term=term, number=number, track=track).prefetch_related(*tracks)
    )
    readings = list(
        items_of_week(Reading, term=term, number=number, track=track).prefetch_related(*tracks)
    )
    assignments = list(items_of_week(Assignment, term=term, number=number, track=track))
    quizzes = list(items_of_week(Quiz, term=term, number=number, track=track))
    dues = due_dates_for(items=[*assignments, *quizzes], user=user)
    submissions = {
        submission.assignment_id: submission
        for submission in _submissions_prefetched().filter(user=user, assignment__in=assignments)
    }
    done = {
        ("lecture", lecture_id) if lecture_id else ("reading", reading_id)
        for lecture_id, reading_id in ItemCompletion.objects.filter(user=user)
        .filter(Q(lecture__in=lectures) | Q(reading__in=readings))
        .values_list("lecture_id", "reading_id")
    }
    return WeekView(
        term=term,
        number=number,
        week=week,
        section=section,
        track=track,
        track_count=term.tracks.count() if track is None else 1,
        meeting=this.meeting if this else None,
        next_meeting=following.meeting if following else None,
        meeting_section=this.section if this else section,
        meeting_visit=this.visit if this else False,
        next_section=following.section if following else None,
        lectures=lectures,
        readings=readings,
        assignments=[
            DueItem(item, dues[item_key(item)], submissions.get(item.pk)) for item in assignments
        ],
        quizzes=[DueItem(item, dues[item_key(item)]) for item in quizzes],
        done=done,
    )


def visible_item(
    model: type[ItemModel], *, term: Term, pk: int, user: Any, number: int | None = None
) -> ItemModel:
    """One item of the term the person's track sees, else 404 (another track's items do not
    exist for them)."""
    item = model.objects.filter(week__term=term, pk=pk).select_related("week__term").first()
    if item is None or (number is not None and item.week.number != number):
        raise Http404("No such item")
    _, track = track_of(user=user, term=term, week=item.week.number)
    if (
        track is not None
        and not items_of_week(model, term=term, number=item.week.number, track=track)
        .filter(pk=pk)
        .exists()
    ):
        raise Http404("No such item")
    return item


def submission_of(*, assignment: Assignment, user: Any) -> Submission | None:
    return _submissions_prefetched().filter(assignment=assignment, user=user).first()


@dataclass
class HomeworkRow:
    """One member's work on one assignment, as their facilitator reviews it."""

    membership: SectionMembership
    submission: Submission | None

    @property
    def latest(self) -> SubmissionVersion | None:
        versions = list(self.submission.versions.all()) if self.submission else []
        return versions[0] if versions else None

    @property
    def latest_feedback(self) -> Feedback | None:
        latest = self.latest
        feedback = list(latest.feedback.all()) if latest else []
        return feedback[0] if feedback else None

    @property
    def awaits_review(self) -> bool:
        return self.latest is not None and self.latest_feedback is None


@dataclass
class HomeworkAssignment:
    assignment: Assignment
    rows: list[HomeworkRow]


@dataclass
class SectionHomework:
    section: Section
    number: int
    assignments: list[HomeworkAssignment]
    awaiting_by_week: dict[int, int]


def section_homework(*, section: Section, number: int) -> SectionHomework:
    """The latest version of each member's answer to each assignment of the section's track,
    for the members the section had in that assignment's week; plus how many answers await a
    review in every week. Six queries, whatever the size of the section."""
    assignments = list(
        assignments_of_track(section=section)
        .select_related("week")
        .order_by("week__number", "position", "id")
    )
    memberships = list(
        SectionMembership.objects.filter(section=section)
        .select_related("user")
        .order_by("user__name", "user__email", "from_week")
    )
    submissions = {
        (submission.assignment_id, submission.user_id): submission
        for submission in _submissions_prefetched().filter(
            assignment__in=assignments, user__in=[m.user_id for m in memberships]
        )
    }
    awaiting: dict[int, int] = {}
    shown: list[HomeworkAssignment] = []
    for assignment in assignments:
        week = assignment.week.number
        rows = [
            HomeworkRow(membership, submissions.get((assignment.pk, membership.user_id)))
            for membership in memberships
            if membership_covers(membership, week)
        ]
        awaiting[week] = awaiting.get(week, 0) + sum(1 for row in rows if row.awaits_review)
        if week == number:
            shown.append(HomeworkAssignment(assignment, rows))
    return SectionHomework(
        section=section, number=number, assignments=shown, awaiting_by_week=awaiting
    )


def assignments_of_track(*, section: Section) -> QuerySet[Assignment]:
    """Every assignment of the term that the section's track sees."""
    return (
        Assignment.objects.filter(week__term_id=section.term_id)
        .filter(Q(tracks=section.track_id) | Q(tracks__isnull=True))
        .distinct()
    )


def due_overrides_of(*, term: Term) -> QuerySet[DueDateOverride]:
    return (
        DueDateOverride.objects.filter(Q(assignment__week__term=term) | Q(quiz__week__term=term))
        .select_related("assignment__week", "quiz__week", "user", "section", "created_by")
        .order_by("-created_at", "-id")
    )


def dated_items_of(*, term: Term) -> list[Assignment | Quiz]:
    """The term's assignments and quizzes, by week: the things that have a due date."""
    items: Iterable[Assignment | Quiz] = [
        *Assignment.objects.filter(week__term=term).select_related("week__term"),
        *Quiz.objects.filter(week__term=term).select_related("week__term"),
    ]
    return sorted(
        items, key=lambda item: (item.week.number, isinstance(item, Quiz), item.position, item.pk)
    )
