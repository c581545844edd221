"""What the term's rows say: everything the overview and the exports read, in fixed queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.coursework.due import term_due_at
from cohortkit.coursework.models import DueDateOverride, SubmissionVersion
from cohortkit.programs.models import Assignment, Term, Track
from cohortkit.programs.selectors import term_current_week
from cohortkit.sections.models import (
    Apology,
    Attendance,
    AttendanceStatus,
    Meeting,
    MissedMeetingsAlert,
    Section,
    SectionMembership,
    SectionVisit,
)

ON_TIME, LATE, MISSING, NOT_YET_DUE = "on time", "late", "missing", "not yet due"


@dataclass(frozen=True)
class HandedIn:
    """One submitted version: its id and whether it came after the person's due date."""

    version_id: int
    is_late: bool


@dataclass
class TermFacts:
    """The term's sections, people, meetings, records and homework, read once.

    ``expected`` maps (person, week) to the meeting they were expected at: their section's that
    week, or the one they visited instead. ``statuses`` maps (person, meeting) to what was
    recorded there (an apology alone counts as excused).
    """

    term: Term
    now: dt.datetime
    this_week: int
    tracks: list[Track]
    sections: dict[int, Section]
    people: list[User]
    memberships: dict[int, list[SectionMembership]]  # person → by from_week, then id
    meetings: dict[int, Meeting]
    expected: dict[tuple[int, int], Meeting]
    statuses: dict[tuple[int, int], str]
    alerts: dict[int, list[int]]  # person → first weeks of their runs of misses
    assignments: list[Assignment]
    assignment_tracks: dict[int, set[int]]
    personal_due: dict[tuple[int, int], dt.datetime]  # (assignment, person)
    section_due: dict[tuple[int, int], dt.datetime]  # (assignment, section)
    versions: dict[tuple[int, int], list[HandedIn]]  # (assignment, person), by number
    user_ids: frozenset[int] | None = None  # the people read, when not the whole term

    def started(self, meeting: Meeting) -> bool:
        return meeting.starts_at <= self.now

    def section_in_week(self, user_id: int, week: int) -> Section | None:
        """The person's section in that week, as ``due.user_section_in_week`` answers it: the
        covering membership that started last (visits do not move homework)."""
        for membership in reversed(self.memberships.get(user_id, [])):
            if membership.from_week <= week and (membership.to_week or week) >= week:
                return self.sections[membership.section_id]
        return None

    def latest_section(self, user_id: int) -> Section | None:
        memberships = self.memberships.get(user_id, [])
        return self.sections[memberships[-1].section_id] if memberships else None

    def sees(self, assignment: Assignment, section: Section) -> bool:
        tracks = self.assignment_tracks.get(assignment.pk, set())
        return not tracks or section.track_id in tracks

    def due_of(self, assignment: Assignment, user_id: int, section: Section) -> dt.datetime:
        """The person's due date: a personal extension, then the section's, then the term's."""
        personal = self.personal_due.get((assignment.pk, user_id))
        if personal is not None:
            return personal
        return self.section_due.get((assignment.pk, section.pk)) or term_due_at(assignment)


def term_facts(
    *, term: Term, now: dt.datetime | None = None, user_ids: Collection[int] | None = None
) -> TermFacts:
    """Read everything the overview and the exports need: twelve queries, whatever the size.

    With ``user_ids`` only those people's rows are read (a facilitator's roster reads its own
    members, never the whole term): their memberships and the sections of them, their records
    and homework, and the meetings of the sections they are in or visit."""
    now = now or timezone.now()
    ids = None if user_ids is None else sorted(set(user_ids))

    def mine(queryset: QuerySet[Any], field: str = "user_id") -> QuerySet[Any]:
        return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})

    tracks = list(Track.objects.filter(term=term).order_by("position", "id"))
    memberships: dict[int, list[SectionMembership]] = defaultdict(list)
    people: dict[int, User] = {}
    for membership in (
        mine(SectionMembership.objects.filter(section__term=term))
        .select_related("user")
        .order_by("from_week", "id")
    ):
        memberships[membership.user_id].append(membership)
        people[membership.user_id] = membership.user
    section_rows = Section.objects.filter(term=term)
    if ids is not None:  # the sections these people are in, not the term's thousand
        section_rows = section_rows.filter(
            pk__in={m.section_id for own in memberships.values() for m in own}
        )
    sections = {
        section.pk: section
        for section in section_rows.select_related("track", "facilitator").order_by(
            "track__position", "name", "id"
        )
    }
    meeting_rows = Meeting.objects.filter(section__term=term)
    if ids is not None:
        meeting_rows = meeting_rows.filter(
            Q(section_id__in={m.section_id for own in memberships.values() for m in own})
            | Q(visits__user_id__in=ids)
        ).distinct()
    meetings = {meeting.pk: meeting for meeting in meeting_rows}
    by_section_week = {(meeting.section_id, meeting.week): meeting for meeting in meetings.values()}
    expected: dict[tuple[int, int], Meeting] = {}
    for user_id, own in memberships.items():
        for membership in own:
            last = membership.to_week or term.week_count
            for week in range(membership.from_week, last + 1):
                meeting = by_section_week.get((membership.section_id, week))
                if meeting is not None:
                    expected[(user_id, week)] = meeting
    for user_id, meeting_id, week in mine(SectionVisit.objects.filter(term=term)).values_list(
        "user_id", "meeting_id", "week"
    ):
        expected[(user_id, week)] = meetings[meeting_id]
    statuses: dict[tuple[int, int], str] = {
        (user_id, meeting_id): AttendanceStatus.EXCUSED
        for user_id, meeting_id in mine(
            Apology.objects.filter(meeting__section__term=term)
        ).values_list("user_id", "meeting_id")
    }
    for user_id, meeting_id, status in mine(
        Attendance.objects.filter(meeting__section__term=term)
    ).values_list("user_id", "meeting_id", "status"):
        statuses[(user_id, meeting_id)] = status
    alerts: dict[int, list[int]] = defaultdict(list)
    for user_id, first_week in mine(MissedMeetingsAlert.objects.filter(term=term)).values_list(
        "user_id", "first_week"
    ):
        alerts[user_id].append(first_week)
    assignments = list(
        Assignment.objects.filter(week__term=term)
        .select_related("week__term")
        .prefetch_related(Prefetch("tracks", queryset=Track.objects.only("id")))
        .order_by("week__number", "position", "id")
    )
    personal_due: dict[tuple[int, int], dt.datetime] = {}
    section_due: dict[tuple[int, int], dt.datetime] = {}
    overrides = DueDateOverride.objects.filter(assignment__week__term=term)
    if ids is not None:
        overrides = overrides.filter(Q(user_id__in=ids) | Q(user__isnull=True))
    for assignment_id, user_id, section_id, due in overrides.values_list(
        "assignment_id", "user_id", "section_id", "due_at"
    ):
        if user_id is not None:
            personal_due[(assignment_id, user_id)] = due
        else:
            section_due[(assignment_id, section_id)] = due
    versions: dict[tuple[int, int], list[HandedIn]] = defaultdict(list)
    for version_id, assignment_id, user_id, is_late in (
        mine(
            SubmissionVersion.objects.filter(submission__assignment__week__term=term),
            "submission__user_id",
        )
        .order_by("number")
        .values_list("pk", "submission__assignment_id", "submission__user_id", "is_late")
    ):
        versions[(assignment_id, user_id)].append(HandedIn(version_id, is_late))
    return TermFacts(
        term=term,
        now=now,
        this_week=term_current_week(term, now),
        tracks=tracks,
        sections=sections,
        people=sorted(people.values(), key=lambda person: (person.name, person.email)),
        memberships=dict(memberships),
        meetings=meetings,
        expected=expected,
        statuses=statuses,
        alerts=dict(alerts),
        assignments=assignments,
        assignment_tracks={
            assignment.pk: {track.pk for track in assignment.tracks.all()}
            for assignment in assignments
        },
        personal_due=personal_due,
        section_due=section_due,
        versions=dict(versions),
        user_ids=None if ids is None else frozenset(ids),
    )


def homework_status(facts: TermFacts, assignment: Assignment, user_id: int) -> str:
    """On time, late, missing, not yet due — or "" when the person is not expected to hand it in
    (no section that week, or another track's assignment) and has not."""
    versions = facts.versions.get((assignment.pk, user_id), [])
    if versions:
        # A version on time (even one before an extension) makes the work on time.
        return LATE if all(version.is_late for version in versions) else ON_TIME
    section = facts.section_in_week(user_id, assignment.week.number)
    if section is None or not facts.sees(assignment, section):
        return ""
    return MISSING if facts.due_of(assignment, user_id, section) <= facts.now else NOT_YET_DUE
