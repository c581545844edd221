"""Reads about terms that cross relations: the program page's data in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.common.errors import InvalidInputError
from cohortkit.common.timezones import localize, wall_clock_to_instant
from cohortkit.programs.models import (
    Assignment,
    DiscussionGuide,
    Lecture,
    Quiz,
    Reading,
    Term,
    Track,
    Week,
)


def term_get(*, slug: str) -> Term:
    return get_object_or_404(Term.objects.select_related("program"), slug=slug)


def term_current_week(term: Term, now: dt.datetime | None = None) -> int:
    """The week of the term it is now in the term's zone: week 1 before the term, the last
    week after it. The one "current week" of every page (participants', facilitators',
    organizers')."""
    today = localize(now or timezone.now(), term.time_zone).date()
    number = (today - term.starts_on).days // 7 + 1
    return min(max(number, 1), term.week_count)


def terms_taken_part_in(*, user: Any) -> list[Term]:
    """The terms the person is a participant or facilitator of, the latest first."""
    return list(
        Term.objects.filter(
            memberships__user=user,
            memberships__role__in=[Role.PARTICIPANT, Role.FACILITATOR],
            archived_at__isnull=True,
        )
        .select_related("program")
        .distinct()
        .order_by("-starts_on", "pk")
    )


def terms_published() -> QuerySet[Term]:
    """Published terms that are not archived (archived terms are hidden from every list)."""
    return (
        Term.objects.filter(is_published=True, archived_at__isnull=True)
        .select_related("program")
        .order_by("-starts_on")
    )


def term_starts_at(term: Term) -> dt.datetime:
    """The instant the term begins: midnight of its first day in its zone of record."""
    return wall_clock_to_instant(term.starts_on, dt.time(0, 0), term.time_zone)


def term_ends_at(term: Term) -> dt.datetime:
    """The instant the term is over: the end of its last day in its zone of record."""
    return wall_clock_to_instant(term.ends_on + dt.timedelta(days=1), dt.time(0, 0), term.time_zone)


@dataclass(frozen=True)
class KeyDate:
    label: str
    instant: dt.datetime
    is_deadline: bool
    # A calendar day of the term (its last day), shown as a date in the term's zone: an instant
    # at the end of that day would read as the next day to people east of it.
    day: dt.date | None = None


def term_key_dates(term: Term) -> list[KeyDate]:
    return sorted(
        [
            KeyDate("Facilitator applications close", term.facilitator_deadline, True),
            KeyDate("Participant applications close", term.participant_deadline, True),
            KeyDate("Term starts", term_starts_at(term), False),
            KeyDate("Last day of the term", term_ends_at(term), False, day=term.ends_on),
        ],
        key=lambda key_date: key_date.instant,
    )


@dataclass
class WeekPlan:
    """One week of the curriculum as the program page lists it."""

    week: Week
    lectures: list[Lecture] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    quizzes: list[Quiz] = field(default_factory=list)
    discussion_guides: list[DiscussionGuide] = field(default_factory=list)


def _tracks_prefetch() -> Any:
    return Prefetch("tracks", queryset=Track.objects.order_by("position", "id"))


def term_curriculum(term: Term) -> list[WeekPlan]:
    """Every week with its items in order, each item with its tracks; seven queries in all."""
    weeks = list(Week.objects.filter(term=term).order_by("number"))
    plans = {week.pk: WeekPlan(week=week) for week in weeks}
    kinds: list[tuple[type[Lecture | Reading | Assignment | Quiz | DiscussionGuide], str]] = [
        (Lecture, "lectures"),
        (Reading, "readings"),
        (Assignment, "assignments"),
        (Quiz, "quizzes"),
        (DiscussionGuide, "discussion_guides"),
    ]
    for model, attribute in kinds:
        items = model.objects.filter(week__term=term).prefetch_related(_tracks_prefetch())
        for item in items.order_by("week__number", "position", "id"):
            getattr(plans[item.week_id], attribute).append(item)
    return [plans[week.pk] for week in weeks]


@dataclass(frozen=True)
class TimeRange:
    """Minutes a week for one kind of work, lowest and highest week."""

    label: str
    low_minutes: int
    high_minutes: int

    @property
    def text(self) -> str:
        low, high = _hours(self.low_minutes), _hours(self.high_minutes)
        return f"{low} h" if low == high else f"{low}–{high} h"


def _hours(minutes: int) -> str:
    half_hours = max(1, (minutes + 15) // 30) if minutes else 0  # nearest half hour, halves up
    hours = half_hours / 2
    return f"{hours:g}"


def _minutes_for_track(
    items: Sequence[Lecture | Reading | Assignment | Quiz], track: Track | None
) -> int:
    """Minutes of the items a track sees (all of them when the term has no tracks)."""
    return sum(
        item.minutes
        for item in items
        if track is None or any(item_track.pk == track.pk for item_track in item.tracks.all())
    )


def term_weekly_commitment(
    term: Term, curriculum: list[WeekPlan], tracks: list[Track]
) -> list[TimeRange]:
    """Lectures, required readings, homework and discussion per week, as a range.

    The range runs over every (track, week) pair, counting the items that track sees that week,
    so a participant of either track can read their own load off it.
    """
    per_kind: dict[str, list[int]] = {"Lectures": [], "Readings": [], "Written assignments": []}
    tracks_or_all: list[Track | None] = list(tracks) or [None]
    for track in tracks_or_all:
        for plan in curriculum:
            required = [reading for reading in plan.readings if reading.required]
            per_kind["Lectures"].append(_minutes_for_track(plan.lectures, track))
            per_kind["Readings"].append(_minutes_for_track(required, track))
            per_kind["Written assignments"].append(
                _minutes_for_track([*plan.assignments, *plan.quizzes], track)
            )
    ranges = []
    for label, values in per_kind.items():
        shown = [value for value in values if value] or [0]
        ranges.append(TimeRange(label, min(shown), max(shown)))
    ranges.append(TimeRange("Discussion section", term.meeting_minutes, term.meeting_minutes))
    return ranges


def term_weekly_total(ranges: list[TimeRange]) -> TimeRange:
    return TimeRange(
        "In all",
        sum(item.low_minutes for item in ranges),
        sum(item.high_minutes for item in ranges),
    )


def terms_organized_by(*, user: Any) -> QuerySet[Term]:
    return (
        Term.objects.filter(memberships__user=user, memberships__role="organizer")
        .select_related("program")
        .prefetch_related(_tracks_prefetch())
        .order_by("-starts_on")
        .distinct()
    )


def term_application_deadline(*, term: Term, kind: str) -> dt.datetime:
    """The term's own deadline for one kind of application (personal extensions come later)."""
    if kind == "participant":
        return term.participant_deadline
    if kind == "facilitator":
        return term.facilitator_deadline
    raise InvalidInputError(
        f"Unknown application kind {kind!r}.", field_errors={"kind": "unknown application kind"}
    )


def term_applications_open(*, term: Term, kind: str, now: dt.datetime | None = None) -> bool:
    """True strictly before the deadline instant: at the deadline itself applications are closed."""
    moment = now or timezone.now()
    return moment < term_application_deadline(term=term, kind=kind)
