"""The generated term of ``make bench-pages``: 10,000 participant and 800 facilitator applicants
with the real form's answers, reviews, released decisions, 1,250 sections with weekly meetings,
eight weeks of attendance and homework, all by bulk inserts (see ``cohortkit.bench.pages``)."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMS_FILE = Path(__file__).resolve().parents[1] / "admissions" / "data" / "ml-safety-forms.yaml"
BATCH = 5000
GOAL_SECONDS = 0.3

PARTICIPANT_ANSWERS = {
    "student": ["graduate", "undergraduate", "no"],
    "deep_learning": ["yes", "some"],
    "linear_algebra_statistics": ["yes", "some"],
    "multivariate_calculus": ["yes", "some"],
    "background_level": ["3", "-1.5", "4"],
    "track": ["introductory", "advanced"],
    "mode": ["virtual", "in_person"],
    "us_work_eligibility": ["yes", "no"],
    "time_zone": ["Asia/Kolkata", "America/New_York", "Europe/Berlin"],
    "availability": ["Mon 18:00-21:00; Sat 10:00-13:00", "Tue 08:00-10:00; Thu 19:00-22:00"],
    "motivation": ["I want to work on making ML systems safe.", "Robustness research."],
    "commitment": ["yes"],
}
FACILITATOR_ANSWERS = {
    "tracks": ["introductory", "advanced"],
    "mode": ["virtual"],
    "time_zone": ["Europe/London", "America/Chicago"],
    "availability": ["Mon 17:00-22:00; Wed 17:00-22:00", "Sat 09:00-15:00"],
    "deep_learning_background": ["PhD in ML."],
    "ai_safety_background": ["Ran a reading group."],
}


@dataclass
class World:
    slug: str
    organizer_id: int
    reviewer_id: int
    facilitator_id: int
    participant_id: int
    api_token: str


def _answers_for(form: Any, choices: dict[str, list[str]]) -> dict[str, list[Any]]:
    """Each question's possible answers, parsed once by the real parser."""
    from cohortkit.admissions.answers import parse_answer

    parsed: dict[str, list[Any]] = {}
    for question in form.questions.all():
        raws = choices.get(question.key)
        if raws is None:
            continue
        options = [
            parse_answer(question, raw, number_format=form.term.number_format) for raw in raws
        ]
        usable = [option for option in options if not option.error]
        if usable:
            parsed[question.key] = [(question, option) for option in usable]
    return parsed


def generate(*, applicants: int, facilitators: int, sections: int, reviewers: int) -> World:
    """The term, in bulk inserts (no service calls: they would email ten thousand people)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cohortkit.accounts.models import Membership, Role, User
    from cohortkit.accounts.services import api_token_create
    from cohortkit.admissions.models import (
        Answer,
        Application,
        ApplicationForm,
        Decision,
        Enrollment,
        Review,
        ReviewAssignment,
        ReviewScore,
        RubricCategory,
    )
    from cohortkit.admissions.services.loading_forms import application_forms_load
    from cohortkit.admissions.services.reviewing import application_scores_rebuild
    from cohortkit.coursework.models import Feedback, Submission, SubmissionVersion
    from cohortkit.programs.models import Assignment, Lecture, Program, Reading, Term, Track, Week
    from cohortkit.sections.models import Attendance, Meeting, Section, SectionMembership

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    started = time.perf_counter()
    now = timezone.now()
    weeks = 8
    today = now.date()
    # The term is in its last week: seven weeks of meetings are over, the eighth this week.
    starts_on = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    program, _ = Program.objects.get_or_create(
        slug="bench-pages", defaults={"name": "Introduction to ML Safety (benchmark)"}
    )
    slug = f"bench-{secrets.token_hex(3)}"
    term = Term.objects.create(
        program=program,
        slug=slug,
        name="Ten thousand",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(weeks=weeks, days=-3),
        participant_deadline=now - dt.timedelta(weeks=weeks + 2),
        facilitator_deadline=now - dt.timedelta(weeks=weeks + 2, days=3),
    )
    application_forms_load(term=term, text=FORMS_FILE.read_text(encoding="utf-8"))
    tracks = [
        Track.objects.create(term=term, slug="introductory", name="Introductory", position=0),
        Track.objects.create(term=term, slug="advanced", name="Advanced", position=1),
    ]
    assignments = []
    for number in range(1, weeks + 1):
        week = Week.objects.create(term=term, number=number, title=f"Week {number}")
        for position in range(3):
            lecture = Lecture.objects.create(
                week=week, title=f"Lecture {number}.{position}", minutes=30, position=position
            )
            lecture.tracks.set(tracks)
        reading = Reading.objects.create(
            week=week, title=f"Reading {number}", url="https://arxiv.org/abs/2109.13916", minutes=45
        )
        reading.tracks.set(tracks)
        assignment = Assignment.objects.create(
            week=week, title=f"Week {number} reflection", prompt="Reflect.", minutes=60
        )
        assignment.tracks.set(tracks)
        assignments.append(assignment)

    def people(prefix: str, count: int) -> list[User]:
        User.objects.bulk_create(
            (
                User(
                    email=f"{prefix}{n}@{slug}.example.net",
                    name=f"{prefix.capitalize()} {n}",
                    time_zone=("Asia/Kolkata", "America/New_York", "Europe/Berlin")[n % 3],
                    password="!",
                )
                for n in range(count)
            ),
            batch_size=BATCH,
        )
        return list(
            User.objects.filter(
                email__startswith=prefix, email__endswith=slug + ".example.net"
            ).order_by("pk")
        )

    participants = people("participant", applicants)
    leads = people("facilitator", facilitators)
    reviewer_users = people("reviewer", reviewers)
    organizer = people("organizer", 1)[0]
    Membership.objects.bulk_create(
        [Membership(term=term, user=user, role=Role.PARTICIPANT) for user in participants]
        + [Membership(term=term, user=user, role=Role.FACILITATOR) for user in leads]
        + [Membership(term=term, user=user, role=Role.REVIEWER) for user in reviewer_users]
        + [Membership(term=term, user=organizer, role=Role.ORGANIZER)],
        batch_size=BATCH,
    )

    forms = {form.kind: form for form in ApplicationForm.objects.filter(term=term)}
    categories = [
        RubricCategory.objects.create(form=forms["participant"], name=name, position=index)
        for index, name in enumerate(("Motivation", "Background"))
    ]
    submitted_at = now - dt.timedelta(weeks=weeks + 3)
    for kind, users, choices in (
        ("participant", participants, PARTICIPANT_ANSWERS),
        ("facilitator", leads, FACILITATOR_ANSWERS),
    ):
        form = forms[kind]
        Application.objects.bulk_create(
            (
                Application(
                    form=form,
                    applicant=user,
                    status="submitted",
                    submitted_at=submitted_at,
                    revision=1,
                )
                for user in users
            ),
            batch_size=BATCH,
        )
        options = _answers_for(form, choices)
        applications = list(Application.objects.filter(form=form).order_by("pk"))
        answers = []
        for index, application in enumerate(applications):
            for key_options in options.values():
                question, parsed = key_options[index % len(key_options)]
                answers.append(
                    Answer(
                        application=application,
                        question=question,
                        raw=parsed.raw,
                        number=parsed.number,
                        value=parsed.value,
                    )
                )
        Answer.objects.bulk_create(answers, batch_size=BATCH)

    participant_applications = list(
        Application.objects.filter(form=forms["participant"]).order_by("pk")
    )
    ReviewAssignment.objects.bulk_create(
        (
            ReviewAssignment(
                application=application, reviewer=reviewer_users[(index + k) % reviewers]
            )
            for index, application in enumerate(participant_applications)
            for k in (0, 1)
        ),
        batch_size=BATCH,
    )
    Review.objects.bulk_create(
        (
            Review(
                application=application,
                reviewer=reviewer_users[(index + k) % reviewers],
                comment="Solid.",
                submitted_at=submitted_at,
            )
            for index, application in enumerate(participant_applications)
            for k in (0, 1)
        ),
        batch_size=BATCH,
    )
    ReviewScore.objects.bulk_create(
        (
            ReviewScore(review_id=review_id, category=category, score=(review_id + position) % 6)
            for review_id in Review.objects.filter(
                application__form=forms["participant"]
            ).values_list("pk", flat=True)
            for position, category in enumerate(categories)
        ),
        batch_size=BATCH,
    )
    application_scores_rebuild(form=forms["participant"])  # what review_submit keeps
    released_at = now - dt.timedelta(weeks=weeks + 1)
    Decision.objects.bulk_create(
        (
            Decision(
                application=application,
                outcome="accept",
                track=tracks[index % 2],
                staged_by=organizer,
                staged_at=released_at,
                released_at=released_at,
            )
            for index, application in enumerate(participant_applications)
        ),
        batch_size=BATCH,
    )
    Enrollment.objects.bulk_create(
        (
            Enrollment(
                term=term,
                user_id=decision.application.applicant_id,
                role="participant",
                track_id=decision.track_id,
                status="confirmed",
                decision=decision,
                offered_at=released_at,
                responded_at=released_at,
            )
            for decision in Decision.objects.filter(
                application__form=forms["participant"]
            ).select_related("application")
        ),
        batch_size=BATCH,
    )

    Section.objects.bulk_create(
        (
            Section(
                term=term,
                track=tracks[number % 2],
                name=f"Section {number + 1}",
                facilitator=leads[number % facilitators],
                meeting_url=f"https://meet.example.org/{slug}/{number}",
                weekday=number % 5,
                start_time=dt.time(8 + number % 12, 0),
                time_zone="UTC",
            )
            for number in range(sections)
        ),
        batch_size=BATCH,
    )
    section_list = list(Section.objects.filter(term=term).order_by("pk"))
    by_track = {track.pk: [s for s in section_list if s.track_id == track.pk] for track in tracks}
    memberships = []
    members_of: dict[int, list[int]] = {section.pk: [] for section in section_list}
    # Every generated section has a facilitator (the field may be empty once one is removed).
    lead_of = {s.pk: s.facilitator_id for s in section_list if s.facilitator_id is not None}
    for index, decision in enumerate(
        Decision.objects.filter(application__form=forms["participant"])
        .select_related("application")
        .order_by("pk")
    ):
        choices_of_track = by_track[decision.track_id or 0]
        section = choices_of_track[(index // 2) % len(choices_of_track)]
        members_of[section.pk].append(decision.application.applicant_id)
        memberships.append(
            SectionMembership(section=section, user_id=decision.application.applicant_id)
        )
    SectionMembership.objects.bulk_create(memberships, batch_size=BATCH)
    meetings = []
    for section in section_list:
        for number in range(1, weeks + 1):
            day = term.week_starts_on(number) + dt.timedelta(days=section.weekday)
            starts_at = dt.datetime.combine(day, section.start_time, tzinfo=dt.UTC)
            meetings.append(
                Meeting(
                    section=section,
                    week=number,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=60),
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    attendance = []
    for meeting in Meeting.objects.filter(section__term=term).select_related("section"):
        for position, user_id in enumerate(members_of[meeting.section_id]):
            attendance.append(
                Attendance(
                    meeting=meeting,
                    user_id=user_id,
                    status=("present", "present", "present", "absent", "excused")[
                        (position + meeting.week) % 5
                    ],
                    recorded_by_id=lead_of[meeting.section_id],
                    recorded_at=meeting.ends_at,
                )
            )
    Attendance.objects.bulk_create(attendance, batch_size=BATCH)
    facilitator_of = {
        user_id: lead_of[section.pk]
        for section in section_list
        for user_id in members_of[section.pk]
    }
    Submission.objects.bulk_create(
        (
            Submission(assignment=assignment, user=user, status="submitted", revision=1)
            for assignment in assignments
            for user in participants
        ),
        batch_size=BATCH,
    )
    due = {assignment.pk: now + dt.timedelta(days=30) for assignment in assignments}
    SubmissionVersion.objects.bulk_create(
        (
            SubmissionVersion(
                submission_id=submission_id,
                number=1,
                body_markdown="My answer, with *emphasis*.",
                body_html="<p>My answer, with <em>emphasis</em>.</p>",
                submitted_at=now - dt.timedelta(days=1),
                due_at=due[assignment_id],
                due_source="term",
                is_late=False,
            )
            for submission_id, assignment_id in Submission.objects.filter(
                assignment__week__term=term
            ).values_list("pk", "assignment_id")
        ),
        batch_size=BATCH,
    )
    Feedback.objects.bulk_create(
        (
            Feedback(
                version_id=version_id,
                facilitator_id=facilitator_of[user_id],
                verdict="complete",
                comment="Good.",
                created_at=now,
            )
            for version_id, user_id in SubmissionVersion.objects.filter(
                submission__assignment__week__term=term
            ).values_list("pk", "submission__user_id")
            if version_id % 2 == 0 and user_id in facilitator_of
        ),
        batch_size=BATCH,
    )
    # What submission_submit and feedback_give keep: one version each, awaiting without feedback.
    Submission.objects.filter(assignment__week__term=term).exclude(
        versions__feedback__isnull=False
    ).update(awaiting_feedback=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"generated {applicants} participant and {facilitators} facilitator applications, "
        f"{2 * applicants} reviews, {sections} sections, {len(meetings)} meetings, "
        f"{len(attendance)} attendance rows, {len(assignments) * applicants} answers to homework "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    busiest_lead = lead_of[max(section_list, key=lambda section: len(members_of[section.pk])).pk]
    return World(
        slug=slug,
        organizer_id=organizer.pk,
        reviewer_id=reviewer_users[0].pk,
        facilitator_id=busiest_lead,
        participant_id=participants[0].pk,
        api_token=api_token_create(user=organizer),
    )
