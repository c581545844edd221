"""Writes of sections themselves: a new section with its meeting every week, new members.

Publishing a schedule (``cohortkit.scheduling``) creates sections and memberships through these;
attendance, apologies and switching have their own modules (``attendance``, ``switching``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from cohortkit.programs.models import Term, Track
from cohortkit.sections.meetings import meeting_starts
from cohortkit.sections.models import Meeting, Section, SectionMembership, Venue


def _meetings(section: Section, term: Term) -> list[Meeting]:
    duration = dt.timedelta(minutes=section.duration_minutes)
    return [
        Meeting(section=section, week=week, starts_at=starts_at, ends_at=starts_at + duration)
        for week, starts_at in meeting_starts(
            term, section.weekday, section.start_time, section.time_zone
        )
    ]


@transaction.atomic
def section_create(
    *,
    term: Term,
    track: Track,
    name: str,
    facilitator: Any,
    location: str,
    weekday: int,
    start_time: dt.time,
    time_zone: str,
    duration_minutes: int,
    created_from: Any = None,
) -> Section:
    """A section meeting weekly at ``weekday`` ``start_time`` in ``time_zone`` (in person at
    ``location``, or virtual when it is empty), with one meeting per week of the term as real
    UTC instants (a daylight-saving change moves the instant, not the local time)."""
    section = Section.objects.create(
        term=term,
        track=track,
        name=name,
        facilitator=facilitator,
        venue=Venue.IN_PERSON if location else Venue.VIRTUAL,
        location=location,
        weekday=weekday,
        start_time=start_time,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        created_from=created_from,
    )
    Meeting.objects.bulk_create(_meetings(section, term))
    return section


@transaction.atomic
def memberships_add(
    *, section: Section, users: Sequence[Any], from_week: int = 1
) -> list[SectionMembership]:
    """Make each of ``users`` a member of ``section`` from ``from_week`` on (open-ended)."""
    return SectionMembership.objects.bulk_create(
        [SectionMembership(section=section, user=user, from_week=from_week) for user in users]
    )
