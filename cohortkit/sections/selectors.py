"""Reads of sections: the term's published sections, a person's sections, the next meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet

from cohortkit.programs.models import Term
from cohortkit.sections.models import Meeting, Section, SectionMembership


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
