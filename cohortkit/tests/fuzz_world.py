"""The term the fuzz test runs against: every kind of object a URL of the site can name.

Built on the shared fixtures (``term``, ``people``, ``sections``): the term's two application
forms hold a question of every type and the applicant has a personal extension, so the apply pages
are open to them; week 1 has a quiz with an attempt, a written assignment with a submitted
version, an application assigned to the reviewer, a scheduling run, a pending invitation, a
late-application link and a calendar feed. ``url_arguments`` names the real object behind each
URL parameter, so a new URL whose parameters have known names is covered with no change here.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

FAR_FUTURE = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
CHOICES = [{"value": "intro", "label": "Introductory"}, {"value": "advanced", "label": "Advanced"}]
# key, type, extra fields: one question of every type the forms know.
QUESTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("full_name", "short_text", {}),
    ("motivation", "long_text", {"word_limit": 300, "required": False}),
    ("age", "number", {"min_value": 0, "max_value": 120, "step": 1, "required": False}),
    ("track", "choice", {"choices": CHOICES}),
    ("topics", "multi_choice", {"choices": CHOICES, "required": False}),
    ("eligible", "yes_no", {"required": False}),
    ("website", "url", {"required": False}),
    ("contact", "email", {"required": False}),
    ("start_date", "date", {"required": False}),
    ("time_zone", "time_zone", {}),
    ("availability", "availability", {"required": False}),
]


@dataclass
class World:
    term: Any
    people: dict[str, Any]
    forms: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def url_arguments(self, url_name: str, parameters: list[str]) -> dict[str, Any] | None:
        """Values for a URL's parameters, or None when one is a name nobody taught this."""
        objects, tokens = self.objects, self.tokens
        known: dict[str, Any] = {
            "slug": self.term.slug,
            "kind": "participant",
            "application_id": objects["application"].pk,
            "number": 1,
            "pk": objects["assignment"].pk,
            "section_id": objects["section"].pk,
            "version_id": objects["version"].pk,
            "quiz_id": objects["quiz"].pk,
            "question_id": objects["question"].pk,
            "run_id": objects["run"].pk,
            "week": 1,
            "meeting_id": objects["meeting"].pk,
            "uidb64": tokens["uidb64"],
        }
        by_url = {
            "accounts:invitation_accept": tokens["invitation"],
            "admissions:access_code_use": tokens["access_code"],
            "calendars:feed": tokens["calendar"],
            "accounts:password_reset_confirm": tokens["password_reset"],
        }
        # URLs merged in after this world was written: real people where they are cheap to name,
        # otherwise ids of nothing (the page must still answer 404, never 5xx). Teach the world
        # their real objects so their forms are fuzzed too.
        placeholders: dict[str, Any] = {
            "user_id": self.people["participant"].pk,
            "token_id": 999_999,
            "email_id": 999_999,
            "timesheet_id": 999_999,
            "batch_id": 999_999,
            "file_format": "csv",
            "public_id": "not-a-certificate-id",
            "invitation_id": 999_999,
            "extension_id": 999_999,
            "code_id": 999_999,
            "role": "not-a-role",
        }
        values: dict[str, Any] = {}
        for name in parameters:
            if name == "token" and url_name in by_url:
                values[name] = by_url[url_name]
            elif name in known:
                values[name] = known[name]
            elif name in placeholders:
                values[name] = placeholders[name]
            elif name == "token":
                values[name] = "not-a-token"
            else:
                return None
        return values


def world_build(*, term: Any, people: dict[str, Any], sections: dict[str, Any]) -> World:
    from cohortkit.accounts.models import Invitation, Role
    from cohortkit.accounts.services import _digest as invitation_digest
    from cohortkit.admissions.models import DeadlineExtension, ReviewAssignment
    from cohortkit.admissions.services.extending import access_code_create
    from cohortkit.admissions.tests.factories import (
        RubricCategoryFactory,
        SubmittedApplicationFactory,
    )
    from cohortkit.calendars.services import calendar_feed_reset
    from cohortkit.coursework.tests.factories import (
        AssignmentFactory,
        SubmissionFactory,
        SubmissionVersionFactory,
    )
    from cohortkit.programs.models import Week
    from cohortkit.quizzes.services import attempt_submit
    from cohortkit.quizzes.tests.factories import (
        choice_question,
        numeric_question,
        quiz_in,
        text_question,
    )
    from cohortkit.scheduling.tests.factories import ScheduleRunFactory
    from cohortkit.sections.models import Meeting
    from cohortkit.tests.factories import ApplicationFormFactory, FormQuestionFactory

    organizer = people["organizer"]
    forms = {
        kind: ApplicationFormFactory(term=term, kind=kind, title=f"{kind.title()} application")
        for kind in ("participant", "facilitator")
    }
    for form in forms.values():
        for position, (key, kind, extra) in enumerate(QUESTIONS):
            FormQuestionFactory(form=form, position=position, key=key, type=kind, **extra)
        DeadlineExtension.objects.create(
            form=form, user=people["applicant"], until=FAR_FUTURE, granted_by=organizer
        )
        RubricCategoryFactory(form=form, name="Motivation")
    application = SubmittedApplicationFactory(form=forms["participant"])
    ReviewAssignment.objects.create(application=application, reviewer=people["reviewer"])

    quiz = quiz_in(term, title="Week one check", max_attempts=50)
    question = numeric_question(quiz, ("-0.25", "0.01", "absolute"))
    choice_question(quiz, [("Sigmoid", False), ("ReLU", True)])
    text_question(quiz, [("Adam", False)])
    attempt_submit(
        quiz=quiz,
        user=people["participant"],
        answers={question.pk: "1"},
        submit_token="fuzz-world",
        now=dt.datetime(2022, 9, 27, tzinfo=dt.UTC),
    )
    week = Week.objects.get(term=term, number=1)
    assignment = AssignmentFactory(week=week)
    submission = SubmissionFactory(assignment=assignment, user=people["participant"])
    version = SubmissionVersionFactory(submission=submission)

    invitation_token = secrets.token_urlsafe(16)
    Invitation.objects.create(
        term=term,
        email="invited@example.org",
        role=Role.PARTICIPANT,
        token_hash=invitation_digest(invitation_token),
        invited_by=organizer,
        expires_at=FAR_FUTURE,
    )
    _, access_token = access_code_create(
        form=forms["participant"],
        label="Fuzz",
        until=FAR_FUTURE,
        expires_at=FAR_FUTURE,
        max_uses=1000,
        created_by=organizer,
    )
    return World(
        term=term,
        people=people,
        forms=forms,
        objects={
            "application": application,
            "quiz": quiz,
            "question": question,
            "assignment": assignment,
            "version": version,
            "section": sections["a"],
            "meeting": Meeting.objects.get(section=sections["a"], week=1),
            "run": ScheduleRunFactory(term=term),
        },
        tokens={
            "invitation": invitation_token,
            "access_code": access_token,
            "calendar": calendar_feed_reset(user=people["participant"]),
            "uidb64": urlsafe_base64_encode(force_bytes(people["organizer_other_term"].pk)),
            "password_reset": default_token_generator.make_token(people["organizer_other_term"]),
        },
    )
