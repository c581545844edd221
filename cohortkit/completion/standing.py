"""Where every participant stands, judged by the database: the same verdict as
``selectors.term_progress`` (on track, at risk, cannot complete any more), as one SQL query of
common table expressions, so the organizers' overview counts and filters ten thousand people
without reading them into Python.

``term_progress`` stays the definition (its docstring says it in words) and judges the people a
page shows; this module is its translation, kept equal by ``tests/test_standing.py`` on a term
with two tracks, rules of their own, visits, switches, excused absences both ways, extensions,
quizzes with pass marks and attempts, and after the term. Per person it counts, as
``term_progress`` does, what is done and what is still possible for each requirement:

- *meetings*: the meeting expected each week (the visited one, else that of the latest
  membership covering the week whose section meets then); done when present (or excused, if the
  term counts it), possible when it has not started, nothing is recorded yet, or it is done;
- *assignments*: done when the latest review says complete; otherwise counted for the people
  whose section that week (the covering membership that started last) sees it, possible unless
  the person's own due date has passed without a version, or with *needs revision*;
- *quizzes* of the person's track: done when an attempt reaches the pass mark, possible while
  attempts are left;

and the track's rule says how many are needed. After the term, possible is what is done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils import timezone

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.admissions.models import Enrollment
from cohortkit.common.tables import Column, FilterLink, TablePage, table_page
from cohortkit.completion.models import CompletionRule, FeedbackForm, FeedbackResponse, QuizPassMark
from cohortkit.completion.rule import rules_of_term
from cohortkit.completion.selectors import (
    AT_RISK,
    CANNOT,
    ON_TRACK,
    STATUS_LABELS,
    Progress,
    term_progress,
)
from cohortkit.coursework.due import term_due_at
from cohortkit.coursework.models import (
    DueDateOverride,
    Feedback,
    FeedbackVerdict,
    Submission,
    SubmissionVersion,
)
from cohortkit.programs.models import Assignment, Quiz, Term, Week
from cohortkit.programs.selectors import term_ends_at
from cohortkit.quizzes.models import Attempt
from cohortkit.sections.models import (
    Apology,
    Attendance,
    AttendanceStatus,
    Meeting,
    Section,
    SectionMembership,
    SectionVisit,
)


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _instant(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _values(rows: list[tuple[Any, ...]], columns: int) -> tuple[str, list[Any]]:
    """``VALUES (…), (…)`` of ``rows`` (at least one), with its parameters."""
    placeholders = ", ".join("(" + ", ".join(["%s"] * columns) + ")" for _ in rows)
    return f"VALUES {placeholders}", [value for row in rows for value in row]


def _judged_sql(term: Term, now: dt.datetime) -> tuple[str, list[Any]]:
    """The common table expressions ending in ``judged(user_id, status)``, one row per
    participant, and their parameters. Reads the rules, the assignments' and quizzes' term due
    dates and the feedback form first (three queries)."""
    rules = rules_of_term(term=term)
    weeks = term.week_count
    term_over = now >= term_ends_at(term)
    form = FeedbackForm.objects.filter(term=term).first()
    feedback_open_later = form is not None and now < form.closes_at
    assignments = list(
        Assignment.objects.filter(week__term=term).select_related("week__term").order_by("id")
    )
    counted = [AttendanceStatus.PRESENT.value] + (
        [AttendanceStatus.EXCUSED.value] if rules.excused_counts else []
    )
    track_rules: list[tuple[int | None, CompletionRule]] = [(None, rules.term_rule)]
    track_rules += list(rules.track_rules.items())
    rule_rows, rule_params = _values(
        [
            (
                track_id or 0,  # no track has id 0; a NULL would leave PostgreSQL a text column
                1 if track_id is None else 0,
                rule.min_meetings,
                rule.min_assignments,
                rule.min_quizzes,
                rule.quiz_pass_percent,
                1 if rule.feedback_required else 0,
            )
            for track_id, rule in track_rules
        ],
        7,
    )
    # A row that matches no assignment keeps the column types when the term has none.
    due_rows, due_params = _values(
        [(-1, _instant(now))]
        + [(assignment.pk, _instant(term_due_at(assignment))) for assignment in assignments],
        2,
    )
    t = {
        "user_membership": _table(Membership),
        "enrollment": _table(Enrollment),
        "section": _table(Section),
        "membership": _table(SectionMembership),
        "meeting": _table(Meeting),
        "attendance": _table(Attendance),
        "apology": _table(Apology),
        "visit": _table(SectionVisit),
        "assignment": _table(Assignment),
        "assignment_tracks": _table(Assignment.tracks.through),
        "week": _table(Week),
        "override": _table(DueDateOverride),
        "submission": _table(Submission),
        "version": _table(SubmissionVersion),
        "feedback": _table(Feedback),
        "quiz": _table(Quiz),
        "quiz_tracks": _table(Quiz.tracks.through),
        "pass_mark": _table(QuizPassMark),
        "attempt": _table(Attempt),
        "response": _table(FeedbackResponse),
        "form": _table(FeedbackForm),
    }
    in_counted = ", ".join(["%s"] * len(counted))
    sql = f"""
    WITH
    rule_rows(track_id, is_term, min_meetings, min_assignments, min_quizzes, pass_percent,
              feedback_required) AS ({rule_rows}),
    term_due(assignment_id, due_at) AS ({due_rows}),
    term_memberships AS (
        SELECT sm.id, sm.user_id, sm.section_id, sm.from_week, sm.to_week, s.track_id
        FROM {t["membership"]} sm JOIN {t["section"]} s ON s.id = sm.section_id
        WHERE s.term_id = %s
    ),
    people AS (
        SELECT user_id FROM term_memberships
        UNION
        SELECT user_id FROM {t["user_membership"]} WHERE term_id = %s AND role = %s
    ),
    latest AS (
        SELECT m.user_id, m.track_id FROM term_memberships m
        WHERE NOT EXISTS (
            SELECT 1 FROM term_memberships later WHERE later.user_id = m.user_id
            AND (later.from_week > m.from_week
                 OR (later.from_week = m.from_week AND later.id > m.id)))
    ),
    tracked AS (
        SELECT p.user_id, COALESCE(l.track_id, (
            SELECT MAX(e.track_id) FROM {t["enrollment"]} e
            WHERE e.term_id = %s AND e.role = %s AND e.track_id IS NOT NULL
            AND e.user_id = p.user_id)) AS track_id
        FROM people p LEFT JOIN latest l ON l.user_id = p.user_id
    ),
    ruled AS (
        SELECT tr.user_id, tr.track_id, r.min_meetings, r.min_assignments, r.min_quizzes,
               r.pass_percent, r.feedback_required
        FROM tracked tr JOIN rule_rows r ON r.is_term = 1 AND NOT EXISTS (
            SELECT 1 FROM rule_rows own WHERE own.is_term = 0 AND own.track_id = tr.track_id)
        UNION ALL
        SELECT tr.user_id, tr.track_id, r.min_meetings, r.min_assignments, r.min_quizzes,
               r.pass_percent, r.feedback_required
        FROM tracked tr JOIN rule_rows r ON r.is_term = 0 AND r.track_id = tr.track_id
    ),
    covered AS (
        SELECT m.id AS membership_id, m.user_id, m.from_week, mt.id AS meeting_id, mt.week,
               mt.starts_at
        FROM term_memberships m JOIN {t["meeting"]} mt ON mt.section_id = m.section_id
        WHERE mt.week >= m.from_week AND mt.week <= COALESCE(m.to_week, %s)
        AND mt.week >= 1 AND mt.week <= %s
    ),
    expected AS (
        SELECT c.user_id, c.meeting_id, c.starts_at FROM covered c
        WHERE NOT EXISTS (
            SELECT 1 FROM covered later WHERE later.user_id = c.user_id AND later.week = c.week
            AND (later.from_week > c.from_week
                 OR (later.from_week = c.from_week AND later.membership_id > c.membership_id)))
        AND NOT EXISTS (
            SELECT 1 FROM {t["visit"]} v
            WHERE v.term_id = %s AND v.user_id = c.user_id AND v.week = c.week)
        UNION ALL
        SELECT v.user_id, v.meeting_id, mt.starts_at
        FROM {t["visit"]} v JOIN {t["meeting"]} mt ON mt.id = v.meeting_id
        WHERE v.term_id = %s AND v.week >= 1 AND v.week <= %s
    ),
    meeting_tally AS (
        SELECT x.user_id,
            SUM(CASE WHEN x.started = 1 AND x.status IN ({in_counted}) THEN 1 ELSE 0 END)
                AS done,
            SUM(CASE WHEN x.started = 0 OR x.status IS NULL OR x.status IN ({in_counted})
                THEN 1 ELSE 0 END) AS possible
        FROM (
            SELECT e.user_id, CASE WHEN e.starts_at <= %s THEN 1 ELSE 0 END AS started,
                COALESCE(a.status, CASE WHEN ap.id IS NOT NULL THEN %s END) AS status
            FROM expected e
            LEFT JOIN {t["attendance"]} a
                ON a.meeting_id = e.meeting_id AND a.user_id = e.user_id
            LEFT JOIN {t["apology"]} ap
                ON ap.meeting_id = e.meeting_id AND ap.user_id = e.user_id
        ) x
        GROUP BY x.user_id
    ),
    term_assignments AS (
        SELECT a.id, w.number AS week, d.due_at AS term_due
        FROM {t["assignment"]} a JOIN {t["week"]} w ON w.id = a.week_id
        JOIN term_due d ON d.assignment_id = a.id
        WHERE w.term_id = %s
    ),
    verdicts AS (
        SELECT y.user_id, y.assignment_id, y.verdict FROM (
            SELECT sb.user_id, sb.assignment_id, f.verdict, ROW_NUMBER() OVER (
                PARTITION BY sb.user_id, sb.assignment_id
                ORDER BY f.created_at DESC, f.id DESC) AS place
            FROM {t["feedback"]} f
            JOIN {t["version"]} v ON v.id = f.version_id
            JOIN {t["submission"]} sb ON sb.id = v.submission_id
            JOIN term_assignments ta ON ta.id = sb.assignment_id
        ) y WHERE y.place = 1
    ),
    section_in_week AS (
        SELECT z.user_id, z.assignment_id, z.section_id, z.track_id FROM (
            SELECT m.user_id, ta.id AS assignment_id, m.section_id, m.track_id,
                ROW_NUMBER() OVER (
                    PARTITION BY m.user_id, ta.id ORDER BY m.from_week DESC, m.id DESC
                ) AS place
            FROM term_memberships m JOIN term_assignments ta
                ON m.from_week <= ta.week AND COALESCE(m.to_week, ta.week) >= ta.week
        ) z WHERE z.place = 1
    ),
    assignment_rows AS (
        SELECT v.user_id, 1 AS done, 1 AS possible
        FROM verdicts v JOIN people p ON p.user_id = v.user_id
        WHERE v.verdict = %s
        UNION ALL
        SELECT s.user_id, 0 AS done,
            CASE WHEN COALESCE(po.due_at, so.due_at, ta.term_due) <= %s
                AND (NOT EXISTS (
                        SELECT 1 FROM {t["version"]} hv
                        JOIN {t["submission"]} hs ON hs.id = hv.submission_id
                        WHERE hs.assignment_id = ta.id AND hs.user_id = s.user_id)
                    OR v.verdict = %s)
            THEN 0 ELSE 1 END AS possible
        FROM section_in_week s
        JOIN term_assignments ta ON ta.id = s.assignment_id
        LEFT JOIN verdicts v ON v.user_id = s.user_id AND v.assignment_id = ta.id
        LEFT JOIN {t["override"]} po ON po.assignment_id = ta.id AND po.user_id = s.user_id
        LEFT JOIN {t["override"]} so ON so.assignment_id = ta.id AND so.user_id IS NULL
            AND so.section_id = s.section_id
        WHERE (v.verdict IS NULL OR v.verdict <> %s)
        AND (NOT EXISTS (SELECT 1 FROM {t["assignment_tracks"]} seen
                         WHERE seen.assignment_id = ta.id)
             OR EXISTS (SELECT 1 FROM {t["assignment_tracks"]} seen
                        WHERE seen.assignment_id = ta.id AND seen.track_id = s.track_id))
    ),
    assignment_tally AS (
        SELECT user_id, SUM(done) AS done, SUM(possible) AS possible
        FROM assignment_rows GROUP BY user_id
    ),
    quiz_rows AS (
        SELECT r.user_id,
            CASE WHEN EXISTS (
                SELECT 1 FROM {t["attempt"]} tried WHERE tried.quiz_id = q.id
                AND tried.user_id = r.user_id AND tried.max_score > 0
                AND tried.score * 100 >= COALESCE(pm.pass_percent, r.pass_percent) * tried.max_score
            ) THEN 1 ELSE 0 END AS done,
            (SELECT COUNT(*) FROM {t["attempt"]} tried
             WHERE tried.quiz_id = q.id AND tried.user_id = r.user_id) AS used,
            q.max_attempts
        FROM ruled r
        CROSS JOIN {t["quiz"]} q
        JOIN {t["week"]} w ON w.id = q.week_id
        LEFT JOIN {t["pass_mark"]} pm ON pm.quiz_id = q.id
        WHERE w.term_id = %s
        AND (NOT EXISTS (SELECT 1 FROM {t["quiz_tracks"]} qt WHERE qt.quiz_id = q.id)
             OR EXISTS (SELECT 1 FROM {t["quiz_tracks"]} qt
                        WHERE qt.quiz_id = q.id AND qt.track_id = r.track_id))
    ),
    quiz_tally AS (
        SELECT user_id, SUM(done) AS done,
            SUM(CASE WHEN done = 1 OR used < max_attempts THEN 1 ELSE 0 END) AS possible
        FROM quiz_rows GROUP BY user_id
    ),
    responded AS (
        SELECT DISTINCT fr.user_id FROM {t["response"]} fr
        JOIN {t["form"]} ff ON ff.id = fr.form_id WHERE ff.term_id = %s
    ),
    tallied AS (
        SELECT r.user_id, r.min_meetings, r.min_assignments, r.min_quizzes,
            r.feedback_required,
            COALESCE(mt.done, 0) AS m_done,
            CASE WHEN %s = 1 THEN COALESCE(mt.done, 0) ELSE COALESCE(mt.possible, 0) END
                AS m_possible,
            COALESCE(asg.done, 0) AS a_done,
            CASE WHEN %s = 1 THEN COALESCE(asg.done, 0) ELSE COALESCE(asg.possible, 0) END
                AS a_possible,
            COALESCE(qt.done, 0) AS q_done,
            CASE WHEN %s = 1 THEN COALESCE(qt.done, 0) ELSE COALESCE(qt.possible, 0) END
                AS q_possible,
            CASE WHEN rs.user_id IS NULL THEN 0 ELSE 1 END AS responded
        FROM ruled r
        LEFT JOIN meeting_tally mt ON mt.user_id = r.user_id
        LEFT JOIN assignment_tally asg ON asg.user_id = r.user_id
        LEFT JOIN quiz_tally qt ON qt.user_id = r.user_id
        LEFT JOIN responded rs ON rs.user_id = r.user_id
    ),
    judged AS (
        SELECT user_id, CASE
            WHEN m_done >= min_meetings AND a_done >= min_assignments
                AND q_done >= min_quizzes AND (feedback_required = 0 OR responded = 1)
                THEN %s
            WHEN m_possible < min_meetings OR a_possible < min_assignments
                OR q_possible < min_quizzes
                OR (feedback_required = 1 AND responded = 0 AND %s = 0)
                THEN %s
            WHEN (m_done < min_meetings AND m_possible <= min_meetings)
                OR (a_done < min_assignments AND a_possible <= min_assignments)
                OR (q_done < min_quizzes AND q_possible <= min_quizzes)
                THEN %s
            ELSE %s END AS status
        FROM tallied
    )
    """  # noqa: S608 (only table names and placeholders are put in; values are parameters)
    over = 1 if term_over else 0
    params: list[Any] = [
        *rule_params,
        *due_params,
        term.pk,  # term_memberships
        term.pk,
        Role.PARTICIPANT,  # people
        term.pk,
        Role.PARTICIPANT,  # tracked
        weeks,
        weeks,  # covered
        term.pk,
        term.pk,
        weeks,  # expected
        *counted,
        *counted,
        _instant(now),
        AttendanceStatus.EXCUSED.value,  # meeting_tally
        term.pk,  # term_assignments
        FeedbackVerdict.COMPLETE.value,
        _instant(now),
        FeedbackVerdict.NEEDS_REVISION.value,
        FeedbackVerdict.COMPLETE.value,  # assignment_rows
        term.pk,  # quiz_rows
        term.pk,  # responded
        over,
        over,
        over,  # tallied
        ON_TRACK,
        1 if feedback_open_later else 0,
        CANNOT,
        AT_RISK,
        ON_TRACK,  # judged
    ]
    return sql, params


@contextmanager
def without_jit() -> Iterator[None]:
    """A transaction in which PostgreSQL does not JIT-compile: its estimates for the judged
    query are large, and compiling took longer than running it (590 of 1,080 ms at 2,000
    people). Nothing changes on SQLite."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


@dataclass(frozen=True)
class JudgedQuery:
    """The query judging every participant of a term at one moment, ready to be counted,
    filtered by or listed (each use is one query; building it read three)."""

    sql: str
    params: list[Any]

    def ids_with(self, status: str) -> RawSQL:
        """The ids of the participants whose status is ``status``, as a subquery for
        ``filter(pk__in=...)`` (the filter runs in the database, before any paging)."""
        query = f"{self.sql} SELECT user_id FROM judged WHERE status = %s"  # noqa: S608
        return RawSQL(query, [*self.params, status])  # noqa: S611 (values are parameters)

    def counts(self) -> dict[str, int]:
        """How many participants have each status (every status, zero included)."""
        counts = dict.fromkeys(STATUS_LABELS, 0)
        query = f"{self.sql} SELECT status, COUNT(*) FROM judged GROUP BY status"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(query, self.params)
            for status, number in cursor.fetchall():
                counts[status] = number
        return counts

    def tallies(self) -> dict[int, tuple[int, ...]]:
        """Every participant's (meetings done, possible, assignments done, possible, quizzes
        done, possible), for the tests that compare them with ``term_progress``'s."""
        query = (
            f"{self.sql} SELECT user_id, m_done, m_possible, a_done, a_possible, q_done, "  # noqa: S608
            "q_possible FROM tallied"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, self.params)
            return {row[0]: tuple(int(value) for value in row[1:]) for row in cursor.fetchall()}

    def statuses(self) -> dict[int, str]:
        """Every participant's status by id (for the tests that compare it)."""
        with connection.cursor() as cursor:
            cursor.execute(f"{self.sql} SELECT user_id, status FROM judged", self.params)  # noqa: S608
            return dict(cursor.fetchall())


def judged_query(*, term: Term, now: dt.datetime | None = None) -> JudgedQuery:
    """Every participant of ``term`` judged as ``term_progress`` judges them at ``now``."""
    sql, params = _judged_sql(term, now or timezone.now())
    return JudgedQuery(sql, params)


# The organizers' overview panel ---------------------------------------------------------

PANEL_PREFIX = "progress-"
STATUS_FILTER = "completion"  # ?completion=on_track|at_risk|cannot
PANEL_COLUMNS = [
    Column("person", "Person", ("name", "email")),
    Column("section", "Section", ("section_name", "name", "email")),
    Column("status", "Completion"),
    Column("meetings", "Meetings"),
    Column("assignments", "Assignments"),
    Column("quizzes", "Quizzes"),
]


@dataclass
class ProgressPanel:
    """The counts per status (everyone's, from the database), one page of people (searched,
    filtered by status and sorted in the database) and the shown people's progress."""

    table: TablePage[User]
    rows: list[Progress]
    counts: dict[str, int]
    wanted: str
    filters: list[tuple[str, str, int, FilterLink]]
    everyone: FilterLink

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def participants(*, term: Term) -> QuerySet[User]:
    """Everyone ``term_progress`` judges: the people in a section of the term and the term's
    participants without one yet."""
    in_sections = SectionMembership.objects.filter(section__term=term).values("user_id")
    enrolled = Membership.objects.filter(term=term, role=Role.PARTICIPANT).values("user_id")
    return User.objects.filter(Q(pk__in=in_sections) | Q(pk__in=enrolled))


def progress_panel(
    *, term: Term, request: HttpRequest, now: dt.datetime | None = None
) -> ProgressPanel:
    """What the overview's completion panel shows, in a fixed number of queries whatever the
    number of participants: only the page's fifty people are read and judged in Python."""
    now = now or timezone.now()
    wanted = request.GET.get(STATUS_FILTER, "")
    if wanted not in STATUS_LABELS:
        wanted = ""
    people: QuerySet[User] = participants(term=term).annotate(
        section_name=Subquery(
            SectionMembership.objects.filter(section__term=term, user_id=OuterRef("pk"))
            .order_by("-from_week", "-id")
            .values("section__name")[:1]
        )
    )
    judged = judged_query(term=term, now=now)
    if wanted:
        people = people.filter(pk__in=judged.ids_with(wanted))
    with without_jit():
        table = table_page(
            request,
            people,
            columns=PANEL_COLUMNS,
            default_sort="person",
            search_fields=("name", "email"),
            prefix=PANEL_PREFIX,
        )
        counts = judged.counts()
    shown = [person.pk for person in table.rows]
    progress = term_progress(term=term, now=now, user_ids=shown).progress if shown else {}
    links = table.filter_links(STATUS_FILTER, [("", "Everyone"), *STATUS_LABELS.items()])
    return ProgressPanel(
        table=table,
        rows=[progress[pk] for pk in shown if pk in progress],
        counts=counts,
        wanted=wanted,
        filters=[
            (status, label, counts[status], link)
            for (status, label), link in zip(STATUS_LABELS.items(), links[1:], strict=True)
        ],
        everyone=links[0],
    )
