"""The demo's finished Fall 2022 term: applications, decisions, sections that met, attendance,
homework, quizzes, end-of-course feedback, completions confirmed (with one override) and
certificates issued (one revoked).

Every step goes through the services a real term uses, with the moment of each set in 2022.
``participant@example.org`` completes and holds a certificate; ``facilitator@example.org`` led a
section and holds a certificate of facilitation. Loading again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from cohortkit.accounts.models import User
from cohortkit.admissions.models import ApplicationForm
from cohortkit.admissions.services.importing import ImportRow, applications_import
from cohortkit.admissions.services.loading_forms import application_forms_load
from cohortkit.common.timezones import end_of_day, wall_clock_to_instant
from cohortkit.completion.models import Completion
from cohortkit.demo.applications import FORMS_FILE, _answers
from cohortkit.demo.population import demo_population_generate
from cohortkit.programs.models import Assignment, Quiz, Term

PARTICIPANTS = 15
FACILITATORS = 2
# The finished term's rule: the reference course's numbers.
RULE = {
    "min_meetings": 7,
    "excused_counts": False,
    "min_assignments": 6,
    "min_quizzes": 5,
    "quiz_pass_percent": 60,
    "feedback_required": True,
    "facilitator_certificates": True,
}
CONFIRMED_ON = dt.datetime(2022, 11, 25, 17, 0, tzinfo=dt.UTC)
REVOKED_REASON = "Issued in error: the homework of weeks 6-8 was copied from another participant."


@dataclass(frozen=True)
class FinishedTermSummary:
    term: Term
    created: bool
    completed: int
    certificates: int


def _apply(term: Term, submitted_at: dt.datetime) -> None:
    from cohortkit.demo.running import _demo_answers

    if not ApplicationForm.objects.filter(term=term).exists():
        application_forms_load(term=term, text=FORMS_FILE.read_text(encoding="utf-8"))
    people = demo_population_generate()
    users = {user.email: user for user in User.objects.filter(email__in=[p.email for p in people])}
    randomizer = random.Random(2022)
    for kind, count in (("participant", PARTICIPANTS), ("facilitator", FACILITATORS)):
        form = ApplicationForm.objects.get(term=term, kind=kind)
        # Other people than the running term's, so the two terms do not look alike.
        chosen = [p for p in people if p.kind == kind and p.email in users][-count:]
        # Everyone free on weekday evenings in one zone, so every one of them gets a section.
        shared = {
            key: value
            for key, value in _demo_answers(kind).items()
            if key in ("mode", "university", "time_zone", "availability", "tracks", "sections")
        }
        rows = [
            ImportRow(users[p.email], _answers(p, randomizer) | shared, submitted_at)
            for p in chosen
        ]
        demo_user = User.objects.get(email=f"{kind}@example.org")
        rows.append(ImportRow(demo_user, _demo_answers(kind), submitted_at))
        applications_import(form=form, rows=rows)


def _questions(term: Term, organizer: User) -> None:
    from cohortkit.quizzes.grading import NumberKey
    from cohortkit.quizzes.models import Question
    from cohortkit.quizzes.services import question_add, question_update

    for quiz in Quiz.objects.filter(week__term=term):
        if Question.objects.filter(quiz=quiz).exists():
            continue
        for prompt, value in (
            ("A model's log-odds fall from 2.0 to 0.5 under attack. By how much?", "1.5"),
            ("How many of 200 inputs are flagged at a 5 % false-positive rate, at most?", "10"),
        ):
            question = question_add(quiz=quiz, actor=organizer, kind="numeric", prompt=prompt)
            question_update(
                question=question,
                actor=organizer,
                prompt=prompt,
                points=1,
                numbers=[NumberKey(value=Decimal(value), tolerance=Decimal("0.01"))],
            )


# How each demo participant did: the share of meetings, homework and quizzes they managed.
DILIGENT, WOBBLY, DROPPED_OUT = "diligent", "wobbly", "dropped out"


def _profile(user: User, index: int) -> str:
    if user.email == "participant@example.org":
        return DILIGENT
    return {3: WOBBLY, 7: DROPPED_OUT, 11: WOBBLY}.get(index, DILIGENT)


def _weeks_of_work(term: Term, organizer: User) -> dict[str, User]:
    """Attendance, homework and reviews, quizzes and feedback for all eight weeks; returns the
    people chosen for the override and the revoked certificate."""
    from cohortkit.completion.services import feedback_form_default, feedback_submit
    from cohortkit.coursework.services import feedback_give, submission_submit
    from cohortkit.quizzes.models import Question
    from cohortkit.quizzes.services import attempt_submit
    from cohortkit.sections.attendance import Mark, attendance_record
    from cohortkit.sections.models import Meeting, Section, SectionMembership

    randomizer = random.Random(11)
    form = feedback_form_default(term=term, actor=organizer)
    roles: dict[str, User] = {}
    index = 0
    for section in Section.objects.filter(term=term).select_related("facilitator", "track"):
        members = [
            membership.user
            for membership in SectionMembership.objects.filter(section=section)
            .select_related("user")
            .order_by("user__name", "user_id")
        ]
        profiles = {}
        for member in members:
            profiles[member.pk] = _profile(member, index)
            index += 1
        for meeting in Meeting.objects.filter(section=section).order_by("week"):
            marks = {}
            for member in members:
                profile = profiles[member.pk]
                if profile == DROPPED_OUT and meeting.week >= 4:
                    status = "absent"
                elif profile == WOBBLY and meeting.week in (3, 6):
                    status = "excused" if meeting.week == 3 else "absent"
                else:
                    status = "present" if randomizer.random() < 0.97 else "excused"
                if member.email == "participant@example.org":
                    status = "present"
                marks[member.pk] = Mark(status=status)
            if marks:
                attendance_record(
                    meeting=meeting, actor=section.facilitator, marks=marks, now=meeting.ends_at
                )
        assignments = [
            assignment
            for assignment in Assignment.objects.filter(week__term=term).order_by("week__number")
            if not assignment.tracks.exists()
            or assignment.tracks.filter(pk=section.track_id).exists()
        ]
        quizzes = [
            quiz
            for quiz in Quiz.objects.filter(week__term=term).order_by("week__number")
            if not quiz.tracks.exists() or quiz.tracks.filter(pk=section.track_id).exists()
        ]
        for member in members:
            profile = profiles[member.pk]
            for assignment in assignments:
                week = assignment.week.number
                if profile == DROPPED_OUT and week >= 4:
                    continue
                if profile == WOBBLY and week in (6, 7):
                    continue
                moment = end_of_day(term.week_starts_on(week), term.time_zone) + dt.timedelta(
                    days=assignment.due_days_after_week_start - 1
                )
                submitted = submission_submit(
                    assignment=assignment,
                    user=member,
                    body_markdown=f"## {assignment.title}\n\nMy answer, with the week's reading.",
                    now=moment,
                )
                feedback_give(
                    version=submitted.version,
                    facilitator=section.facilitator,
                    verdict="complete",
                    comment="Thoughtful answer.",
                    now=moment + dt.timedelta(days=2),
                )
            for quiz in quizzes:
                week = quiz.week.number
                if profile == DROPPED_OUT and week >= 4:
                    continue
                questions = list(Question.objects.filter(quiz=quiz).order_by("position", "id"))
                right = profile == DILIGENT or week % 2 == 0
                attempt_submit(
                    quiz=quiz,
                    user=member,
                    answers={
                        questions[0].pk: "1.5",
                        questions[1].pk: "10" if right else "20",
                    },
                    submit_token=f"demo-{quiz.pk}-{member.pk}",
                    now=end_of_day(term.week_starts_on(week), term.time_zone)
                    + dt.timedelta(days=2),
                )
            if profile != DROPPED_OUT:
                overall = "5" if profile == DILIGENT else "3"
                feedback_submit(
                    form=form,
                    user=member,
                    raw_answers={
                        "overall": overall,
                        "lectures": randomizer.choice(["4", "5"]),
                        "readings": randomizer.choice(["3", "4", "5"]),
                        "section": randomizer.choice(["4", "5"]),
                        "facilitator": randomizer.choice(["4", "5"]),
                        "best": "The discussions in my section made the readings click.",
                        "change": randomizer.choice(
                            [
                                "More time for the written assignments.",
                                "",
                                "Fewer readings in week 5.",
                            ]
                        ),
                    },
                    now=form.opens_at + dt.timedelta(days=3),
                )
            if profile == WOBBLY and "override" not in roles:
                roles["override"] = member
            elif profile == DILIGENT and member.email != "participant@example.org":
                roles.setdefault("revoked", member)
    return roles


def demo_finished_term_load(*, term: Term) -> FinishedTermSummary:
    """Make the finished term real, once; loading again changes nothing."""
    from cohortkit.certificates.models import Certificate
    from cohortkit.certificates.services import certificate_issue, certificate_revoke
    from cohortkit.completion.services import (
        completion_confirm,
        completion_override_set,
        completion_rule_set,
    )
    from cohortkit.demo.running import _admit, _schedule
    from cohortkit.sections.models import Section

    if Section.objects.filter(term=term).exists():
        return FinishedTermSummary(
            term,
            False,
            Completion.objects.filter(term=term, completed=True).count(),
            Certificate.objects.filter(term=term).count(),
        )
    organizer = User.objects.get(email="organizer@example.org")
    starts_at = wall_clock_to_instant(term.starts_on, dt.time(0, 0), term.time_zone)
    _apply(term, submitted_at=starts_at - dt.timedelta(days=20))
    _admit(term, organizer, released_at=starts_at - dt.timedelta(days=4))
    _schedule(term, organizer)
    _questions(term, organizer)
    completion_rule_set(term=term, actor=organizer, values=RULE, now=starts_at)
    roles = _weeks_of_work(term, organizer)
    if "override" in roles:
        completion_override_set(
            term=term,
            user=roles["override"],
            actor=organizer,
            completes=True,
            reason="Missed week 6 for a family emergency and made up both assignments in writing.",
            now=CONFIRMED_ON - dt.timedelta(hours=1),
        )
    summary = completion_confirm(term=term, actor=organizer, now=CONFIRMED_ON)
    issued = 0
    for completion in summary.newly_completed:
        user = completion.user
        name = "Pat Q. Participant" if user.email == "participant@example.org" else user.name
        certificate = certificate_issue(
            term=term,
            user=user,
            role="participant",
            holder_name=name,
            now=CONFIRMED_ON + dt.timedelta(days=1),
        )
        issued += 1
        if roles.get("revoked") == user:
            certificate_revoke(
                certificate=certificate,
                actor=organizer,
                reason=REVOKED_REASON,
                now=CONFIRMED_ON + dt.timedelta(days=20),
            )
    for section in Section.objects.filter(term=term).select_related("facilitator"):
        facilitator = section.facilitator
        if facilitator is None:
            continue
        if not Certificate.objects.filter(term=term, user=facilitator, role="facilitator").exists():
            certificate_issue(
                term=term,
                user=facilitator,
                role="facilitator",
                holder_name=facilitator.name or facilitator.email,
                now=CONFIRMED_ON + dt.timedelta(days=1),
            )
            issued += 1
    return FinishedTermSummary(term, True, len(summary.newly_completed), issued)
