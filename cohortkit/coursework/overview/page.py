"""The organizers' term overview page: rates by track and section, people at risk, charts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from cohortkit.coursework.overview.at_risk import (
    AtRisk,
    contact_subject,
    mailto,
    people_at_risk,
)
from cohortkit.coursework.overview.charts import LineChart, line_chart
from cohortkit.coursework.overview.queries import MISSING, TermFacts, homework_status, term_facts
from cohortkit.coursework.overview.rates import RatesRow, WeekRates
from cohortkit.programs.models import Assignment, Term
from cohortkit.sections.models import AttendanceStatus


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
    at_risk = people_at_risk(term=term, facts=facts, absent_weeks=absent_weeks, missing=missing)
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
        contact_all=mailto(bcc=[item.user.email for item in at_risk], subject=contact_subject(term))
        if at_risk
        else "",
        charts=charts,
        facts=facts,
    )
