"""Reads of sections: the one rule of which weeks a membership covers, the term's published
sections, a person's sections, the next meeting, and the one reading of a person's availability."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When

from cohortkit.accounts.models import User
from cohortkit.admissions.models import Answer, Application, ApplicationStatus
from cohortkit.common.timezones import is_valid_time_zone
from cohortkit.programs.models import Term
from cohortkit.sections.models import Meeting, Section, SectionMembership

MINUTES_PER_DAY = 24 * 60

# The one rule: a membership covers week N -------------------------------------------------


def weeks_cover(first: int, last: int | None, week: int) -> bool:
    """Whether a membership from week ``first`` to ``last`` (None: to the end of the term)
    covers ``week``. Every reader of memberships asks this (or :func:`covers_week`, the same
    rule as a query)."""
    return first <= week and (last is None or last >= week)


def membership_covers(membership: SectionMembership, week: int) -> bool:
    return weeks_cover(membership.from_week, membership.to_week, week)


def covers_week(week: int, prefix: str = "") -> Q:
    """Memberships that cover ``week``, as a query (``prefix`` reaches them through a relation):
    :func:`weeks_cover` in SQL."""
    return Q(**{f"{prefix}from_week__lte": week}) & (
        Q(**{f"{prefix}to_week__isnull": True}) | Q(**{f"{prefix}to_week__gte": week})
    )


def published_sections(*, term: Term) -> QuerySet[Section]:
    """The term's sections with track, facilitator, open members and meetings, in 4 queries."""
    return (
        Section.objects.filter(term=term)
        .select_related("track", "facilitator")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=SectionMembership.objects.filter(to_week__isnull=True).select_related(
                    "user"
                ),
                to_attr="open_memberships",
            ),
            Prefetch("meetings", queryset=Meeting.objects.order_by("week")),
        )
    )


def sections_of_person(*, term: Term, user: Any) -> list[Section]:
    """Sections the person leads or is an open member of, with their meetings."""
    led = published_sections(term=term).filter(facilitator=user)
    joined = published_sections(term=term).filter(
        memberships__user=user, memberships__to_week__isnull=True
    )
    seen: dict[int, Section] = {}
    for section in [*led, *joined]:
        seen.setdefault(section.pk, section)
    return list(seen.values())


def next_meeting(section: Section, now: dt.datetime) -> Meeting | None:
    meetings = list(section.meetings.all())
    upcoming = [meeting for meeting in meetings if meeting.ends_at >= now]
    return upcoming[0] if upcoming else (meetings[-1] if meetings else None)


# What the person can make --------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """Weekly intervals ``[weekday, start minute, end minute]`` on the wall clock of ``zone``."""

    zone: str
    intervals: tuple[tuple[int, int, int], ...]

    def can_make(self, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        """Whether the whole meeting falls inside the intervals on the person's own clock (a
        meeting across midnight needs both days' intervals)."""
        local_start = starts_at.astimezone(ZoneInfo(self.zone))
        local_end = ends_at.astimezone(ZoneInfo(self.zone))
        day = local_start.date()
        start = local_start.hour * 60 + local_start.minute
        end_day = local_end.date()
        end = local_end.hour * 60 + local_end.minute
        while True:
            piece_end = end if day == end_day else MINUTES_PER_DAY
            if not any(
                weekday == day.weekday() and first <= start and piece_end <= last
                for weekday, first, last in self.intervals
            ):
                return False
            if day >= end_day:
                return True
            day += dt.timedelta(days=1)
            start = 0
            if day == end_day and end == 0:
                return True


def availability_from_answers(*, answers: Mapping[str, Any], user: Any, term: Term) -> Availability:
    """The weekly availability in a person's application answers (``availability``), on the
    clock of the zone they gave there (``time_zone``), else their own, else the term's: the one
    reading of availability, for switching sections and for the solver's instance."""
    zone = "UTC"
    for candidate in (answers.get("time_zone"), user.time_zone, term.time_zone):
        if isinstance(candidate, str) and is_valid_time_zone(candidate):
            zone = candidate
            break
    intervals = answers.get("availability") or []
    return Availability(
        zone=zone,
        intervals=tuple((int(d), int(start), int(end)) for d, start, end in intervals),
    )


def person_availability(*, term: Term, user: User) -> Availability | None:
    """The availability of the person's participant application in the term (submitted, or
    else their latest), in the zone they gave there (else their own); None if they gave none."""
    application = (
        Application.objects.filter(form__term=term, form__kind="participant", applicant=user)
        .order_by(
            Case(When(status=ApplicationStatus.SUBMITTED, then=Value(0)), default=Value(1)), "-id"
        )
        .first()
    )
    if application is None:
        return None
    answers = dict(
        Answer.objects.filter(
            application=application, question__key__in=("availability", "time_zone")
        ).values_list("question__key", "value")
    )
    availability = availability_from_answers(answers=answers, user=user, term=term)
    return availability if availability.intervals else None
