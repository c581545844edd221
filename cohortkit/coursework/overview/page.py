"""The organizers' overview page: rates per track (and one page of sections), two charts, and
one page of the people at risk, all counted by the database (``counting``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.common.tables import Column, TablePage, table_page
from cohortkit.coursework.overview.at_risk import (
    CONTACT_ALL_LIMIT,
    AtRisk,
    at_risk_rows,
    contact_subject,
    mailto,
)
from cohortkit.coursework.overview.charts import LineChart, line_chart
from cohortkit.coursework.overview.counting import (
    BY_SECTION,
    BY_TRACK,
    absences,
    at_risk_ids,
    attendance_counts,
    missing_homework,
    submission_counts,
)
from cohortkit.coursework.overview.rates import (
    AttendanceCount,
    RatesRow,
    SubmissionCount,
    WeekRates,
)
from cohortkit.programs.models import Assignment, Term, Track
from cohortkit.programs.selectors import term_current_week
from cohortkit.sections.attendance import MISSES_IN_A_ROW
from cohortkit.sections.models import MissedMeetingsAlert, Section, SectionMembership

AT_RISK_PREFIX, SECTIONS_PREFIX = "risk-", "sections-"
AT_RISK_COLUMNS = [
    Column("person", "Person", ("name", "email")),
    Column("absences", "Missed meetings", ("absences", "-name")),
]
SECTION_COLUMNS = [
    Column("section", "Section", ("track__position", "name")),
    Column("facilitator", "Facilitator", ("facilitator__name", "facilitator__email")),
]


@dataclass
class TermOverview:
    term: Term
    this_week: int
    weeks: list[int]  # the weeks that have begun
    by_track: list[RatesRow]
    by_section: list[RatesRow]  # the sections of ``sections`` (one page)
    at_risk: list[AtRisk]  # the people at risk of ``at_risk_table`` (one page)
    contact_all: str
    charts: list[LineChart]
    at_risk_table: TablePage[User] | None = None
    sections_table: TablePage[Section] | None = None
    at_risk_total: int = 0


def _weeks(
    key: int,
    attendance: dict[tuple[int, int], AttendanceCount],
    submissions: dict[tuple[int, int], SubmissionCount],
    week_count: int,
) -> list[WeekRates]:
    return [
        WeekRates(
            week,
            attendance.get((key, week)) or AttendanceCount(),
            submissions.get((key, week)) or SubmissionCount(),
        )
        for week in range(1, week_count + 1)
    ]


def _request(request: HttpRequest | None) -> HttpRequest:
    if request is not None:
        return request
    empty = HttpRequest()
    empty.GET = QueryDict("")
    return empty


def _at_risk_people(term: Term, now: dt.datetime, ids: set[int]) -> QuerySet[User]:
    absent = (
        absences(term=term, now=now)
        .filter(user_id=OuterRef("pk"))
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return User.objects.filter(pk__in=sorted(ids)).annotate(
        absences=Coalesce(Subquery(absent, output_field=IntegerField()), Value(0))
    )


def at_risk_details(
    *,
    term: Term,
    now: dt.datetime,
    people: Sequence[User],
    missing: dict[int, list[int]],
    assignments: Sequence[Assignment],
) -> list[AtRisk]:
    """What each of ``people`` (at risk) missed, their section and a prefilled email: three
    queries, for one page of the table or for everyone at risk (the CSV)."""
    shown = [person.pk for person in people]
    absent_weeks: dict[int, list[int]] = defaultdict(list)
    for user_id, week in (
        absences(term=term, now=now)
        .filter(user_id__in=shown)
        .values_list("user_id", "meeting__week")
    ):
        absent_weeks[user_id].append(week)
    alerted: dict[int, list[int]] = defaultdict(list)
    for user_id, first_week in MissedMeetingsAlert.objects.filter(
        term=term, user_id__in=shown
    ).values_list("user_id", "first_week"):
        alerted[user_id].append(first_week)
    latest: dict[int, Section] = {}
    for membership in (
        SectionMembership.objects.filter(section__term=term, user_id__in=shown)
        .select_related("section__track")
        .order_by("from_week", "id")
    ):
        latest[membership.user_id] = membership.section
    by_id = {assignment.pk: assignment for assignment in assignments}
    place = {assignment.pk: index for index, assignment in enumerate(assignments)}
    return at_risk_rows(
        term=term,
        people=people,
        sections=latest,
        absent_weeks=absent_weeks,
        alerted_weeks=alerted,
        missing={
            user_id: [by_id[pk] for pk in sorted(missing.get(user_id, []), key=place.__getitem__)]
            for user_id in shown
        },
    )


def at_risk_everyone(*, term: Term, now: dt.datetime | None = None) -> list[AtRisk]:
    """Everyone at risk, in the overview table's first order (the most absences first)."""
    now = now or timezone.now()
    assignments = _assignments(term)
    missing = missing_homework(term=term, now=now, assignments=assignments)
    ids = at_risk_ids(term=term, now=now, missing=missing, missed_in_a_row=MISSES_IN_A_ROW)
    people = list(_at_risk_people(term, now, ids).order_by("-absences", "name", "email"))
    return at_risk_details(
        term=term, now=now, people=people, missing=missing, assignments=assignments
    )


def _assignments(term: Term) -> list[Assignment]:
    return list(
        Assignment.objects.filter(week__term=term)
        .select_related("week__term")
        .prefetch_related(Prefetch("tracks", queryset=Track.objects.only("id")))
        .order_by("week__number", "position", "id")
    )


def term_overview(
    *, term: Term, now: dt.datetime | None = None, request: HttpRequest | None = None
) -> TermOverview:
    """Rates per week by track and for one page of sections, one page of the people at risk
    (searched and sorted as the URL says) with a prefilled email each and one to all of them
    (in BCC), and the two charts. About twenty queries, whatever the size of the term."""
    now = now or timezone.now()
    request = _request(request)
    week_count = term.week_count
    tracks = list(Track.objects.filter(term=term).order_by("position", "id"))
    assignments = _assignments(term)
    track_attendance = attendance_counts(term=term, now=now, by=BY_TRACK)
    track_submissions = submission_counts(term=term, now=now, assignments=assignments, by=BY_TRACK)
    by_track = [
        RatesRow(
            track.name,
            track,
            None,
            _weeks(track.pk, track_attendance, track_submissions, week_count),
        )
        for track in tracks
    ]

    sections_table = table_page(
        request,
        Section.objects.filter(term=term).select_related("track", "facilitator"),
        columns=SECTION_COLUMNS,
        default_sort="section",
        search_fields=("name", "facilitator__name", "facilitator__email"),
        prefix=SECTIONS_PREFIX,
    )
    page_ids = [section.pk for section in sections_table.rows]
    section_attendance = attendance_counts(term=term, now=now, by=BY_SECTION, section_ids=page_ids)
    section_submissions = submission_counts(
        term=term, now=now, assignments=assignments, by=BY_SECTION, section_ids=page_ids
    )
    by_section = [
        RatesRow(
            section.name,
            section.track,
            section,
            _weeks(section.pk, section_attendance, section_submissions, week_count),
        )
        for section in sections_table.rows
    ]

    missing = missing_homework(term=term, now=now, assignments=assignments)
    ids = at_risk_ids(term=term, now=now, missing=missing, missed_in_a_row=MISSES_IN_A_ROW)
    at_risk_table = table_page(
        request,
        _at_risk_people(term, now, ids),
        columns=AT_RISK_COLUMNS,
        default_sort="-absences",
        search_fields=("name", "email"),
        prefix=AT_RISK_PREFIX,
    )
    at_risk = at_risk_details(
        term=term, now=now, people=at_risk_table.rows, missing=missing, assignments=assignments
    )
    # One link to write to everyone at risk while it still works: longer mailto links are cut
    # or refused by mail programs. Above that, their addresses come as a download.
    everyone = (
        list(  # in the table's first order: the most absences first
            _at_risk_people(term, now, ids)
            .order_by("-absences", "name", "email")
            .values_list("email", flat=True)
        )
        if 0 < len(ids) <= CONTACT_ALL_LIMIT
        else []
    )
    charts = [
        line_chart(
            slug="attendance",
            title="Attendance rate per week",
            what="Share of the people recorded present or absent who were present",
            week_count=week_count,
            series=[(row.label, [w.attendance.percent for w in row.weeks]) for row in by_track],
        ),
        line_chart(
            slug="submissions",
            title="Submission rate per week",
            what="Share of people due who handed in the written assignment, on time or late",
            week_count=week_count,
            series=[(row.label, [w.submissions.percent for w in row.weeks]) for row in by_track],
        ),
    ]
    this_week = term_current_week(term, now)
    return TermOverview(
        term=term,
        this_week=this_week,
        weeks=list(range(1, this_week + 1)),
        by_track=by_track,
        by_section=by_section,
        at_risk=at_risk,
        contact_all=mailto(bcc=everyone, subject=contact_subject(term)) if everyone else "",
        charts=charts,
        at_risk_table=at_risk_table,
        sections_table=sections_table,
        at_risk_total=len(ids),
    )
