"""The organizers' term overview: attendance and submission rates per week, by section and by
track; the people at risk; and the attendance and grades of every participant as CSV.

``term_facts`` reads the term's rows in a fixed number of queries, whatever the number of
sections, people and weeks; everything else here is arithmetic on what it read.

The same definitions hold on the page, in the charts and in the CSV files:

- **Attendance rate**: present / recorded, at the meetings that have started. Recorded counts
  present, absent and excused; an apology without a record counts as excused, as on the
  attendance sheet. Excused is also shown on its own, and people expected at a meeting that has
  started but have no record yet are counted as "not recorded", outside the rate.
- **People due** for an assignment: the members of a section (in the assignment's week) whose
  track sees it, once their own due date (``due.py``'s precedence: personal extension, section,
  term) has passed. Of them, *on time* handed in a version by their due date, *late* only after
  it, and *missing* have no submitted version. Submission rate: on time and late / due.
- **At risk**: two or more absences (or a two-misses alert), or two or more missing assignments.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.admissions.export import spreadsheet_safe
from cohortkit.coursework.due import term_due_at
from cohortkit.coursework.models import (
    DueDateOverride,
    Feedback,
    FeedbackVerdict,
    SubmissionVersion,
)
from cohortkit.programs.models import Assignment, Quiz, Term, Track
from cohortkit.quizzes.models import Attempt
from cohortkit.quizzes.selectors import counted_best
from cohortkit.sections.attendance import MISSES_IN_A_ROW
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
from cohortkit.sections.rosters import term_week_of
from cohortkit.sections.selectors import membership_covers

MISSING_ASSIGNMENTS_AT_RISK = 2

ON_TIME, LATE, MISSING, NOT_YET_DUE = "on time", "late", "missing", "not yet due"


# What the term's rows say ---------------------------------------------------------------


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

    def started(self, meeting: Meeting) -> bool:
        return meeting.starts_at <= self.now

    def section_in_week(self, user_id: int, week: int) -> Section | None:
        """The person's section in that week, as ``due.user_section_in_week`` answers it: the
        covering membership that started last (visits do not move homework)."""
        for membership in reversed(self.memberships.get(user_id, [])):
            if membership_covers(membership, week):
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


def term_facts(*, term: Term, now: dt.datetime | None = None) -> TermFacts:
    """Read everything the overview and the exports need: twelve queries, whatever the size."""
    now = now or timezone.now()
    tracks = list(Track.objects.filter(term=term).order_by("position", "id"))
    sections = {
        section.pk: section
        for section in Section.objects.filter(term=term)
        .select_related("track", "facilitator")
        .order_by("track__position", "name", "id")
    }
    memberships: dict[int, list[SectionMembership]] = defaultdict(list)
    people: dict[int, User] = {}
    for membership in (
        SectionMembership.objects.filter(section__term=term)
        .select_related("user")
        .order_by("from_week", "id")
    ):
        memberships[membership.user_id].append(membership)
        people[membership.user_id] = membership.user
    meetings = {meeting.pk: meeting for meeting in Meeting.objects.filter(section__term=term)}
    by_section_week = {(meeting.section_id, meeting.week): meeting for meeting in meetings.values()}
    expected: dict[tuple[int, int], Meeting] = {}
    for user_id, own in memberships.items():
        for membership in own:
            last = membership.to_week or term.week_count
            for week in range(membership.from_week, last + 1):
                meeting = by_section_week.get((membership.section_id, week))
                if meeting is not None:
                    expected[(user_id, week)] = meeting
    for user_id, meeting_id, week in SectionVisit.objects.filter(term=term).values_list(
        "user_id", "meeting_id", "week"
    ):
        expected[(user_id, week)] = meetings[meeting_id]
    statuses: dict[tuple[int, int], str] = {
        (user_id, meeting_id): AttendanceStatus.EXCUSED
        for user_id, meeting_id in Apology.objects.filter(meeting__section__term=term).values_list(
            "user_id", "meeting_id"
        )
    }
    for user_id, meeting_id, status in Attendance.objects.filter(
        meeting__section__term=term
    ).values_list("user_id", "meeting_id", "status"):
        statuses[(user_id, meeting_id)] = status
    alerts: dict[int, list[int]] = defaultdict(list)
    for user_id, first_week in MissedMeetingsAlert.objects.filter(term=term).values_list(
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
    for assignment_id, user_id, section_id, due in DueDateOverride.objects.filter(
        assignment__week__term=term
    ).values_list("assignment_id", "user_id", "section_id", "due_at"):
        if user_id is not None:
            personal_due[(assignment_id, user_id)] = due
        else:
            section_due[(assignment_id, section_id)] = due
    versions: dict[tuple[int, int], list[HandedIn]] = defaultdict(list)
    for version_id, assignment_id, user_id, is_late in (
        SubmissionVersion.objects.filter(submission__assignment__week__term=term)
        .order_by("number")
        .values_list("pk", "submission__assignment_id", "submission__user_id", "is_late")
    ):
        versions[(assignment_id, user_id)].append(HandedIn(version_id, is_late))
    return TermFacts(
        term=term,
        now=now,
        this_week=term_week_of(term, now),
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


# Rates ----------------------------------------------------------------------------------


@dataclass
class AttendanceCount:
    present: int = 0
    absent: int = 0
    excused: int = 0
    unrecorded: int = 0

    def add(self, status: str) -> None:
        if status == AttendanceStatus.PRESENT:
            self.present += 1
        elif status == AttendanceStatus.ABSENT:
            self.absent += 1
        elif status == AttendanceStatus.EXCUSED:
            self.excused += 1

    @property
    def recorded(self) -> int:
        return self.present + self.absent + self.excused

    @property
    def rate(self) -> float | None:
        return self.present / self.recorded if self.recorded else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


@dataclass
class SubmissionCount:
    on_time: int = 0
    late: int = 0
    missing: int = 0

    def add(self, status: str) -> None:
        if status == ON_TIME:
            self.on_time += 1
        elif status == LATE:
            self.late += 1
        elif status == MISSING:
            self.missing += 1

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def rate(self) -> float | None:
        return (self.on_time + self.late) / self.due if self.due else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


@dataclass
class WeekRates:
    week: int
    attendance: AttendanceCount = field(default_factory=AttendanceCount)
    submissions: SubmissionCount = field(default_factory=SubmissionCount)


@dataclass
class RatesRow:
    """One track, or one section, week by week."""

    label: str
    track: Track
    section: Section | None
    weeks: list[WeekRates]

    def week(self, number: int) -> WeekRates:
        return self.weeks[number - 1]


# People at risk -------------------------------------------------------------------------


@dataclass
class AtRisk:
    user: User
    section: Section | None
    absent_weeks: list[int]
    alerted_weeks: list[int]  # the first week of each run of misses organizers were told of
    missing: list[Assignment]
    mailto: str = ""

    @property
    def missed_meetings(self) -> bool:
        return len(self.absent_weeks) >= MISSES_IN_A_ROW or bool(self.alerted_weeks)

    @property
    def missing_homework(self) -> bool:
        return len(self.missing) >= MISSING_ASSIGNMENTS_AT_RISK


def _weeks_text(weeks: Sequence[int]) -> str:
    numbers = [str(week) for week in weeks]
    if len(numbers) == 1:
        return f"week {numbers[0]}"
    return "weeks " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


def mailto(*, to: Sequence[str] = (), bcc: Sequence[str] = (), subject: str, body: str = "") -> str:
    """A ``mailto:`` link (RFC 6068): addresses and text percent-encoded, so an address can
    never add a header of its own."""
    fields = {"subject": subject}
    if bcc:
        fields["bcc"] = ",".join(bcc)
    if body:
        fields["body"] = body
    recipients = ",".join(quote(address, safe="@") for address in to)
    return f"mailto:{recipients}?{urlencode(fields, safe='@,', quote_via=quote)}"


def _contact_subject(term: Term) -> str:
    return f"Checking in: {term.program.name}, {term.name}"


def _contact_body(term: Term, person: AtRisk) -> str:
    what = []
    if person.absent_weeks:
        what.append(f"missed your section's meetings in {_weeks_text(person.absent_weeks)}")
    if person.missing:
        titles = "; ".join(f"{item.title} (week {item.week.number})" for item in person.missing)
        what.append(f"not yet handed in {titles}")
    switch = settings.SITE_URL + reverse("sections:switch", args=[term.slug])
    return "\n".join(
        [
            f"Hello {person.user.name or person.user.email},",
            "",
            f"We noticed that you have {' and '.join(what)}. Is everything all right?",
            "If your section's time no longer works for you, you can move to another section: "
            + switch,
            "Reply to this email if we can help.",
            "",
            f"The organizers of {term.name}",
        ]
    )


# The overview ---------------------------------------------------------------------------


@dataclass
class Point:
    x: float
    y: float
    week: int
    percent: int


@dataclass
class Series:
    label: str
    css_class: str
    segments: list[str]  # polyline ``points`` of each unbroken run of weeks
    points: list[Point]


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class LineChart:
    """A line chart of rates (0–100 %) per week, ready for the template to draw as SVG."""

    slug: str
    title: str
    description: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    series: list[Series]
    weeks: list[int]
    rows: list[tuple[str, list[int | None]]]  # the data as a table


CHART_WIDTH, CHART_HEIGHT = 640, 260
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 64, 20, 16, 40


def line_chart(
    *,
    slug: str,
    title: str,
    what: str,
    week_count: int,
    series: Sequence[tuple[str, Sequence[int | None]]],
) -> LineChart:
    """Lay out one line per series over weeks 1..``week_count``, values in percent (None: no
    data that week, which breaks the line). A pure function: numbers in, coordinates out."""
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    step = plot_width / max(1, week_count - 1)

    def x_of(week: int) -> float:
        return round(CHART_LEFT + (week - 1) * step, 1)

    def y_of(percent: int) -> float:
        return round(CHART_TOP + (100 - percent) / 100 * plot_height, 1)

    drawn: list[Series] = []
    sentences: list[str] = []
    for index, (label, values) in enumerate(series):
        points = [
            Point(x_of(week), y_of(value), week, value)
            for week, value in enumerate(values, start=1)
            if value is not None
        ]
        segments: list[str] = []
        run: list[Point] = []
        for point in points:
            if run and point.week != run[-1].week + 1:
                segments.append(" ".join(f"{p.x},{p.y}" for p in run))
                run = []
            run.append(point)
        if run:
            segments.append(" ".join(f"{p.x},{p.y}" for p in run))
        drawn.append(Series(label, f"series-{index % 6}", segments, points))
        said = ", ".join(f"week {p.week} {p.percent}%" for p in points) or "no data yet"
        sentences.append(f"{label}: {said}.")
    return LineChart(
        slug=slug,
        title=title,
        description=f"{what}, per week, one line per track. " + " ".join(sentences),
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=CHART_LEFT,
        right=CHART_WIDTH - CHART_RIGHT,
        top=CHART_TOP,
        bottom=CHART_HEIGHT - CHART_BOTTOM,
        x_ticks=[Tick(x_of(week), str(week)) for week in range(1, week_count + 1)],
        y_ticks=[Tick(y_of(percent), f"{percent}%") for percent in (0, 25, 50, 75, 100)],
        series=drawn,
        weeks=list(range(1, week_count + 1)),
        rows=[(label, list(values)) for label, values in series],
    )


@dataclass
class TermOverview:
    term: Term
    this_week: int
    weeks: list[int]  # the weeks that have begun
    by_track: list[RatesRow]
    by_section: list[RatesRow]
    at_risk: list[AtRisk]
    contact_all: str
    charts: list[LineChart]
    facts: TermFacts | None = None  # what was read, for other apps' parts of the page


def term_overview(*, term: Term, now: dt.datetime | None = None) -> TermOverview:
    """Rates per week by track and by section, the people at risk with a prefilled email each
    (and one to all of them, in BCC), and the two charts. Queries: as ``term_facts``."""
    facts = term_facts(term=term, now=now)
    week_count = term.week_count
    by_track = {
        track.pk: RatesRow(
            track.name, track, None, [WeekRates(w) for w in range(1, week_count + 1)]
        )
        for track in facts.tracks
    }
    by_section = {
        section.pk: RatesRow(
            section.name, section.track, section, [WeekRates(w) for w in range(1, week_count + 1)]
        )
        for section in facts.sections.values()
    }
    absent_weeks: dict[int, list[int]] = defaultdict(list)
    for (user_id, meeting_id), status in facts.statuses.items():
        meeting = facts.meetings[meeting_id]
        if not facts.started(meeting) or not 1 <= meeting.week <= week_count:
            continue
        held_by = facts.sections[meeting.section_id]
        by_section[held_by.pk].week(meeting.week).attendance.add(status)
        by_track[held_by.track_id].week(meeting.week).attendance.add(status)
        if status == AttendanceStatus.ABSENT:
            absent_weeks[user_id].append(meeting.week)
    for (user_id, week), meeting in facts.expected.items():
        if facts.started(meeting) and (user_id, meeting.pk) not in facts.statuses:
            held_by = facts.sections[meeting.section_id]
            by_section[held_by.pk].week(week).attendance.unrecorded += 1
            by_track[held_by.track_id].week(week).attendance.unrecorded += 1
    missing: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in facts.assignments:
        week = assignment.week.number
        if not 1 <= week <= week_count:
            continue
        for person in facts.people:
            section = facts.section_in_week(person.pk, week)
            if section is None or not facts.sees(assignment, section):
                continue
            if facts.due_of(assignment, person.pk, section) > facts.now:
                continue  # not due yet: neither counted in nor missing
            status = homework_status(facts, assignment, person.pk)
            by_section[section.pk].week(week).submissions.add(status)
            by_track[section.track_id].week(week).submissions.add(status)
            if status == MISSING:
                missing[person.pk].append(assignment)
    at_risk = []
    for person in facts.people:
        candidate = AtRisk(
            user=person,
            section=facts.latest_section(person.pk),
            absent_weeks=sorted(absent_weeks.get(person.pk, [])),
            alerted_weeks=sorted(facts.alerts.get(person.pk, [])),
            missing=missing.get(person.pk, []),
        )
        if candidate.missed_meetings or candidate.missing_homework:
            candidate.mailto = mailto(
                to=[person.email],
                subject=_contact_subject(term),
                body=_contact_body(term, candidate),
            )
            at_risk.append(candidate)
    at_risk.sort(
        key=lambda item: (
            -(len(item.absent_weeks) + len(item.missing)),
            item.user.name,
            item.user.email,
        )
    )
    tracks = list(by_track.values())
    charts = [
        line_chart(
            slug="attendance",
            title="Attendance rate per week",
            what="Share of recorded people who were present",
            week_count=week_count,
            series=[(row.track.name, [w.attendance.percent for w in row.weeks]) for row in tracks],
        ),
        line_chart(
            slug="submissions",
            title="Submission rate per week",
            what="Share of people due who handed in the written assignment, on time or late",
            week_count=week_count,
            series=[(row.track.name, [w.submissions.percent for w in row.weeks]) for row in tracks],
        ),
    ]
    return TermOverview(
        term=term,
        this_week=facts.this_week,
        weeks=list(range(1, facts.this_week + 1)),
        by_track=tracks,
        by_section=list(by_section.values()),
        at_risk=at_risk,
        contact_all=mailto(
            bcc=[item.user.email for item in at_risk], subject=_contact_subject(term)
        )
        if at_risk
        else "",
        charts=charts,
        facts=facts,
    )


# CSV exports ----------------------------------------------------------------------------


def _csv_lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Each row as a CSV line, every cell made spreadsheet-safe (headers too: titles are
    typed by organizers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for cells in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
        yield buffer.getvalue()


def _person_cells(facts: TermFacts, person: User) -> list[object]:
    section = facts.latest_section(person.pk)
    return [
        person.email,
        person.name,
        section.name if section else "",
        section.track.name if section else "",
    ]


PERSON_COLUMNS = ["email", "name", "section", "track"]


def attendance_csv_lines(*, term: Term, now: dt.datetime | None = None) -> Iterator[str]:
    """One line per participant (everyone with a section in the term): their latest section and
    track, what was recorded for them each week (present, absent, excused, "not recorded" at a
    meeting that has started, empty before it), and their totals."""
    facts = term_facts(term=term, now=now)
    weeks = range(1, term.week_count + 1)

    def rows() -> Iterator[Sequence[object]]:
        yield [*PERSON_COLUMNS, *(f"week {week}" for week in weeks), "present", "absent", "excused"]
        for person in facts.people:
            counts = AttendanceCount()
            cells = []
            for week in weeks:
                meeting = facts.expected.get((person.pk, week))
                status = ""
                if meeting is not None and facts.started(meeting):
                    status = facts.statuses.get((person.pk, meeting.pk), "not recorded")
                counts.add(status)
                cells.append(status)
            yield [
                *_person_cells(facts, person),
                *cells,
                counts.present,
                counts.absent,
                counts.excused,
            ]

    return _csv_lines(rows())


def grades_csv_lines(*, term: Term, now: dt.datetime | None = None) -> Iterator[str]:
    """One line per participant: for each written assignment its status (on time, late,
    missing, not yet due), whether it was late and the verdict of the latest review of the
    latest version; for each quiz the best score of the attempts made by the person's due date,
    what it was out of, and how many attempts came late (a late attempt never counts toward the
    score). Four queries more than ``term_facts``."""
    facts = term_facts(term=term, now=now)
    quizzes = list(
        Quiz.objects.filter(week__term=term)
        .select_related("week")
        .order_by("week__number", "position", "id")
    )
    attempts: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
    for attempt in (
        Attempt.objects.filter(quiz__week__term=term)
        .only("quiz_id", "user_id", "number", "score", "max_score", "is_late")
        .order_by("number")
    ):
        attempts[(attempt.quiz_id, attempt.user_id)].append(attempt)
    verdicts = dict(
        Feedback.objects.filter(version__submission__assignment__week__term=term)
        .order_by("created_at", "id")
        .values_list("version_id", "verdict")
    )

    def rows() -> Iterator[Sequence[object]]:
        header: list[object] = list(PERSON_COLUMNS)
        for assignment in facts.assignments:
            name = f"W{assignment.week.number} {assignment.title}"
            header += [f"{name}: status", f"{name}: late", f"{name}: verdict"]
        for quiz in quizzes:
            name = f"W{quiz.week.number} {quiz.title}"
            header += [f"{name}: best score", f"{name}: out of", f"{name}: late attempts"]
        yield header
        for person in facts.people:
            cells = _person_cells(facts, person)
            for assignment in facts.assignments:
                status = homework_status(facts, assignment, person.pk)
                versions = facts.versions.get((assignment.pk, person.pk), [])
                verdict = verdicts.get(versions[-1].version_id) if versions else None
                cells += [
                    status,
                    {ON_TIME: "no", LATE: "yes"}.get(status, ""),
                    FeedbackVerdict(verdict).label.lower() if verdict else "",
                ]
            for quiz in quizzes:
                tries = attempts.get((quiz.pk, person.pk), [])
                best = counted_best(tries)
                late = sum(1 for attempt in tries if attempt.is_late)
                cells += [best.score, best.max_score] if best else ["", ""]
                cells.append(late if tries else "")
            yield cells

    return _csv_lines(rows())
