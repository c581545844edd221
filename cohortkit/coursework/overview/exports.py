"""The attendance and grades of every participant, and who is at risk, as CSV, with the
overview's definitions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from cohortkit.accounts.models import User
from cohortkit.common.spreadsheets import spreadsheet_safe
from cohortkit.coursework.models import Feedback, FeedbackVerdict
from cohortkit.coursework.overview.page import at_risk_everyone
from cohortkit.coursework.overview.queries import (
    LATE,
    ON_TIME,
    TermFacts,
    homework_status,
    term_facts,
)
from cohortkit.coursework.overview.rates import AttendanceCount
from cohortkit.programs.models import Quiz, Term
from cohortkit.quizzes.models import Attempt
from cohortkit.quizzes.selectors import counted_best


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


def at_risk_csv_lines(*, term: Term, now: dt.datetime | None = None) -> Iterator[str]:
    """Everyone at risk, most absences first: email, name, section, the weeks missed, the first
    weeks of runs of misses organizers were told of, and the written assignments missing."""

    def rows() -> Iterator[Sequence[object]]:
        yield ["email", "name", "section", "missed meetings (weeks)", "missed in a row from week",
               "missing homework"]  # fmt: skip
        for person in at_risk_everyone(term=term, now=now):
            yield [
                person.user.email,
                person.user.name,
                person.section.name if person.section else "",
                " ".join(str(week) for week in person.absent_weeks),
                " ".join(str(week) for week in person.alerted_weeks),
                "; ".join(f"Week {item.week.number}: {item.title}" for item in person.missing),
            ]

    return _csv_lines(rows())
