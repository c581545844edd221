"""The demo's running term: in its third week on the day the demo is loaded.

Everything goes through the services a real term uses — applications imported, decisions
released and confirmed, sections solved and published, attendance recorded, homework submitted
and reviewed, quizzes taken — with the moment of each step set in the past, so every page of the
weeks of the term has something real to show. ``participant@example.org`` and
``facilitator@example.org`` are in one section together.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from cohortkit.accounts.models import Role, User
from cohortkit.accounts.services import membership_grant
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    ApplicationStatus,
    Enrollment,
    EnrollmentStatus,
)
from cohortkit.admissions.services.importing import ImportRow, applications_import
from cohortkit.admissions.services.loading_forms import application_forms_load
from cohortkit.common.timezones import ANYWHERE_ON_EARTH, end_of_day, wall_clock_to_instant
from cohortkit.demo.applications import FORMS_FILE, _answers
from cohortkit.demo.population import demo_population_generate
from cohortkit.demo.terms import DATA_DIRECTORY, FALL_2022_FILE, TERM_WEEKS, season_of
from cohortkit.programs.models import Assignment, Quiz, Term, Track
from cohortkit.programs.term_loader import term_load_with_summary

PARTICIPANTS = 60
FACILITATORS = 10
DEMO_AVAILABILITY = "Mon 17:00-21:00; Tue 17:00-21:00; Wed 17:00-21:00; Thu 17:00-21:00"


@dataclass(frozen=True)
class RunningTermSummary:
    term: Term
    created: bool
    sections: int
    participants: int


def running_term_dates(today: dt.date) -> tuple[dt.date, dt.date]:
    """A Monday start two weeks before this week's Monday, so today falls in week 3."""
    this_monday = today - dt.timedelta(days=today.weekday())
    starts_on = this_monday - dt.timedelta(weeks=2)
    return starts_on, starts_on + dt.timedelta(weeks=TERM_WEEKS, days=-3)


def _term(today: dt.date) -> Term:
    starts_on, ends_on = running_term_dates(today)
    season = season_of(starts_on)
    overrides: dict[str, object] = {
        "slug": f"ml-safety-{season}-{starts_on.year}-running",
        "name": f"{season.capitalize()} {starts_on.year} (running)",
        "starts_on": starts_on,
        "ends_on": ends_on,
        "deadline_time_zone": ANYWHERE_ON_EARTH,
        "participant_deadline": starts_on - dt.timedelta(days=12),
        "facilitator_deadline": starts_on - dt.timedelta(days=14),
        "is_published": True,
    }
    return term_load_with_summary(
        text=FALL_2022_FILE.read_text(encoding="utf-8"),
        base_directory=DATA_DIRECTORY,
        overrides=overrides,
    ).term


def _demo_answers(kind: str) -> dict[str, str]:
    common = {
        "mode": "virtual",
        "university": "",
        "time_zone": "America/Los_Angeles",
        "availability": DEMO_AVAILABILITY,
    }
    if kind == "facilitator":
        return common | {
            "deep_learning_background": "I teach the deep learning course at my university.",
            "ai_safety_background": "I facilitated AGI Safety Fundamentals twice.",
            "tracks": "intro\nadvanced",
            "sections": "2",
            "website": "",
        }
    return common | {
        "student": "graduate",
        "affiliation": "",
        "deep_learning": "yes",
        "linear_algebra_statistics": "yes",
        "multivariate_calculus": "some",
        "background_level": "-0.5",
        "track": "intro",
        "us_work_eligibility": "yes",
        "motivation": "I want to understand how to make ML systems safe.",
        "commitment": "yes",
    }


def _apply(term: Term, starts_at: dt.datetime) -> None:
    """Applications from part of the synthetic population and the two demo accounts."""
    if not ApplicationForm.objects.filter(term=term).exists():
        application_forms_load(term=term, text=FORMS_FILE.read_text(encoding="utf-8"))
    people = demo_population_generate()
    users = {user.email: user for user in User.objects.filter(email__in=[p.email for p in people])}
    randomizer = random.Random(2026)
    submitted_at = starts_at - dt.timedelta(days=20)
    for kind, count in (("participant", PARTICIPANTS), ("facilitator", FACILITATORS)):
        form = ApplicationForm.objects.get(term=term, kind=kind)
        chosen = [p for p in people if p.kind == kind and p.email in users][:count]
        rows = [ImportRow(users[p.email], _answers(p, randomizer), submitted_at) for p in chosen]
        demo_email = f"{kind}@example.org"
        demo_user = User.objects.get(email=demo_email)
        rows.append(ImportRow(demo_user, _demo_answers(kind), submitted_at))
        applications_import(form=form, rows=rows)


def _admit(term: Term, organizer: User, released_at: dt.datetime) -> None:
    """Accept everyone into the track they asked for, release, and confirm at once."""
    from cohortkit.admissions.services.confirming import enrollment_confirm
    from cohortkit.admissions.services.deciding import decision_stage, decisions_release

    tracks = {track.slug: track for track in Track.objects.filter(term=term)}
    for form in ApplicationForm.objects.filter(term=term):
        form.confirmation_deadline = released_at + dt.timedelta(days=5)
        form.save(update_fields=["confirmation_deadline"])
        applications = Application.objects.filter(
            form=form, status=ApplicationStatus.SUBMITTED
        ).prefetch_related("answers__question")
        for application in applications:
            answers = {a.question.key: a.value for a in application.answers.all()}
            wanted = answers.get("track") or (answers.get("tracks") or ["intro"])[0]
            decision_stage(
                application=application,
                outcome="accept",
                actor=organizer,
                track=tracks.get(str(wanted)) or next(iter(tracks.values())),
                now=released_at,
            )
        decisions_release(form=form, actor=organizer, now=released_at)
    for enrollment in Enrollment.objects.filter(term=term, status=EnrollmentStatus.OFFERED):
        enrollment_confirm(
            enrollment=enrollment,
            user=enrollment.user,
            now=released_at + dt.timedelta(hours=3),
        )


def _schedule(term: Term, organizer: User) -> None:
    """Solve with the demo facilitator's section locked around the demo participant, and publish.

    Locking is what a re-solve does with published sections; here it keeps the two demo accounts
    together whatever the solver does with everyone else.
    """
    from cohortkit.scheduling.people import facilitator_id, participant_id
    from cohortkit.scheduling.selectors.instances import instance_build
    from cohortkit.scheduling.services.publishing import run_publish
    from cohortkit.scheduling.services.runs import schedule_run_create, schedule_run_execute
    from cohortkit.scheduling.solver import instance_to_json

    data = instance_to_json(instance_build(term=term))
    facilitator = User.objects.get(email="facilitator@example.org")
    participant = User.objects.get(email="participant@example.org")
    person = next(p for p in data["participants"] if p["id"] == participant_id(participant.pk))
    data["locked"] = [
        {
            "facilitator": facilitator_id(facilitator.pk),
            "start": person["available"][0][0],
            "track": person["track"],
            "location": None,
            "participants": [person["id"]],
        }
    ]
    run = schedule_run_create(term=term, actor=organizer, time_limit_seconds=10, instance_data=data)
    # The demo solves now rather than waiting for a worker; the task queued on commit finds the
    # run already claimed and does nothing.
    schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    run_publish(run=run, actor=organizer)


def _weeks_of_work(term: Term, now: dt.datetime) -> None:
    """Attendance, homework, reviews and quizzes for the meetings and due dates already past."""
    from cohortkit.coursework.services import feedback_give, item_tick, submission_submit
    from cohortkit.quizzes.grading import NumberKey
    from cohortkit.quizzes.models import Question
    from cohortkit.quizzes.services import attempt_submit, question_add, question_update
    from cohortkit.sections.attendance import Mark, attendance_record
    from cohortkit.sections.models import Meeting, Section, SectionMembership

    randomizer = random.Random(7)
    organizer = User.objects.get(email="organizer@example.org")
    for quiz in Quiz.objects.filter(week__term=term, week__number__lte=3):
        if not Question.objects.filter(quiz=quiz).exists():
            question = question_add(
                quiz=quiz,
                actor=organizer,
                kind="numeric",
                prompt=(
                    "A model's log-odds for the right class drop from 2.0 to 0.5 under an "
                    "adversarial perturbation. What is the change in log-odds?"
                ),
            )
            question_update(
                question=question,
                actor=organizer,
                prompt=question.prompt,
                points=1,
                numbers=[NumberKey(value=Decimal("-1.5"), tolerance=Decimal("0.01"))],
            )
    sections = list(Section.objects.filter(term=term).select_related("facilitator"))
    for section in sections:
        members = [
            membership.user
            for membership in SectionMembership.objects.filter(section=section).select_related(
                "user"
            )
        ]
        for meeting in Meeting.objects.filter(section=section, ends_at__lte=now).order_by("week"):
            marks = {}
            for member in members:
                roll = randomizer.random()
                status = "present" if roll < 0.82 else "excused" if roll < 0.9 else "absent"
                if member.email == "participant@example.org":
                    status = "present"
                marks[member.pk] = Mark(status=status)
            if marks:
                attendance_record(
                    meeting=meeting, actor=section.facilitator, marks=marks, now=meeting.ends_at
                )
        for member in members:
            for assignment in Assignment.objects.filter(week__term=term, week__number__lte=2):
                if not assignment.tracks.filter(pk=section.track_id).exists():
                    continue
                if member.email != "participant@example.org" and randomizer.random() < 0.12:
                    continue  # some homework is missing, as in any real term
                late = randomizer.random() < 0.1
                moment = end_of_day(
                    term.week_starts_on(assignment.week.number), term.time_zone
                ) + dt.timedelta(days=assignment.due_days_after_week_start + (1 if late else -1))
                submitted = submission_submit(
                    assignment=assignment,
                    user=member,
                    body_markdown=(
                        f"## {assignment.title}\n\nMy answer, in a few paragraphs, with a "
                        "reference to this week's reading."
                    ),
                    now=min(moment, now),
                )
                if randomizer.random() < 0.7 or member.email == "participant@example.org":
                    verdict = "complete" if randomizer.random() < 0.8 else "needs_revision"
                    feedback_give(
                        version=submitted.version,
                        facilitator=section.facilitator,
                        verdict=verdict,
                        comment="Clear argument; connect it to the week's lecture next time."
                        if verdict == "needs_revision"
                        else "Thoughtful answer.",
                        now=min(moment + dt.timedelta(days=1), now),
                    )
            for quiz in Quiz.objects.filter(week__term=term, week__number__lte=2):
                first_question = Question.objects.filter(quiz=quiz).first()
                if first_question is None or randomizer.random() < 0.15:
                    continue
                answer = "-1.5" if randomizer.random() < 0.75 else "1.5"
                attempt_submit(
                    quiz=quiz,
                    user=member,
                    answers={first_question.pk: answer},
                    submit_token=f"demo-{quiz.pk}-{member.pk}",
                    now=min(
                        end_of_day(term.week_starts_on(quiz.week.number), term.time_zone)
                        + dt.timedelta(days=2),
                        now,
                    ),
                )
            for lecture in term.weeks.get(number=1).lectures.all():
                item_tick(user=member, item=lecture, now=now)


def demo_running_term_load(*, today: dt.date, now: dt.datetime) -> RunningTermSummary:
    """Load the running term once; loading again on the same day changes nothing."""
    from cohortkit.sections.models import Section

    term = _term(today)
    organizer = User.objects.get(email="organizer@example.org")
    if Section.objects.filter(term=term).exists():
        return RunningTermSummary(term, False, Section.objects.filter(term=term).count(), 0)
    for email, role in (
        ("organizer@example.org", Role.ORGANIZER),
        ("reviewer@example.org", Role.REVIEWER),
    ):
        membership_grant(term=term, user=User.objects.get(email=email), role=role, actor=None)
    starts_at = wall_clock_to_instant(term.starts_on, dt.time(0, 0), term.time_zone)
    _apply(term, starts_at)
    _admit(term, organizer, released_at=starts_at - dt.timedelta(days=9))
    _schedule(term, organizer)
    _weeks_of_work(term, now)
    participants = Enrollment.objects.filter(
        term=term, role="participant", status=EnrollmentStatus.CONFIRMED
    ).count()
    return RunningTermSummary(term, True, Section.objects.filter(term=term).count(), participants)
