"""The database's verdict (``standing``) is ``term_progress``'s, person by person, on a varied
term: two tracks with rules of their own, switches and overlapping memberships, visits,
apologies, excused absences counted or not, extensions, reviews both ways, quizzes with pass
marks and attempts, feedback, a person in no section, during the term and after it."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest

from cohortkit.accounts.models import Role
from cohortkit.common.timezones import wall_clock_to_instant
from cohortkit.completion import services, standing
from cohortkit.completion.models import FeedbackResponse, QuizPassMark
from cohortkit.completion.selectors import term_progress
from cohortkit.completion.tests.helpers import AFTER_THE_TERM, week_of
from cohortkit.coursework.due import term_due_at
from cohortkit.coursework.models import (
    DueDateOverride,
    Feedback,
    Submission,
    SubmissionVersion,
)
from cohortkit.programs.models import Assignment, Quiz, Track
from cohortkit.quizzes.models import Attempt
from cohortkit.sections.models import (
    Apology,
    Attendance,
    Meeting,
    Section,
    SectionMembership,
    SectionVisit,
)
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _advanced_section(term: Any, facilitator: Any) -> Section:
    advanced = Track.objects.get(term=term, slug="advanced")
    section = Section.objects.create(
        term=term,
        track=advanced,
        name="Advanced C",
        facilitator=facilitator,
        meeting_url="https://meet.example.org/c",
        weekday=3,
        start_time=dt.time(9, 0),
        time_zone="Asia/Tokyo",
    )
    for week in range(1, term.week_count + 1):
        day = term.week_starts_on(week) + dt.timedelta(days=section.weekday)
        starts_at = wall_clock_to_instant(day, section.start_time, section.time_zone)
        Meeting.objects.create(
            section=section,
            week=week,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=section.duration_minutes),
        )
    return section


def _varied_term(term: Any, people: dict[str, Any], sections: dict[str, Any]) -> None:
    """Forty participants, each with a random share of everything that moves a verdict."""
    chance = random.Random(15)
    organizer, facilitator = people["organizer"], people["facilitator"]
    advanced = Track.objects.get(term=term, slug="advanced")
    intro = Track.objects.get(term=term, slug="intro")
    all_sections = [sections["a"], sections["b"], _advanced_section(term, facilitator)]
    homework = []
    for number in range(1, 6):
        assignment = Assignment.objects.create(
            week=week_of(term, number), title=f"Assignment {number}", prompt="Why?", minutes=30
        )
        if number == 5:
            assignment.tracks.set([advanced])  # the introductory track does not see it
        homework.append(assignment)
    quizzes = []
    for number in (2, 3, 6):
        quiz = Quiz.objects.create(
            week=week_of(term, number), title=f"Quiz {number}", max_attempts=2 if number else 1
        )
        if number == 6:
            quiz.tracks.set([intro])
        quizzes.append(quiz)
    QuizPassMark.objects.create(quiz=quizzes[0], pass_percent=50)
    services.completion_rule_set(
        term=term,
        actor=organizer,
        values={"min_meetings": 5, "min_assignments": 2, "min_quizzes": 1},
    )
    services.completion_rule_set(
        term=term,
        actor=organizer,
        values={
            "min_meetings": 6,
            "min_assignments": 3,
            "min_quizzes": 2,
            "quiz_pass_percent": 80,
            "feedback_required": True,
        },
        track=advanced,
    )
    DueDateOverride.objects.create(
        assignment=homework[1],
        section=sections["a"],
        due_at=term_due_at(homework[1]) + dt.timedelta(days=30),
        created_by=organizer,
    )
    form = services.feedback_form_default(term=term)
    meetings = {(m.section_id, m.week): m for m in Meeting.objects.filter(section__term=term)}
    people_here = [people["participant"]]
    for number in range(40):
        user = UserFactory(name=f"Person {number:02}")
        MembershipFactory(term=term, user=user, role=Role.PARTICIPANT)
        people_here.append(user)
    nobody_section = UserFactory(name="Person in no section")
    MembershipFactory(term=term, user=nobody_section, role=Role.PARTICIPANT)
    for index, user in enumerate(people_here[1:]):
        first = all_sections[index % 3]
        kind = chance.random()
        if kind < 0.15:  # switched section in week 4
            SectionMembership.objects.create(section=first, user=user, from_week=1, to_week=3)
            SectionMembership.objects.create(
                section=all_sections[(index + 1) % 3], user=user, from_week=4
            )
        elif kind < 0.25:  # two memberships covering the same weeks
            SectionMembership.objects.create(section=first, user=user, from_week=1)
            SectionMembership.objects.create(
                section=all_sections[(index + 2) % 3], user=user, from_week=3, to_week=5
            )
        elif kind < 0.3:  # joined late
            SectionMembership.objects.create(section=first, user=user, from_week=3)
        else:
            SectionMembership.objects.create(section=first, user=user, from_week=1)
    for user in people_here:
        own = {
            (membership.from_week, membership.to_week or term.week_count): membership.section_id
            for membership in SectionMembership.objects.filter(user=user)
        }
        for week in range(1, term.week_count + 1):
            section_ids = [sid for (low, high), sid in own.items() if low <= week <= high]
            if not section_ids:
                continue
            meeting = meetings[(section_ids[-1], week)]
            roll = chance.random()
            if roll < 0.08:
                other = all_sections[chance.randrange(3)]
                meeting = meetings[(other.pk, week)]
                SectionVisit.objects.create(
                    user=user, meeting=meeting, term=term, week=week, created_at=meeting.starts_at
                )
            status = chance.choice(["present"] * 5 + ["absent", "excused", None])
            if status is not None:
                Attendance.objects.create(
                    meeting=meeting,
                    user=user,
                    status=status,
                    recorded_by=facilitator,
                    recorded_at=meeting.ends_at,
                )
            if chance.random() < 0.1:
                Apology.objects.create(
                    meeting=meeting, user=user, reason="Ill", created_at=meeting.starts_at
                )
        for assignment in homework:
            roll = chance.random()
            if roll < 0.1:
                DueDateOverride.objects.create(
                    assignment=assignment,
                    user=user,
                    due_at=term_due_at(assignment) + dt.timedelta(days=chance.choice([3, 60])),
                    created_by=organizer,
                )
            if roll < 0.3:
                continue
            due = term_due_at(assignment)
            submitted_at = due + dt.timedelta(days=chance.choice([-2, 1]))
            submission = Submission.objects.create(
                assignment=assignment, user=user, status="submitted"
            )
            version = SubmissionVersion.objects.create(
                submission=submission,
                number=1,
                body_markdown="An answer.",
                body_html="<p>An answer.</p>",
                submitted_at=submitted_at,
                due_at=due,
                due_source="term",
                is_late=submitted_at > due,
            )
            for step, verdict in enumerate(
                chance.choice(
                    [[], ["complete"], ["needs_revision"], ["needs_revision", "complete"]]
                )
            ):
                Feedback.objects.create(
                    version=version,
                    facilitator=facilitator,
                    verdict=verdict,
                    comment="Say more." if verdict == "needs_revision" else "",
                    created_at=submitted_at + dt.timedelta(days=1 + step),
                )
        for quiz in quizzes:
            for number in range(1, chance.choice([0, 1, 1, 2]) + 1):
                due = term_due_at(quiz)
                Attempt.objects.create(
                    quiz=quiz,
                    user=user,
                    number=number,
                    submit_token=f"t-{quiz.pk}-{user.pk}-{number}",
                    submitted_at=due - dt.timedelta(days=1),
                    due_at=due,
                    due_source="term",
                    score=chance.choice([0, 1, 2, 3, 4]),
                    max_score=4,
                )
        if chance.random() < 0.5:
            FeedbackResponse.objects.create(form=form, user=user, submitted_at=form.opens_at)
    # Expected in section B in weeks 3-5 (the later membership), absent there, though section A
    # recorded them present: only B's meetings count.
    overlap = UserFactory(name="Person in two sections")
    MembershipFactory(term=term, user=overlap, role=Role.PARTICIPANT)
    SectionMembership.objects.create(section=sections["a"], user=overlap, from_week=1)
    SectionMembership.objects.create(section=sections["b"], user=overlap, from_week=3, to_week=5)
    for week in range(1, term.week_count + 1):
        for section, status in ((sections["a"], "present" if week <= 5 else "absent"),) + (
            ((sections["b"], "absent"),) if 3 <= week <= 5 else ()
        ):
            meeting = meetings[(section.pk, week)]
            Attendance.objects.create(
                meeting=meeting,
                user=overlap,
                status=status,
                recorded_by=facilitator,
                recorded_at=meeting.ends_at,
            )


def _python_verdicts(term: Any, now: dt.datetime) -> tuple[dict[int, str], dict[int, tuple]]:
    progress = term_progress(term=term, now=now).progress
    tallies = {
        pk: tuple(
            number
            for tally in (item.meetings, item.assignments, item.quizzes)
            for number in (tally.done, tally.possible)
        )
        for pk, item in progress.items()
    }
    return {pk: item.status for pk, item in progress.items()}, tallies


@pytest.mark.parametrize("excused_counts", [True, False])
def test_the_database_judges_everyone_as_term_progress_does(term, people, sections, excused_counts):
    _varied_term(term, people, sections)
    services.completion_rule_set(
        term=term, actor=people["organizer"], values={"excused_counts": excused_counts}
    )
    moments = [
        term.week_starts_on(1) - dt.timedelta(days=3),
        dt.datetime.combine(term.week_starts_on(4), dt.time(12, 0), tzinfo=dt.UTC),
        dt.datetime.combine(term.week_starts_on(7), dt.time(20, 0), tzinfo=dt.UTC),
        AFTER_THE_TERM,
    ]
    seen: Counter[str] = Counter()
    for now in moments:
        if isinstance(now, dt.date) and not isinstance(now, dt.datetime):
            now = dt.datetime.combine(now, dt.time(0, 0), tzinfo=dt.UTC)
        expected, tallies = _python_verdicts(term, now)

        judged = standing.judged_query(term=term, now=now)

        assert judged.tallies() == tallies, now
        assert judged.statuses() == expected, now
        assert judged.counts() == {
            status: sum(1 for value in expected.values() if value == status)
            for status in ("on_track", "at_risk", "cannot")
        }
        seen.update(expected.values())
    # The term is varied enough for the comparison to mean something.
    assert seen["on_track"] and seen["at_risk"] and seen["cannot"]
