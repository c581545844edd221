"""The overview's numbers counted by the database: attendance and submissions per week, grouped
by track or by section, and who is at risk. A fixed number of queries, whatever the number of
people, sections and assignments, and no loop over people in Python.

The definitions are those of the package's docstring (and of ``queries.term_facts``, which the
CSV exports and completion still read row by row): a person is expected at the meeting of the
section whose membership covers the week (or at the one they visit instead); an apology without a
record counts as excused; an assignment is due for the members (in its week) of a section whose
track sees it, once their own due date has passed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from cohortkit.coursework.due import term_due_at
from cohortkit.coursework.models import DueDateOverride, SubmissionVersion
from cohortkit.coursework.overview.at_risk import MISSING_ASSIGNMENTS_AT_RISK
from cohortkit.coursework.overview.rates import AttendanceCount, SubmissionCount
from cohortkit.programs.models import Assignment, Term
from cohortkit.sections.models import (
    Apology,
    Attendance,
    AttendanceStatus,
    MissedMeetingsAlert,
    SectionMembership,
    SectionVisit,
)

# Grouping keys: by the track of the section, or by the section.
BY_TRACK, BY_SECTION = "track", "section"

Key = tuple[int, int]  # (track or section id, week)


def _group_field(by: str, prefix: str) -> str:
    return f"{prefix}section__track_id" if by == BY_TRACK else f"{prefix}section_id"


def _in_sections(
    queryset: QuerySet[Any], prefix: str, section_ids: Collection[int] | None
) -> QuerySet[Any]:
    if section_ids is None:
        return queryset
    return queryset.filter(**{f"{prefix}section_id__in": section_ids})


def attendance_counts(
    *, term: Term, now: dt.datetime, by: str, section_ids: Collection[int] | None = None
) -> dict[Key, AttendanceCount]:
    """Present, absent, excused and not recorded at the meetings that have started, per (track
    or section, week). Four queries."""
    held = Q(
        meeting__section__term=term,
        meeting__starts_at__lte=now,
        meeting__week__gte=1,
        meeting__week__lte=term.week_count,
    )
    group = _group_field(by, "meeting__")
    counts: dict[Key, AttendanceCount] = defaultdict(AttendanceCount)
    recorded = _in_sections(Attendance.objects.filter(held), "meeting__", section_ids)
    for key, week, status, number in (
        recorded.values_list(group, "meeting__week", "status").annotate(n=Count("pk")).order_by()
    ):
        count = counts[(key, week)]
        if status == AttendanceStatus.PRESENT:
            count.present += number
        elif status == AttendanceStatus.ABSENT:
            count.absent += number
        elif status == AttendanceStatus.EXCUSED:
            count.excused += number
    record_there = Attendance.objects.filter(meeting=OuterRef("meeting"), user=OuterRef("user"))
    apologies = _in_sections(Apology.objects.filter(held), "meeting__", section_ids)
    for key, week, number in (
        apologies.filter(~Exists(record_there))
        .values_list(group, "meeting__week")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(key, week)].excused += number
    for (key, week), number in _unrecorded(term=term, now=now, by=by, section_ids=section_ids):
        counts[(key, week)].unrecorded += number
    return dict(counts)


def _unrecorded(
    *, term: Term, now: dt.datetime, by: str, section_ids: Collection[int] | None
) -> list[tuple[Key, int]]:
    """People expected at a meeting that has started with nothing recorded for them there:
    members whose membership covers the week (unless they visit another section that week),
    and visitors."""
    members = _in_sections(
        SectionMembership.objects.filter(section__term=term).annotate(
            meeting_id=F("section__meetings__id"),
            week=F("section__meetings__week"),
            starts_at=F("section__meetings__starts_at"),
        ),
        "",
        section_ids,
    ).filter(
        Q(week__gte=F("from_week")) & (Q(to_week__isnull=True) | Q(week__lte=F("to_week"))),
        starts_at__lte=now,
        week__gte=1,
        week__lte=term.week_count,
    )
    nothing_recorded = ~Exists(
        Attendance.objects.filter(meeting_id=OuterRef("meeting_id"), user_id=OuterRef("user_id"))
    ) & ~Exists(
        Apology.objects.filter(meeting_id=OuterRef("meeting_id"), user_id=OuterRef("user_id"))
    )
    away = Exists(
        SectionVisit.objects.filter(term=term, user_id=OuterRef("user_id"), week=OuterRef("week"))
    )
    # Two memberships covering one week expect the person once: at the meeting of the one that
    # started last (``queries.term_facts``'s ``expected``).
    elsewhere = Exists(
        SectionMembership.objects.filter(
            Q(to_week__isnull=True) | Q(to_week__gte=OuterRef("week")),
            Q(from_week__gt=OuterRef("from_week"))
            | Q(from_week=OuterRef("from_week"), pk__gt=OuterRef("pk")),
            section__term=term,
            user_id=OuterRef("user_id"),
            from_week__lte=OuterRef("week"),
            section__meetings__week=OuterRef("week"),
        )
    )
    rows: list[tuple[Key, int]] = [
        ((key, week), number)
        for key, week, number in members.filter(nothing_recorded & ~away & ~elsewhere)
        .values_list(_group_field(by, ""), "week")
        .annotate(n=Count("pk"))
        .order_by()
    ]
    there = {"meeting_id": OuterRef("meeting_id"), "user_id": OuterRef("user_id")}
    visitor_recorded = Exists(Attendance.objects.filter(**there)) | Exists(
        Apology.objects.filter(**there)
    )
    visits = _in_sections(
        SectionVisit.objects.filter(
            term=term,
            meeting__starts_at__lte=now,
            meeting__week__gte=1,
            meeting__week__lte=term.week_count,
        ),
        "meeting__",
        section_ids,
    )
    rows += [
        ((key, week), number)
        for key, week, number in visits.filter(~visitor_recorded)
        .values_list(_group_field(by, "meeting__"), "meeting__week")
        .annotate(n=Count("pk"))
        .order_by()
    ]
    return rows


def _due_people(assignment: Assignment, *, term: Term, now: dt.datetime) -> QuerySet[Any]:
    """The memberships of the people due for ``assignment``: the covering membership that
    started last in its week, in a section whose track sees it, their own due date passed."""
    week = assignment.week.number
    covering = Q(from_week__lte=week) & (Q(to_week__isnull=True) | Q(to_week__gte=week))
    later = SectionMembership.objects.filter(
        covering, section__term=term, user_id=OuterRef("user_id")
    ).filter(
        Q(from_week__gt=OuterRef("from_week"))
        | Q(from_week=OuterRef("from_week"), pk__gt=OuterRef("pk"))
    )
    personal = DueDateOverride.objects.filter(
        assignment_id=assignment.pk, user_id=OuterRef("user_id")
    ).values("due_at")[:1]
    of_section = DueDateOverride.objects.filter(
        assignment_id=assignment.pk, user__isnull=True, section_id=OuterRef("section_id")
    ).values("due_at")[:1]
    people = SectionMembership.objects.filter(covering, section__term=term).filter(~Exists(later))
    tracks = [track.pk for track in assignment.tracks.all()]
    if tracks:
        people = people.filter(section__track_id__in=tracks)
    return people.annotate(
        due=Coalesce(
            Subquery(personal),
            Subquery(of_section),
            Value(term_due_at(assignment), output_field=DateTimeField()),
        )
    ).filter(due__lte=now)


def _handed_in(assignment: Assignment, *, on_time: bool = False) -> Exists:
    versions = SubmissionVersion.objects.filter(
        submission__assignment_id=assignment.pk, submission__user_id=OuterRef("user_id")
    )
    return Exists(versions.filter(is_late=False) if on_time else versions)


def _counted(assignments: Sequence[Assignment], term: Term) -> list[Assignment]:
    return [item for item in assignments if 1 <= item.week.number <= term.week_count]


def submission_counts(
    *,
    term: Term,
    now: dt.datetime,
    assignments: Sequence[Assignment],
    by: str,
    section_ids: Collection[int] | None = None,
) -> dict[Key, SubmissionCount]:
    """On time, late and missing per (track or section, week) of the people due: one query for
    every assignment together (a UNION of one count per assignment)."""
    parts = []
    for assignment in _counted(assignments, term):
        people = _in_sections(_due_people(assignment, term=term, now=now), "", section_ids)
        handed_in, in_time = _handed_in(assignment), _handed_in(assignment, on_time=True)
        parts.append(
            people.values(_group_field(by, ""))
            .annotate(
                week=Value(assignment.week.number, output_field=IntegerField()),
                due=Count("pk"),
                handed_in=Count("pk", filter=handed_in),
                on_time=Count("pk", filter=in_time),
            )
            .values_list(_group_field(by, ""), "week", "due", "handed_in", "on_time")
            .order_by()
        )
    counts: dict[Key, SubmissionCount] = defaultdict(SubmissionCount)
    if not parts:
        return {}
    # Two subqueries a row (handed in at all, handed in on time): late and missing follow.
    for key, week, due, handed, on_time in parts[0].union(*parts[1:], all=True):
        count = counts[(key, week)]
        count.on_time += on_time
        count.late += handed - on_time
        count.missing += due - handed
    return dict(counts)


def missing_homework(
    *,
    term: Term,
    now: dt.datetime,
    assignments: Sequence[Assignment],
    user_ids: Collection[int] | None = None,
) -> dict[int, list[int]]:
    """Person → the assignments (ids) they are due for and have not handed in; one query."""
    parts = []
    for assignment in _counted(assignments, term):
        people = _due_people(assignment, term=term, now=now).filter(~_handed_in(assignment))
        if user_ids is not None:
            people = people.filter(user_id__in=user_ids)
        parts.append(
            people.annotate(assignment=Value(assignment.pk, output_field=IntegerField()))
            .values_list("user_id", "assignment")
            .order_by()
        )
    missing: dict[int, list[int]] = defaultdict(list)
    if parts:
        for user_id, assignment_id in parts[0].union(*parts[1:], all=True):
            missing[user_id].append(assignment_id)
    return dict(missing)


def absences(*, term: Term, now: dt.datetime) -> QuerySet[Attendance]:
    """The absences recorded at the term's meetings that have started."""
    return Attendance.objects.filter(
        meeting__section__term=term,
        meeting__starts_at__lte=now,
        meeting__week__gte=1,
        meeting__week__lte=term.week_count,
        status=AttendanceStatus.ABSENT,
    )


def at_risk_ids(
    *, term: Term, now: dt.datetime, missing: dict[int, list[int]], missed_in_a_row: int
) -> set[int]:
    """Who is at risk: ``missed_in_a_row`` or more absences, an alert, or two or more missing
    assignments. Two queries (plus ``missing``, read once for the whole page)."""
    absent = set(
        absences(term=term, now=now)
        .values("user_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=missed_in_a_row)
        .values_list("user_id", flat=True)
    )
    alerted = set(
        MissedMeetingsAlert.objects.filter(term=term).values_list("user_id", flat=True).distinct()
    )
    homework = {
        user_id for user_id, items in missing.items() if len(items) >= MISSING_ASSIGNMENTS_AT_RISK
    }
    return absent | alerted | homework
