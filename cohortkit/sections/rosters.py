"""Reads of who is in a section in a given week, and what the facilitators' pages show.

A person is in a section in week ``w`` when a ``SectionMembership`` of theirs covers ``w`` (from
``from_week`` to ``to_week``, open-ended when ``to_week`` is empty) and they are not visiting
another section that week, or when they visit it that week (``SectionVisit``). Every function
here answers in a fixed number of queries, however many members and weeks there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.common.timezones import format_instant, is_valid_time_zone, time_zone_label
from cohortkit.programs.models import DiscussionGuide, Term
from cohortkit.programs.selectors import term_current_week
from cohortkit.sections.models import (
    Apology,
    Attendance,
    AttendanceStatus,
    Meeting,
    Section,
    SectionMembership,
    SectionVisit,
)
from cohortkit.sections.selectors import covers_week, membership_covers, weeks_cover


def person_zone(user: User, fallback: str = "UTC") -> str:
    return user.time_zone if is_valid_time_zone(user.time_zone) else fallback


@dataclass
class SeatCount:
    """How many seats a section has taken in each week: members there plus visitors in."""

    by_week: dict[int, int]

    def taken(self, week: int) -> int:
        return self.by_week.get(week, 0)


def seats_taken(*, section: Section, weeks: Iterable[int]) -> SeatCount:
    """Members of ``section`` in each of ``weeks`` (not counting those away visiting another
    section that week) plus visitors coming in; three queries."""
    weeks = list(weeks)
    memberships = list(
        SectionMembership.objects.filter(section=section).values_list(
            "user_id", "from_week", "to_week"
        )
    )
    away = set(
        SectionVisit.objects.filter(
            term_id=section.term_id,
            week__in=weeks,
            user_id__in=[user_id for user_id, _, _ in memberships],
        )
        .exclude(meeting__section=section)
        .values_list("user_id", "week")
    )
    visiting: dict[int, int] = defaultdict(int)
    for week in SectionVisit.objects.filter(meeting__section=section, week__in=weeks).values_list(
        "week", flat=True
    ):
        visiting[week] += 1
    counts = {}
    for week in weeks:
        members = sum(
            1
            for user_id, first, last in memberships
            if weeks_cover(first, last, week) and (user_id, week) not in away
        )
        counts[week] = members + visiting[week]
    return SeatCount(counts)


@dataclass
class SheetRow:
    """One person on a meeting's attendance sheet."""

    user: User
    visitor: bool
    attendance: Attendance | None
    apology: Apology | None
    away_to: Section | None = None  # a member visiting another section this week

    @property
    def status(self) -> str:
        """The recorded status; an apology without a record counts as excused."""
        if self.attendance is not None:
            return self.attendance.status
        if self.apology is not None:
            return AttendanceStatus.EXCUSED
        return ""

    @property
    def recordable(self) -> bool:
        return self.away_to is None


@dataclass
class AttendanceSheet:
    meeting: Meeting
    rows: list[SheetRow]

    @property
    def present(self) -> list[SheetRow]:
        return [row for row in self.rows if row.recordable]

    @property
    def away(self) -> list[SheetRow]:
        return [row for row in self.rows if not row.recordable]

    def row_for(self, user_id: int) -> SheetRow | None:
        for row in self.rows:
            if row.user.pk == user_id:
                return row
        return None


def attendance_sheet(*, meeting: Meeting) -> AttendanceSheet:
    """Members of the meeting's section in its week and the visitors of that week, with what is
    recorded for each and their apologies; members away visiting another section are listed
    apart. Five queries, whatever the number of people."""
    section = meeting.section
    memberships = list(
        SectionMembership.objects.filter(covers_week(meeting.week), section=section)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    members = [membership.user for membership in memberships]
    visits = list(
        SectionVisit.objects.filter(
            Q(meeting=meeting)
            | Q(term_id=section.term_id, week=meeting.week, user__in=[u.pk for u in members])
        ).select_related("user", "meeting__section")
    )
    away = {
        visit.user_id: visit.meeting.section for visit in visits if visit.meeting_id != meeting.pk
    }
    visitors = sorted(
        (visit.user for visit in visits if visit.meeting_id == meeting.pk),
        key=lambda user: (user.name, user.email),
    )
    attendances = {row.user_id: row for row in Attendance.objects.filter(meeting=meeting)}
    apologies = {row.user_id: row for row in Apology.objects.filter(meeting=meeting)}
    rows = [
        SheetRow(
            user=user,
            visitor=False,
            attendance=attendances.get(user.pk),
            apology=apologies.get(user.pk),
            away_to=away.get(user.pk),
        )
        for user in members
    ]
    rows += [
        SheetRow(
            user=user,
            visitor=True,
            attendance=attendances.get(user.pk),
            apology=apologies.get(user.pk),
        )
        for user in visitors
    ]
    return AttendanceSheet(meeting=meeting, rows=rows)


def meeting_of_section(*, section: Section, week: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("section"), section=section, week=week)


def section_of_term(*, term: Term, section_id: int) -> Section:
    return get_object_or_404(
        Section.objects.select_related("track", "facilitator", "term"), term=term, pk=section_id
    )


# Which meeting a person goes to ------------------------------------------------------------


@dataclass(frozen=True)
class PersonMeeting:
    """A meeting the person attends as a participant: their own section's, or the one they
    visit instead that week (``visit``); ``home`` is their own section that week."""

    meeting: Meeting
    home: Section | None
    visit: bool

    @property
    def section(self) -> Section:
        return self.meeting.section


def person_meetings(*, user: Any, term: Term | None = None) -> list[PersonMeeting]:
    """Every meeting the person attends as a participant (of ``term``, or of every term), in
    time order: for each week a membership of theirs covers, that section's meeting, except a
    week they visit another section, when it is the visited meeting instead. The one answer to
    "which meeting is this person's in week N" for the week page, their section page and their
    calendar. Three queries, however many weeks and sections."""
    if not getattr(user, "is_authenticated", False):
        return []
    in_term = {"section__term": term} if term is not None else {}
    memberships = list(
        SectionMembership.objects.filter(user=user, **in_term).values_list(
            "section_id", "from_week", "to_week"
        )
    )
    related = (
        "section__track",
        "section__facilitator",
        "section__term__program",
    )
    visits = list(
        SectionVisit.objects.filter(user=user, **({"term": term} if term is not None else {}))
        .select_related(*(f"meeting__{name}" for name in related))
        .order_by("week")
    )
    away = {(visit.term_id, visit.week) for visit in visits}
    home_meetings = list(
        Meeting.objects.filter(section_id__in={section for section, _, _ in memberships})
        .select_related(*related)
        .order_by("starts_at", "id")
    )

    def covers(section_id: int, week: int) -> bool:
        return any(
            section == section_id and weeks_cover(first, last, week)
            for section, first, last in memberships
        )

    homes: dict[tuple[int, int], Section] = {}
    attended: list[PersonMeeting] = []
    for meeting in home_meetings:
        if not covers(meeting.section_id, meeting.week):
            continue
        homes[(meeting.section.term_id, meeting.week)] = meeting.section
        if (meeting.section.term_id, meeting.week) not in away:
            attended.append(PersonMeeting(meeting, meeting.section, visit=False))
    for visit in visits:
        attended.append(
            PersonMeeting(visit.meeting, homes.get((visit.term_id, visit.week)), visit=True)
        )
    return sorted(attended, key=lambda item: (item.meeting.starts_at, item.meeting.pk))


def person_meeting_in_week(
    meetings: Sequence[PersonMeeting], *, term: Term, week: int
) -> PersonMeeting | None:
    """The person's meeting of ``term`` in ``week``, from :func:`person_meetings`."""
    for item in meetings:
        if item.section.term_id == term.pk and item.meeting.week == week:
            return item
    return None


def person_next_meeting(
    meetings: Sequence[PersonMeeting], *, now: dt.datetime
) -> PersonMeeting | None:
    """The first of the person's meetings not over yet, from :func:`person_meetings`."""
    return next((item for item in meetings if item.meeting.ends_at >= now), None)


# The facilitators' page --------------------------------------------------------------------


@dataclass
class RosterRow:
    user: User
    local_time: str
    zone: str
    visitor: bool = False
    away_to: str = ""


@dataclass
class FacilitatedSection:
    """One section on its facilitator's page. The roster and the discussion guide are of one and
    the same week, ``week``: the term's current week (its meeting in ``week_meeting``), or the
    week of the next meeting when the section does not meet this week."""

    section: Section
    meetings: list[Meeting]
    next_meeting: Meeting | None
    week_meeting: Meeting | None = None
    week: int = 1
    roster: list[RosterRow] = field(default_factory=list)
    guides: list[DiscussionGuide] = field(default_factory=list)


def _next(meetings: Sequence[Meeting], now: dt.datetime) -> Meeting | None:
    upcoming = [meeting for meeting in meetings if meeting.ends_at >= now]
    return upcoming[0] if upcoming else (meetings[-1] if meetings else None)


def facilitated_sections(
    *,
    term: Term,
    user: Any,
    everyone: bool = False,
    section_ids: Sequence[int] | None = None,
    now: dt.datetime | None = None,
) -> tuple[list[FacilitatedSection], int]:
    """The sections ``user`` leads (the term's sections ``section_ids``, in that order, when
    ``everyone``, for organizers: one page of them), each with its meetings, the roster of its
    next meeting's week (members there and visitors, each with that meeting's time in their own
    zone) and this week's discussion guides for its track; and the number of this week. Seven
    queries, whatever the size of the term."""
    now = now or timezone.now()
    this_week = term_current_week(term, now)
    sections_query = Section.objects.filter(term=term).select_related("track", "facilitator")
    if not everyone:
        sections_query = sections_query.filter(facilitator=user)
    if section_ids is not None:
        sections_query = sections_query.filter(pk__in=section_ids)
    sections = list(
        sections_query.prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.order_by("week")),
            Prefetch(
                "memberships",
                queryset=SectionMembership.objects.select_related("user"),
                to_attr="all_memberships",
            ),
        )
    )
    if section_ids is not None:
        place = {pk: index for index, pk in enumerate(section_ids)}
        sections.sort(key=lambda section: place[section.pk])
    result: list[FacilitatedSection] = []
    for section in sections:
        meetings = list(section.meetings.all())
        upcoming = _next(meetings, now)
        shown = next((meeting for meeting in meetings if meeting.week == this_week), upcoming)
        result.append(
            FacilitatedSection(
                section,
                meetings,
                upcoming,
                week_meeting=shown,
                week=shown.week if shown is not None else this_week,
            )
        )
    next_ids = [item.week_meeting.pk for item in result if item.week_meeting is not None]
    weeks = {item.week_meeting.week for item in result if item.week_meeting is not None}
    member_ids = {
        membership.user_id
        for section in sections
        for membership in getattr(section, "all_memberships", [])
    }
    visits = list(
        SectionVisit.objects.filter(
            Q(meeting_id__in=next_ids) | Q(term=term, week__in=weeks, user_id__in=member_ids)
        ).select_related("user", "meeting__section")
    )
    guides = list(
        DiscussionGuide.objects.filter(
            week__term=term, week__number__in={item.week for item in result} | {this_week}
        )
        .select_related("week")
        .prefetch_related("tracks")
        .order_by("position", "id")
    )
    for item in result:
        item.guides = [
            guide
            for guide in guides
            if guide.week.number == item.week
            and any(track.pk == item.section.track_id for track in guide.tracks.all())
        ]
        meeting = item.week_meeting
        if meeting is None:
            continue
        away = {
            visit.user_id: visit.meeting.section.name
            for visit in visits
            if visit.week == meeting.week and visit.meeting.section_id != item.section.pk
        }
        members = sorted(
            (
                membership.user
                for membership in getattr(item.section, "all_memberships", [])
                if membership_covers(membership, meeting.week)
            ),
            key=lambda person: (person.name, person.email),
        )
        for person in members:
            zone = person_zone(person, term.time_zone)
            item.roster.append(
                RosterRow(
                    user=person,
                    local_time=format_instant(meeting.starts_at, zone),
                    zone=time_zone_label(zone),
                    away_to=away.get(person.pk, ""),
                )
            )
        for visit in visits:
            if visit.meeting_id == meeting.pk:
                zone = person_zone(visit.user, term.time_zone)
                item.roster.append(
                    RosterRow(
                        user=visit.user,
                        local_time=format_instant(meeting.starts_at, zone),
                        zone=time_zone_label(zone),
                        visitor=True,
                    )
                )
    return result, this_week


def roster_people(items: Sequence[FacilitatedSection]) -> list[int]:
    """The ids of everyone on these rosters (whose progress the page shows)."""
    return sorted({row.user.pk for item in items for row in item.roster})


def organized_sections(*, term: Term) -> QuerySet[Section]:
    """The term's sections for the organizers' table of every roster (distinct: a search may
    match several members of one section)."""
    return Section.objects.filter(term=term).select_related("track", "facilitator").distinct()


def person_changes(*, term: Term, user: Any) -> dict[str, Any]:
    """For a person's own section page: the meetings they sent apologies for, their visits to
    other sections and their section history (three queries)."""
    if not getattr(user, "is_authenticated", False):
        return {"apologized": set(), "visits": [], "history": []}
    return {
        "apologized": set(
            Apology.objects.filter(user=user, meeting__section__term=term).values_list(
                "meeting_id", flat=True
            )
        ),
        "visits": list(
            SectionVisit.objects.filter(user=user, term=term)
            .select_related("meeting__section")
            .order_by("week")
        ),
        "history": list(
            SectionMembership.objects.filter(user=user, section__term=term)
            .select_related("section")
            .order_by("from_week", "id")
        ),
    }
